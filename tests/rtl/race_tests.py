"""Same-cycle races, hit on purpose (docs/descriptor.md "Same-cycle events", rtl/dma_regs.rdl):

- a software write-1-to-clear of INT_CAUSE.DONE / .ERROR in the cycle the hardware sets the bit:
  the set wins;
- a TAIL write in the cycle a descriptor completes: neither is lost, and the TAIL_OVERFLOW check
  uses HEAD as it was before that cycle;
- CTRL.ABORT in the cycle a data-read fault is taken: the descriptor's own fault wins.

Each race runs three times from the same state: once to measure when the hardware event falls
(cycles after the doorbell; a directed run is deterministic), once with the register write aimed
at that cycle (tb/aim.py), asserting that it landed there and that the event came at the same
time again, and once aimed one cycle off, which must give the other outcome (so the first run
really decided the race).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import Descriptor, ErrCode, Interrupt, RawDescriptor, Resp
from pydriver.drivers.dmasim.ring import count_add
from tb import stimulus, timing
from tb.aim import AimedAccess
from tb.cycle_monitors import Handshake, axi_channel
from tb.dma_tb import Channel, DmaTb
from tb.refmodel import BusFault, run_channel

DONE = regs.CH_INT_CAUSE_DONE_MASK
ERROR = regs.CH_INT_CAUSE_ERROR_MASK
WAIT = 2000  # cycles any single step here may take

Event = Callable[[int], Awaitable[int]]  # the cycle of the hardware event after a doorbell


class Race:
    """One channel, its monitors, and a write aimed at a hardware event."""

    def __init__(self, tb: DmaTb, ch: Channel) -> None:
        self.tb, self.ch = tb, ch
        self.aim = AimedAccess(tb)
        self.b = axi_channel(tb.dut, "m_axi_b", "id")
        self.ar = axi_channel(tb.dut, "m_axi_ar", "id", "addr", "len")
        self.r = axi_channel(tb.dut, "m_axi_r", "id", "resp")
        self.lite = self.aim.mon["write"]
        self.delay: int | None = None  # event cycle - doorbell cycle, from the measuring run
        self.snap = tb.snapshot()  # memory as the last doorbell found it (descriptors posted)
        self.rung = 0  # the cycle the last doorbell was started in

    async def _next(self, mon, what: str, pred: Callable[[Handshake], bool], after: int) -> int:
        hs = await mon.next(WAIT, what, pred, after, lambda: self.tb.state_of(self.ch))
        return hs.cycle

    def status_response(self) -> Event:
        """The write response of the channel's next status word (AXI ID 2n)."""
        return lambda after: self._next(self.b, "status word response",
                                        lambda h: h["id"] == 2 * self.ch.index, after)

    def read_fault(self) -> Event:
        """The channel's next data beat answered with an error (AXI ID 2n + 1)."""
        return lambda after: self._next(self.r, "faulting data beat",
                                        lambda h: h["id"] == 2 * self.ch.index + 1
                                        and h["resp"] >= 2, after)

    def failing_beat_addr(self, after: int) -> int:
        """The bus address of the first data beat answered with an error after cycle `after`:
        R beats follow the channel's AR bursts in order (one AXI ID)."""
        data_id = 2 * self.ch.index + 1
        db = self.tb.hw.data_bytes
        beats = [h for h in self.r.matching(lambda h: h["id"] == data_id, after)]
        for burst in self.ar.matching(lambda h: h["id"] == data_id, after):
            mine, beats = beats[:burst["len"] + 1], beats[burst["len"] + 1:]
            for k, beat in enumerate(mine):
                if beat["resp"] >= 2:
                    return burst["addr"] - burst["addr"] % db + k * db
        raise AssertionError("no data beat was answered with an error")

    async def doorbell(self, descs: Sequence[Descriptor], faults: Sequence[BusFault] = ()) -> int:
        """Post `descs`, predict them, ring the doorbell; the cycle the TAIL write landed in."""
        tb, ch = self.tb, self.ch
        self.rung = tb.now()
        tb.post(ch, descs)
        self.snap = tb.snapshot()
        tb.predict([ch], faults)
        tb.ram.faults[:] = list(faults)
        start = tb.now()
        await tb.doorbell(ch)
        return await self._next(self.lite, "TAIL write",
                                 lambda h: h["addr"] == ch.reg(regs.CH_TAIL), start - 1)

    async def measure(self, descs: Sequence[Descriptor], event: Event,
                      faults: Sequence[BusFault] = ()) -> int:
        """Run `descs` (the caller checks the outcome); remember and return when `event` fell."""
        if not self.aim.latency:
            await self.aim.calibrate()
        rung = await self.doorbell(descs, faults)
        self.delay = await event(rung) - rung
        return rung + self.delay

    async def hit(self, descs: Sequence[Descriptor], event: Event, offset: int, reg: int,
                  value: int, faults: Sequence[BusFault] = ()) -> int:
        """Run `descs` and write `value` to `reg` aimed at `offset` cycles after `event`; assert
        that the write landed there and the event fell as in the measuring run. Returns the
        event's cycle."""
        assert self.delay is not None, "measure() first"
        rung = await self.doorbell(descs, faults)
        target = rung + self.delay + offset
        landed = await self.aim.write_in(target, reg, value)
        at = await event(rung)
        assert at == rung + self.delay, (f"the event came {at - rung} cycles after the doorbell, "
                                         f"{self.delay} in the measuring run: the aim is off")
        assert landed == target, f"write landed in cycle e{landed - at:+d}, aimed at e{offset:+d}"
        self.tb.log.info("write of 0x%03x landed in cycle e%+d", reg, landed - at)
        return at


@cocotb.test()
async def int_cause_clear_loses_to_set(dut):
    """Write 1 to INT_CAUSE.DONE in the cycle a COUNT-coalesced DONE is set (1 cycle after the
    status word's write response): DONE stays set and irq high. One cycle later it clears.
    The same for INT_CAUSE.ERROR in the cycle the channel halts (the cycle of the error status
    word's write response)."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, int_enable=DONE | ERROR, coalesce=(1, 0))
    race = Race(tb, ch)
    cause = ch.reg(regs.CH_INT_CAUSE)
    raise_at = timing.RESPONSE_TO_HEAD - 1  # DONE is set at the edge that ends this cycle
    await race.measure([Interrupt(int_en=True)], race.status_response())
    await tb.wait_settled(ch, timeout=WAIT)
    await tb.write(cause, DONE)
    for offset, stays in ((raise_at, True), (raise_at + 1, False)):
        await race.hit([Interrupt(int_en=True)], race.status_response(), offset, cause, DONE)
        await tb.wait_settled(ch, timeout=WAIT)
        got = await tb.read(cause)
        assert bool(got & DONE) == stays and tb.irq(ch) == stays, \
            f"W1C at e{offset:+d}: INT_CAUSE 0x{got:x}, irq {int(tb.irq(ch))}; DONE must " \
            f"{'stay set (hardware set wins)' if stays else 'be cleared'}"
        await tb.write(cause, DONE)
    # ERROR: set in the cycle of the error status word's write response
    bad = [RawDescriptor(0)]
    await race.measure(bad, race.status_response())
    await tb.wait_settled(ch, timeout=WAIT)
    await tb.reset_channel(ch)
    for offset, stays in ((0, True), (1, False)):
        await race.hit(bad, race.status_response(), offset, cause, ERROR)
        state = await tb.wait_settled(ch, timeout=WAIT)
        assert state.halted and state.err_code == ErrCode.BAD_OPCODE, str(state)
        assert bool(state.int_cause & ERROR) == stays and tb.irq(ch) == stays, \
            f"W1C at e{offset:+d}: {state}; ERROR must " \
            f"{'stay set (hardware set wins)' if stays else 'be cleared'}"
        await tb.reset_channel(ch)


@cocotb.test()
async def tail_write_in_completion_cycle(dut):
    """An INTERRUPT runs alone; TAIL is written in the cycle HEAD moves past it (1 cycle after
    its status word's write response), covering FILLs already in the ring: they run, and HEAD is
    not lost. TAIL_OVERFLOW is judged against HEAD before that cycle: TAIL = old HEAD + ring size
    runs; old HEAD + ring size + 1 halts with TAIL_OVERFLOW (the finishing INTERRUPT completes,
    nothing else runs); the same TAIL one cycle later is accepted (and the channel runs on to
    the slot it reuses, which holds the INTERRUPT's status word: BAD_OPCODE)."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=3)
    race = Race(tb, ch)
    nslots = ch.setup.nslots
    move_at = timing.RESPONSE_TO_HEAD - 1  # HEAD moves at the edge that ends this cycle
    await race.measure([Interrupt()], race.status_response())
    await tb.wait_settled(ch, timeout=WAIT)
    await tb.check(ch)
    cases = ((0, move_at, ErrCode.NONE), (1, move_at, ErrCode.TAIL_OVERFLOW),
             (1, move_at + 1, ErrCode.BAD_OPCODE))
    for extra, offset, code in cases:
        old = ch.head
        tb.post(ch, [Interrupt()] + [stimulus.fill(tb, 8) for _ in range(nslots - 1)])
        ch.tail = count_add(old, 1)  # the doorbell covers the INTERRUPT only
        new_tail = count_add(old, nslots + extra)
        await race.hit([], race.status_response(), offset, ch.reg(regs.CH_TAIL), new_tail)
        state = await tb.wait_settled(ch, head=new_tail, timeout=WAIT)
        tb.log.info("TAIL %d written at e%+d (HEAD %d before): %s", new_tail, offset, old, state)
        assert state.tail == new_tail and state.err_code == code, \
            f"TAIL {new_tail} at e{offset:+d}: {state}, expected {ErrCode(code).name}"
        # the model: the INTERRUPT, then the rest from HEAD + 1 as the hardware judged it
        judged = count_add(new_tail, 1 if code == ErrCode.TAIL_OVERFLOW else 0)
        tb.predict([ch], snapshot=race.snap)
        rest = run_channel(tb.expected, tb.hw, ch.setup, count_add(old, 1), judged)
        tb.outcomes[ch.index] = rest
        tb.all_outcomes.append(rest)
        ch.tail = new_tail
        await tb.check(ch)
        if code != ErrCode.NONE:
            await tb.reset_channel(ch)


@cocotb.test()
async def abort_in_fault_cycle(dut):
    """CTRL.ABORT accepted in the cycle a MEMCPY's source read is answered SLVERR (the cycle the
    fault is taken): the descriptor's own fault wins (DATA_READ, ERR_ADDR the failing beat's
    address, its status word), as if ABORT had come later. One cycle earlier, ABORTED wins (no
    status word)."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, int_enable=ERROR)
    race = Race(tb, ch)
    db = tb.hw.data_bytes
    block = timing.MAX_BURST_LEN * db  # source read bursts stop at these boundaries
    copy = stimulus.memcpy(tb, 2 * block)
    beat = (copy.src + block // 2 + block - 1) // block * block + 5 * db  # mid-burst
    faults = [BusFault(beat, db, Resp.SLVERR, write=False)]
    ctrl, abort = ch.reg(regs.CH_CTRL), ch.ctrl | regs.CH_CTRL_ABORT_MASK
    await race.measure([copy], race.read_fault(), faults)
    await halted_as_predicted(tb, race, ErrCode.DATA_READ)
    for offset, code in ((0, ErrCode.DATA_READ), (-1, ErrCode.ABORTED)):
        await race.hit([copy], race.read_fault(), offset, ctrl, abort, faults)
        await halted_as_predicted(tb, race, code)
    tb.ram.faults.clear()


async def halted_as_predicted(tb: DmaTb, race: Race, code: int) -> None:
    """The channel halted with `code` with registers and memory as the model says (ABORTED:
    at the descriptor at HEAD); then reset it."""
    ch = race.ch
    state = await tb.wait_settled(ch, timeout=WAIT)
    tb.log.info("halted: %s", state)
    assert state.halted and state.err_code == code, f"expected {ErrCode(code).name}: {state}"
    if code == ErrCode.DATA_READ:
        beat = race.failing_beat_addr(race.rung)
        assert state.err_addr == beat, \
            f"ERR_ADDR 0x{state.err_addr:x}, the failing beat's address is 0x{beat:x}"
    if code == ErrCode.ABORTED:
        tb.predict([ch], tb.ram.faults, abort_at={ch.index: ch.head}, snapshot=race.snap)
    await tb.check(ch)
    assert tb.status_word(ch, ch.head).error == (code != ErrCode.ABORTED), \
        f"status word {tb.status_word(ch, ch.head)}"
    await tb.reset_channel(ch)
