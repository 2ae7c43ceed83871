"""The sampler the benches call: turns what a bench checked into covergroup samples.

`DmaTb` owns one when DMASIM_COVERAGE=1 (else `tb.cov` is None and nothing is sampled) and calls
it where the reference model's verdict has been checked: the verified outcomes (every completed
descriptor, every fault), the channel registers (DONE interrupts), the bus log (channels active
at once), plus its register writes (ABORT/RESET, COALESCE, INT_CAUSE clears) and backpressure
settings. The pyuvm coverage subscriber and the system bench call `descriptor` for the
completions they observe themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from pydriver import regs
from pydriver.drivers.dmasim.hw import ErrCode, RawDescriptor
from tb.bounded import CLK_NS
from tb.coverage import bus, database, descriptors, errors, interrupts, ring
from tb.refmodel import ChannelSetup, Outcome


@dataclass
class _DoneTracker:
    """What the bench knows of one channel's interrupt coalescing (docs/descriptor.md)."""

    count: int = 0  # COALESCE.COUNT
    timeout: int = 0  # COALESCE.TIMEOUT
    pending: int = 0  # INT_EN completions since DONE was last raised
    done_seen: bool = False  # INT_CAUSE.DONE read as set and not cleared since

    def reason(self, int_en_completions: int, done: bool) -> str | None:
        """Account for newly verified INT_EN completions; when DONE is newly seen set, why."""
        threshold = max(self.count, 1)
        self.pending += int_en_completions
        by_count = int_en_completions > 0 and self.pending >= threshold
        if by_count:
            self.pending %= threshold
        reason = None
        if done and not self.done_seen:
            if by_count:
                reason = "every" if threshold == 1 else "count"
            elif self.timeout and self.pending:
                reason, self.pending = "timeout", 0
        self.done_seen = done
        return reason


class Collector:
    """`data_bytes`: the bus width in bytes, asked when a descriptor is classified (the bench
    learns it from CONFIG after the collector exists)."""

    def __init__(self, data_bytes: Callable[[], int]) -> None:
        self.data_bytes = data_bytes
        self.sampled: dict[tuple[int, str], Outcome] = {}  # (id, what): keeps each sampled once
        self.stalled: frozenset[str] = frozenset()
        self.stopped_by: dict[int, str] = {}  # channel -> "abort" or "reset" (last written)
        self.done: dict[int, _DoneTracker] = {}
        self.last_burst_ns: dict[int, float] = {}  # channel -> time of its latest burst
        self.bursts_seen = 0
        database.write_at_end()

    # -- what software did ---------------------------------------------------------------------

    def register_write(self, offset: int, value: int) -> None:
        if offset < regs.CH_BASE:
            return
        channel, reg = divmod(offset - regs.CH_BASE, regs.CH_STRIDE)
        if reg == regs.CH_CTRL:
            if value & regs.CH_CTRL_RESET_MASK:
                self.stopped_by[channel] = "reset"
            elif value & regs.CH_CTRL_ABORT_MASK:
                self.stopped_by[channel] = "abort"
        elif reg == regs.CH_COALESCE:
            t = self.done.setdefault(channel, _DoneTracker())
            t.count = (value & regs.CH_COALESCE_COUNT_MASK) >> regs.CH_COALESCE_COUNT_SHIFT
            t.timeout = (value & regs.CH_COALESCE_TIMEOUT_MASK) >> regs.CH_COALESCE_TIMEOUT_SHIFT
        elif reg == regs.CH_INT_CAUSE and value & regs.CH_INT_CAUSE_DONE_MASK:
            self.done.setdefault(channel, _DoneTracker()).done_seen = False

    def backpressure(self, stalls: Mapping[str, float]) -> None:
        self.stalled = frozenset(name for name, p in stalls.items() if p)

    # -- what the hardware did, once checked ---------------------------------------------------

    def _first_time(self, out: Outcome, what: str) -> bool:
        key = (id(out), what)
        if key in self.sampled:
            return False
        self.sampled[key] = out  # holding it keeps its id from being reused
        return True

    def descriptor(self, channel: int, count: int, raw: RawDescriptor, status: int, *,
                   cmpl_wb: bool, nslots: int) -> None:
        """A completed descriptor at slot count `count` of the channel (a ring of `nslots`,
        completion record on or off), with its status word."""
        s = descriptors.classify(channel, raw, status, cmpl_wb, self.data_bytes())
        descriptors.sample(s)
        ring.sample(s.op, ring.position(count, raw.slots, nslots))
        if self.stalled:
            bus.sample_stalled(self.stalled, s.op)

    def error(self, code: int, where: str, resp: int) -> None:
        """A channel halted with `code`, found at `where` (tb.refmodel.FAULT_SITES)."""
        errors.sample(code, where, resp)

    def outcomes(self, outs: Iterable[Outcome], channels: Mapping[int, object]) -> None:
        """Model outcomes whose registers and memory the bench found as predicted, on the
        bench's `channels` (index -> an object with the `setup` the model ran)."""
        for out in outs:
            if not self._first_time(out, "outcome"):
                continue
            channel = _channel_of(out.setup, channels)
            for c in out.completions:
                self.descriptor(channel, c.count, c.desc, c.status,
                                cmpl_wb=out.setup.cmpl_wb_en, nslots=out.setup.nslots)
            if out.halted:
                where = out.err_where
                if out.err_code == ErrCode.ABORTED:
                    where = self.stopped_by.get(channel, "abort")
                self.error(out.err_code, where, out.err_resp)

    def channel_state(self, channel: int, int_cause: int, out: Outcome) -> None:
        """INT_CAUSE as read when the channel's registers were checked against `out`."""
        if not self._first_time(out, "irq"):
            return
        t = self.done.setdefault(channel, _DoneTracker())
        reason = t.reason(out.int_en_completions,
                          bool(int_cause & regs.CH_INT_CAUSE_DONE_MASK))
        if reason:
            interrupts.sample(reason)

    def bursts(self, bursts: list) -> None:
        """New AR/AW bursts of the bus log: how many channels (AXI ID >> 1, dma_top's ID map)
        were active within the window before each one."""
        window_ns = bus.ACTIVE_WINDOW_CYCLES * CLK_NS
        for b in bursts[self.bursts_seen:]:
            self.last_burst_ns[b.id >> 1] = b.time_ns
            bus.sample_active(sum(b.time_ns - t <= window_ns
                                  for t in self.last_burst_ns.values()))
        self.bursts_seen = len(bursts)


def _channel_of(setup: ChannelSetup | None, channels: Mapping[int, object]) -> int:
    for index, ch in channels.items():
        if getattr(ch, "setup", None) == setup:
            return index
    raise ValueError(f"coverage: no channel of the bench runs {setup}")
