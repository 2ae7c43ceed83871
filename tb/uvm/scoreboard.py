"""The scoreboard: per-descriptor comparison, and the final registers / whole-memory check."""

from __future__ import annotations

from pyuvm import ConfigDB, uvm_scoreboard, uvm_tlm_analysis_fifo

from pydriver import regs
from pydriver.drivers.dmasim.hw import Status
from pydriver.drivers.dmasim.ring import count_add
from tb.dma_tb import DmaTb
from tb.uvm.item import Expectation, Observed


def _overlap(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return bool(a and b and a[0] < b[0] + b[1] and b[0] < a[0] + a[1])


class Scoreboard(uvm_scoreboard):
    """Expectations come from the predictor (`exp_fifo`), completions from the monitors
    (`act_fifo`). For every completed descriptor: it completes in ring order, its status word and
    destination bytes are the model's, and the irq line agrees with the INT_EN completions
    (DONE interrupts enabled, never cleared: irq high means an INT_EN descriptor completed, and
    it stays high). A destination that a later descriptor overwrites is left to the final check.

    `final_check` (awaited by the test once everything completed) compares every channel's
    registers with the model (DmaTb.check_channel), INT_CAUSE.DONE, the whole RAM against the
    model image (guard bytes everywhere: DmaTb.check_memory) and the bus rules (check_bus).
    Every discrepancy is a UVM error; check_phase fails the test on any."""

    def build_phase(self) -> None:
        self.exp_fifo = uvm_tlm_analysis_fifo("exp_fifo", self)
        self.act_fifo = uvm_tlm_analysis_fifo("act_fifo", self)
        self.tb: DmaTb = ConfigDB().get(self, "", "TB")
        self.predictor = None  # set by the env
        self.expected: dict[tuple[int, int], Expectation] = {}
        self.next_seq: dict[int, int] = {}
        self.int_en_seen: dict[int, bool] = {}
        self.statuses: dict[tuple[int, int], int] = {}  # observed, by (channel, seq_no)
        self.errors = 0
        self.checked = 0
        self.data_checked = 0
        self.deferred = 0
        self.final_done = False

    def error(self, msg: str) -> None:
        self.errors += 1
        self.logger.error(msg)

    def drain_expectations(self) -> None:
        while True:
            ok, exp = self.exp_fifo.try_get()
            if not ok:
                return
            for old in self.expected.values():
                if not old.superseded and _overlap(old.dst, exp.dst):
                    old.superseded = True
            self.expected[(exp.channel, exp.seq_no)] = exp

    @property
    def outstanding(self) -> int:
        self.drain_expectations()
        return len(self.expected) + self.act_fifo.used()

    async def run_phase(self) -> None:
        while True:
            obs: Observed = await self.act_fifo.get()
            self.drain_expectations()
            self.compare(obs)

    def compare(self, obs: Observed) -> None:
        item, chn = obs.item, obs.item.channel
        exp = self.expected.pop((chn, item.seq_no), None)
        if exp is None:
            self.error(f"{item}: completed but never predicted")
            return
        self.checked += 1
        self.statuses[(chn, item.seq_no)] = obs.status
        want = self.next_seq.get(chn, 0)
        if item.seq_no != want:
            self.error(f"{item}: completed out of order (expected #{want} next)")
        self.next_seq[chn] = item.seq_no + 1
        if obs.status != exp.status:
            self.error(f"{item}: status {Status(obs.status)}, model {Status(exp.status)}")
        if exp.dst:
            if exp.superseded:
                self.deferred += 1
            elif obs.dst_bytes != exp.dst_bytes:
                diff = next(i for i, (a, b) in enumerate(zip(obs.dst_bytes, exp.dst_bytes,
                                                             strict=True)) if a != b)
                self.error(f"{item}: destination 0x{exp.dst[0]:x}+{exp.dst[1]} differs from the "
                           f"model from byte {diff}: {obs.dst_bytes[diff:diff + 16].hex()} "
                           f"(expected {exp.dst_bytes[diff:diff + 16].hex()})")
            else:
                self.data_checked += 1
        # irq: sampled before the HEAD read that reported this completion.
        if item is obs.batch[0]:
            before = self.int_en_seen.get(chn, False)
            now = before or any(i.int_en for i in obs.batch)
            if obs.irq_before and not now:
                self.error(f"channel {chn}: irq high at cycle {obs.cycle} but no INT_EN "
                           "descriptor completed")
            if before and not obs.irq_before:
                self.error(f"channel {chn}: irq low at cycle {obs.cycle} after an INT_EN "
                           "completion (DONE is sticky until cleared)")
            self.int_en_seen[chn] = now

    async def final_check(self) -> None:
        """Registers, INT_CAUSE, the whole memory and the bus against the model."""
        tb, pred = self.tb, self.predictor
        self.drain_expectations()
        for (chn, seq), _ in sorted(self.expected.items()):
            self.error(f"channel {chn}: descriptor #{seq} never completed")
        tb.expected, tb.all_outcomes = pred.model, pred.outcomes
        for chn, out in sorted(pred.last.items()):
            ch = tb.channels[chn]
            try:
                state = await tb.check_channel(ch, out)
            except AssertionError as exc:
                self.error(str(exc))
                continue
            done = bool(state.int_cause & regs.CH_INT_CAUSE_DONE_MASK)
            if done != bool(pred.int_en.get(chn)):
                self.error(f"channel {chn}: INT_CAUSE.DONE {int(done)} after "
                           f"{pred.int_en.get(chn, 0)} INT_EN completions")
            if state.tail != count_add(ch.tail, 0):
                self.error(f"channel {chn}: TAIL {state.tail}, software wrote {ch.tail}")
            if ch.setup.cmpl_wb_en and out.record is None:
                self.error(f"channel {chn}: no completion record predicted")
        # The coverage subscriber samples each completion as observed: not again here.
        for check in (lambda: tb.check_memory(sample=False), tb.check_bus):
            try:
                check()
            except AssertionError as exc:
                self.error(str(exc))
        self.final_done = True

    def report_phase(self) -> None:
        self.logger.info(f"scoreboard: {self.checked} completions checked ({self.data_checked} "
                         f"destinations compared on completion, {self.deferred} overwritten later "
                         f"and left to the final image check), {self.errors} errors")

    def check_phase(self) -> None:
        assert self.final_done, "final_check() never ran"
        assert self.errors == 0, f"scoreboard: {self.errors} errors"
