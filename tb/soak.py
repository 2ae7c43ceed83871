"""The fault soak of dma_top (`make soak`): rounds of random operations on every channel, a
fault injected into most rounds, every operation accounted for.

A round posts a fresh random batch on every channel (MEMCPY, XOR, in-place XOR, XOR_VAL with a
zero and a non-zero sum, FILL, INTERRUPT, INT_EN at random; tb/stimulus.py), picks one channel
and one fault (FAULTS: SLVERR/DECERR on a descriptor fetch, a data read, a data write or a
status write; a bad descriptor; a window violation; CTRL.ABORT or CTRL.RESET while busy), lets
the reference model predict every channel, rings every doorbell and waits for every channel to
settle. Then the round is checked like any register-level test (DmaTb.check: each channel's
registers, the whole RAM with guard bytes everywhere, nothing outstanding on the bus; the AXI
protocol checker watches throughout) and each descriptor is counted:

- completed: its status word and data are what the model says;
- failed as expected: the descriptor the fault stopped, with the model's error code;
- abandoned: behind a fault, an abort or a reset, never completed, as docs/descriptor.md says
  (software would resubmit it after CTRL.RESET);
- lost: every descriptor of a round whose check failed, timed out or broke an AXI rule.

Halted channels are reset and the next round goes on, so one bad round does not hide the rest.
The data area is reused from round to round; rings and windows stay.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from pydriver import regs
from pydriver.drivers.dmasim.hw import (
    SLOT_BYTES,
    Descriptor,
    ErrCode,
    Fill,
    Memcpy,
    Op,
    RawDescriptor,
    Resp,
    Xor,
    XorVal,
)
from tb import stimulus
from tb.dma_tb import Channel, DmaTb
from tb.refmodel import BusFault, Outcome

# fault kind -> relative weight; "none" rounds keep long fault-free streams in the mix
FAULTS = {"none": 3, "desc_read": 1, "data_read": 2, "data_write": 2, "status_write": 1,
          "bad_desc": 1, "window": 1, "abort": 2, "reset": 2}
MAX_OPS_PER_CHANNEL = 8  # per round
MAX_LEN = 600  # bytes per operation


@dataclass
class Tally:
    """What the soak ran and what became of it."""

    ops: Counter = field(default_factory=Counter)  # posted, by operation
    faults: Counter = field(default_factory=Counter)  # rounds, by injected fault
    completed: int = 0
    failed: int = 0  # the descriptor a fault stopped, with the expected error
    abandoned: int = 0  # behind a fault, an abort or a reset
    lost: int = 0
    losses: list[str] = field(default_factory=list)  # round, seed, what went wrong

    @property
    def posted(self) -> int:
        return sum(self.ops.values())

    def report(self, seed: int, rounds: int) -> list[str]:
        ops = ", ".join(f"{n} {op}" for op, n in sorted(self.ops.items()))
        faults = ", ".join(f"{n} {k}" for k, n in sorted(self.faults.items()))
        lines = [f"soak: seed {seed} (rerun with DMASIM_SEED={seed}), {rounds} rounds",
                 f"  {self.posted} operations posted: {ops}",
                 f"  rounds by injected fault: {faults}",
                 f"  completed {self.completed}, failed with the expected error {self.failed}, "
                 f"abandoned behind a fault {self.abandoned}, LOST {self.lost}"]
        lines += [f"  lost: {loss}" for loss in self.losses]
        return lines


def op_name(d: Descriptor) -> str:
    raw = d.raw()
    try:
        return Op(raw.op).name
    except ValueError:
        return f"op{raw.op}"


class FaultSoak:
    """Runs the rounds on a DmaTb whose every channel it owns."""

    def __init__(self, tb: DmaTb, ops: int) -> None:
        self.tb = tb
        self.rng: random.Random = tb.rng
        self.target_ops = ops
        self.tally = Tally()
        self.rounds = 0
        self.chans: list[Channel] = []
        self.data_start = 0
        self.window = (tb.base, tb.base + tb.mem_size - 1)
        # A lost round must not end the soak: the checker only collects, the round reports.
        m_axi = tb.axi_checkers.m_axi
        assert m_axi is not None
        self.m_axi = m_axi
        m_axi.fail = False

    async def run(self) -> Tally:
        tb = self.tb
        for i in range(tb.hw.channels):
            self.chans.append(await tb.setup_channel(
                i, log2_slots=7, window=self.window, cmpl_wb=self.rng.random() < 0.5,
                int_enable=regs.CH_INT_ENABLE_ERROR_MASK))
        self.data_start = tb.alloc(0, guard=0)  # the data area starts behind rings and records
        while self.tally.posted < self.target_ops:
            self.rounds += 1
            await self.round()
        return self.tally

    # -- one round ----------------------------------------------------------------------------

    async def round(self) -> None:
        tb, rng = self.tb, self.rng
        tb.move_cursor(self.data_start)
        kind = rng.choices(list(FAULTS), weights=list(FAULTS.values()))[0]
        victim = rng.choice(self.chans)
        starts = {ch.index: ch.tail for ch in self.chans}
        batches: dict[int, list[Descriptor]] = {}
        counts: dict[int, list[int]] = {}
        faults: list[BusFault] = []
        for ch in self.chans:
            descs = stimulus.random_mix(tb, rng.randint(1, MAX_OPS_PER_CHANNEL), MAX_LEN)
            if ch is victim:
                descs = self.with_bad_descriptor(kind, descs)
            batches[ch.index] = descs
            counts[ch.index] = tb.post(ch, descs)
            if ch is victim:
                faults = self.bus_faults(kind, ch, descs, counts[ch.index])
        if kind in ("desc_read", "data_read", "data_write", "status_write") and not faults:
            kind = "none"  # the batch had no buffer of that direction
        for ch in self.chans:
            self.tally.ops.update(op_name(d) for d in batches[ch.index])
        self.tally.faults[kind] += 1
        tails = {ch.index: ch.tail for ch in self.chans}
        try:
            outs = await self.execute(kind, victim, batches, counts, starts, tails, faults)
        except AssertionError as exc:
            await self.lose(kind, batches, str(exc))
            return
        if self.m_axi.violations:
            await self.lose(kind, batches, self.m_axi.violations[0])
            return
        for ch in self.chans:
            self.count(outs[ch.index], len(batches[ch.index]))
            if outs[ch.index].halted or (kind == "reset" and ch is victim):
                await tb.reset_channel(ch)
        tb.ram.faults.clear()

    async def execute(self, kind: str, victim: Channel, batches: dict[int, list[Descriptor]],
                      counts: dict[int, list[int]], starts: dict[int, int],
                      tails: dict[int, int], faults: list[BusFault]) -> dict[int, Outcome]:
        """Run the round; returns each channel's outcome as the checks confirmed it."""
        tb = self.tb
        snap = tb.snapshot()
        outs = tb.predict(self.chans, faults)
        tb.ram.faults[:] = faults
        for ch in self.chans:
            await tb.doorbell(ch)
        if kind in ("abort", "reset"):
            await tb.cycles(self.rng.randint(0, 40 * len(batches[victim.index])))
        if kind == "abort":
            await tb.write(victim.reg(regs.CH_CTRL), victim.ctrl | regs.CH_CTRL_ABORT_MASK)
        if kind == "reset":
            await tb.reset_channel(victim)  # drains, then checks HEAD/TAIL/errors cleared
        budget = sum(tb.estimate_cycles(b) for b in batches.values()) * 2
        others = [ch for ch in self.chans if not (kind == "reset" and ch is victim)]
        for ch in others:
            want = None if kind == "abort" and ch is victim else outs[ch.index].head_options
            await tb.wait_settled(ch, want, timeout=budget)
        if kind == "abort":
            state = await tb.channel_regs(victim)
            outs = tb.predict(self.chans, faults, abort_at={victim.index: state.head},
                              snapshot=snap)
        if kind == "reset":
            done = 0
            for c in counts[victim.index]:
                if not tb.status_word(victim, c).done:
                    break
                done += 1
            mine = counts[victim.index]
            cut = mine[done] if done < len(mine) else tails[victim.index]
            victim.head, victim.tail = starts[victim.index], tails[victim.index]
            outs = tb.predict(self.chans, faults, abort_at={victim.index: cut}, snapshot=snap)
            victim.head = victim.tail = 0  # what CTRL.RESET left
            victim.posted.clear()
        await tb.check(others)  # registers of all but a reset channel, the whole RAM, the bus
        return outs

    # -- faults -------------------------------------------------------------------------------

    def with_bad_descriptor(self, kind: str, descs: list[Descriptor]) -> list[Descriptor]:
        """The batch with a descriptor the channel must refuse, at a random place."""
        tb, rng = self.tb, self.rng
        n = rng.randint(1, 64)
        bad: Descriptor
        if kind == "bad_desc":
            bad = rng.choice([
                RawDescriptor(rng.choice((0, 6, 9, 15)), n, tb.alloc_unaligned(n),
                              (tb.alloc_unaligned(n),)),
                RawDescriptor(Op.MEMCPY, 0, tb.alloc_unaligned(n), (tb.alloc_unaligned(n),)),
                RawDescriptor(Op.XOR, n, tb.alloc_unaligned(n), (tb.alloc_unaligned(n),), 1),
                RawDescriptor(Op.MEMCPY, n, tb.alloc_unaligned(n), (tb.alloc_unaligned(n),),
                              ctrl_reserved=1 << 31)])
        elif kind == "window":  # a destination or source just past the RAM (and the window)
            outside = self.window[1] + 1 + rng.randrange(4096)
            bad = rng.choice([Memcpy(dst=outside, src=tb.alloc_unaligned(n), length=n),
                              Memcpy(dst=tb.alloc_unaligned(n), src=outside, length=n)])
        else:
            return descs
        at = rng.randint(0, len(descs))
        return descs[:at] + [bad] + descs[at:]

    def bus_faults(self, kind: str, ch: Channel, descs: list[Descriptor],
                   counts: list[int]) -> list[BusFault]:
        """An error response on one access of one descriptor of the batch."""
        rng = self.rng
        resp = rng.choice((Resp.SLVERR, Resp.DECERR))
        k = rng.randrange(len(descs))
        if kind == "desc_read":
            return [BusFault(ch.setup.slot_addr(counts[k]), SLOT_BYTES, resp, write=False)]
        if kind == "status_write":
            return [BusFault(ch.setup.slot_addr(counts[k]), 4, resp, read=False)]
        ranges = [r for d in descs for r in self.buffers(d, write=kind == "data_write")]
        if kind not in ("data_read", "data_write") or not ranges:
            return []
        addr, length = rng.choice(ranges)
        start = addr + rng.randrange(length)
        return [BusFault(start, rng.randint(1, 8), resp, read=kind == "data_read",
                         write=kind == "data_write")]

    @staticmethod
    def buffers(d: Descriptor, *, write: bool) -> list[tuple[int, int]]:
        """(address, length) of the destination (`write`) or of the sources of `d`."""
        if isinstance(d, Memcpy):
            return [(d.dst, d.length)] if write else [(d.src, d.length)]
        if isinstance(d, Xor):
            return [(d.dst, d.length)] if write else [(s, d.length) for s in d.srcs]
        if isinstance(d, XorVal):
            return [] if write else [(s, d.length) for s in d.srcs]
        if isinstance(d, Fill):
            return [(d.dst, d.length)] if write else []
        return []

    # -- accounting ---------------------------------------------------------------------------

    def count(self, out: Outcome, posted: int) -> None:
        completed = len(out.completions)
        failed = int(out.halted and out.err_desc is not None
                     and out.err_code not in (ErrCode.ABORTED, ErrCode.TAIL_OVERFLOW))
        self.tally.completed += completed
        self.tally.failed += failed
        self.tally.abandoned += posted - completed - failed

    async def lose(self, kind: str, batches: dict[int, list[Descriptor]], why: str) -> None:
        """Count the round's descriptors as lost, then bring every channel back."""
        n = sum(len(b) for b in batches.values())
        self.tally.lost += n
        first = why.strip().splitlines()[0] if why.strip() else "no message"
        self.tally.losses.append(f"round {self.rounds} ({kind}): {n} operations: {first}")
        self.tb.log.error("soak round %d (%s) lost: %s", self.rounds, kind, why)
        self.tb.ram.faults.clear()
        for ch in self.chans:
            await self.tb.reset_channel(ch)
        # the bus is quiet with every channel reset: start the checker's books afresh
        self.m_axi.violations.clear()
        self.m_axi.rules.reset()
