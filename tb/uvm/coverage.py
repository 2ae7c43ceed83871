"""Functional coverage of the completions the monitors observe: each one is sampled into the
covergroups of tb/coverage (descriptor, ring position, backpressure) when DMASIM_COVERAGE=1;
nothing is done otherwise."""

from __future__ import annotations

from pyuvm import ConfigDB, uvm_subscriber

from tb.dma_tb import DmaTb
from tb.uvm.item import Observed


class Coverage(uvm_subscriber):
    """Samples every completion the monitors publish, with the status word the hardware wrote.
    (The scoreboard's final whole-memory check therefore does not sample the model's outcomes
    again.)"""

    def build_phase(self) -> None:
        self.tb: DmaTb = ConfigDB().get(self, "", "TB")

    def write(self, obs: Observed) -> None:
        cov = self.tb.cov
        if cov is None:
            return
        item = obs.item
        setup = self.tb.channels[item.channel].setup
        cov.descriptor(item.channel, item.count, item.desc.raw(), obs.status,
                       cmpl_wb=setup.cmpl_wb_en, nslots=setup.nslots)
