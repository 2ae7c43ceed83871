"""The environment: an agent per channel, the predictor, the scoreboard and coverage."""

from __future__ import annotations

from pyuvm import ConfigDB, uvm_env

from tb.bounded import within
from tb.dma_tb import DmaTb
from tb.uvm.agent import ChannelAgent
from tb.uvm.coverage import Coverage
from tb.uvm.monitor import CONFIGURE_CYCLES
from tb.uvm.predictor import Predictor
from tb.uvm.scoreboard import Scoreboard


class DmaEnv(uvm_env):
    """Sizes itself from the DUT's CONFIG register (DmaTb.hw): one ChannelAgent per channel.

    ConfigDB inputs: "TB" (the DmaTb), "CH_CFG" (per-channel setup_channel arguments: a list
    indexed by channel), "POLL" (monitor HEAD polling period in cycles)."""

    def build_phase(self) -> None:
        self.tb: DmaTb = ConfigDB().get(self, "", "TB")
        cfgs = ConfigDB().get(self, "", "CH_CFG")
        self.agents: list[ChannelAgent] = []
        for k in range(self.tb.hw.channels):
            name = f"agent{k}"
            ConfigDB().set(self, f"{name}.*", "CHANNEL", k)
            ConfigDB().set(self, f"{name}.*", "CH_CFG", cfgs[k])
            self.agents.append(ChannelAgent(name, self))
        self.predictor = Predictor("predictor", self)
        self.scoreboard = Scoreboard("scoreboard", self)
        self.coverage = Coverage("coverage", self)

    def connect_phase(self) -> None:
        for agent in self.agents:
            agent.driver.ap.connect(self.predictor.analysis_export)
            agent.monitor.ap.connect(self.scoreboard.act_fifo.analysis_export)
            agent.monitor.ap.connect(self.coverage.analysis_export)
        self.predictor.ap.connect(self.scoreboard.exp_fifo.analysis_export)
        self.scoreboard.predictor = self.predictor

    @property
    def sequencers(self):
        return [a.seqr for a in self.agents]

    @property
    def outstanding(self) -> int:
        """Descriptors handed to a driver and not yet completed and compared."""
        return sum(a.driver.unposted for a in self.agents) + self.scoreboard.outstanding

    async def wait_configured(self) -> None:
        for agent in self.agents:
            await within(agent.driver.ready.wait(), CONFIGURE_CYCLES,
                         f"configuration of channel {agent.driver.index}")

    def check_phase(self) -> None:
        bad = {a.monitor.get_full_name(): a.monitor.errors for a in self.agents
               if a.monitor.errors}
        if self.predictor.errors:
            bad[self.predictor.get_full_name()] = self.predictor.errors
        assert not bad, f"UVM errors: {bad}"
