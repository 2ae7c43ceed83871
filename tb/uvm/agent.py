"""One agent per channel: sequencer, ring driver, completion monitor."""

from __future__ import annotations

from pyuvm import uvm_agent, uvm_sequencer

from tb.uvm.driver import RingDriver
from tb.uvm.monitor import CompletionMonitor


class ChannelAgent(uvm_agent):
    """Active agent of one channel (ConfigDB "CHANNEL" is set for it by the env)."""

    def build_phase(self) -> None:
        self.seqr = uvm_sequencer("seqr", self)
        self.driver = RingDriver("driver", self)
        self.monitor = CompletionMonitor("monitor", self)

    def connect_phase(self) -> None:
        self.driver.seq_item_port.connect(self.seqr.seq_item_export)
        self.driver.ap.connect(self.monitor.posted_fifo.analysis_export)
        self.monitor.driver = self.driver
        self.driver.monitor = self.monitor
