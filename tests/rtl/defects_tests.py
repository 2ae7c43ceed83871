"""Corner cases where the controller once broke AXI rules or docs/descriptor.md.

- W payload: a write beat that is stalled (WVALID high, WREADY low) when the channel takes an
  error stop (CTRL.ABORT, a DATA_READ error of the same descriptor) keeps its data and strobes
  until the slave takes it.
- A TAIL write that moves TAIL back below the slots the channel has already fetched is refused
  (TAIL_OVERFLOW) and no slot past the original TAIL is ever fetched or executed.
- A ring running past the top of the address space is refused (WINDOW) at its first slot past
  the top, also at ADDR_WIDTH 64 where the slot address would wrap to 0.
- The completion record goes to the CMPL_ADDR that was window-checked, even when software
  rewrites CMPL_ADDR while the descriptor's completion is under way.

Each case stalls one AXI channel of the RAM completely (a pause generator that always pauses) to
hold the controller at the moment that matters, so the outcome does not depend on timing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import cocotb
from cocotb.triggers import FallingEdge

from pydriver import regs
from pydriver.drivers.dmasim.hw import SLOT_BYTES, ErrCode, Interrupt, Memcpy, Resp
from tb import stimulus
from tb.axi_mem import Burst
from tb.dma_tb import Channel, DmaTb
from tb.refmodel import ADDR64_MASK, BusFault, tail_write_refused

ERROR = regs.CH_INT_CAUSE_ERROR_MASK
HOLD = 40  # cycles the controller is held with a beat or a response stalled


class StalledBeatWatch:
    """Checks the AXI rule for W: a beat offered (WVALID) and not taken (WREADY low) is offered
    again, with the same WDATA, WSTRB and WLAST, at the next clock edge. Samples at the falling
    edge (what the next rising edge sees) while the test runs; `violations` lists every break,
    `longest` is the longest stall of one beat seen."""

    def __init__(self, dut) -> None:
        self.dut = dut
        self.violations: list[str] = []
        self.longest = 0
        self._task = cocotb.start_soon(self._watch())

    def _beat(self) -> tuple[str, str, str]:
        d = self.dut
        return str(d.m_axi_wdata.value), str(d.m_axi_wstrb.value), str(d.m_axi_wlast.value)

    async def _watch(self) -> None:
        d = self.dut
        held: tuple[str, str, str] | None = None
        run = 0
        while True:
            await FallingEdge(d.clk)
            valid = str(d.m_axi_wvalid.value) == "1"
            ready = str(d.m_axi_wready.value) == "1"
            beat = self._beat()
            if held is not None and (not valid or beat != held):
                self.violations.append(f"cycle {DmaTb.now()}: stalled beat (data, strb, last) "
                                       f"{held} became {beat if valid else 'not valid'}")
            if valid and not ready:
                held, run = beat, run + 1
                self.longest = max(self.longest, run)
            else:
                held, run = None, 0

    def stop(self) -> None:
        self._task.cancel()


async def wait_until(tb: DmaTb, what: str, cond: Callable[[], bool], timeout: int = 3000) -> None:
    """Poll `cond` every cycle; fail naming `what` after `timeout` cycles."""
    deadline = DmaTb.now() + timeout
    while not cond():
        assert DmaTb.now() < deadline, f"{what}: not seen after {timeout} cycles"
        await tb.cycles(1)


def bursts_since(tb: DmaTb, first: int, *, write: bool) -> list[Burst]:
    return [b for b in tb.ram.bursts[first:] if b.write == write]


def ring_fetches(tb: DmaTb, ch: Channel, first: int) -> list[Burst]:
    """The read bursts since index `first` that fetch slots of the channel's ring."""
    ring = ch.setup.slot_addr(0)
    ring_end = ring + ch.setup.nslots * SLOT_BYTES
    return [b for b in bursts_since(tb, first, write=False) if ring <= b.first < ring_end]


async def abort(tb: DmaTb, ch: Channel) -> None:
    await tb.write(ch.reg(regs.CH_CTRL), ch.ctrl | regs.CH_CTRL_ABORT_MASK)


@cocotb.test()
async def w_beat_held_across_abort(dut):
    """CTRL.ABORT while a write beat of a long copy is stalled on W: the beat keeps its data and
    strobes until W is released (the beats after it may carry WSTRB 0); the channel then halts
    with ABORTED at the copy, whose destination alone may be partly written."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, int_enable=ERROR)
    tb.post(ch, [stimulus.memcpy(tb, 32 * tb.hw.data_bytes)])
    snap = tb.snapshot()
    watch = StalledBeatWatch(dut)
    tb.ram.set_pause(tb.rng, w=1.0)
    await tb.doorbell(ch)
    await wait_until(tb, "WVALID", lambda: str(dut.m_axi_wvalid.value) == "1")
    await abort(tb, ch)
    await tb.cycles(HOLD)
    held = watch.longest
    tb.ram.set_pause(tb.rng)
    state = await tb.wait_settled(ch, timeout=3000)
    watch.stop()
    assert not watch.violations, "W payload changed under a stall:\n  " + \
        "\n  ".join(watch.violations[:5])
    assert held >= HOLD, f"the beat was stalled for {held} cycles only"
    assert state.halted and state.err_code == ErrCode.ABORTED and state.head == 0, str(state)
    tb.predict([ch], abort_at={ch.index: 0}, snapshot=snap)
    await tb.check(ch)


@cocotb.test()
async def w_beat_held_across_read_error(dut):
    """A copy whose first burst is stalled on W while a later part of its source answers SLVERR:
    the stalled beat keeps its payload; the channel halts with DATA_READ at the copy."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, int_enable=ERROR)
    block = 16 * tb.hw.data_bytes  # one write burst (MAX_BURST_LEN beats)
    n = 8 * block
    src, dst = (tb.alloc(n, align=4096, offset=0) for _ in range(2))
    fault = BusFault(src + 3 * block, 64, Resp.SLVERR, write=False)
    tb.post(ch, [Memcpy(dst=dst, src=src, length=n)])
    out = tb.predict([ch], faults=[fault])[ch.index]
    assert out.err_code == ErrCode.DATA_READ
    tb.ram.faults[:] = [fault]
    watch = StalledBeatWatch(dut)
    tb.ram.set_pause(tb.rng, w=1.0)
    first = len(tb.ram.bursts)
    await tb.doorbell(ch)
    await wait_until(tb, "WVALID", lambda: str(dut.m_axi_wvalid.value) == "1")
    await wait_until(tb, "the read of the failing source bytes", lambda: any(
        b.first <= fault.start <= b.last for b in bursts_since(tb, first, write=False)))
    await tb.cycles(HOLD)
    held = watch.longest
    tb.ram.set_pause(tb.rng)
    await tb.wait_settled(ch, out.head_options, timeout=3000)
    watch.stop()
    assert not watch.violations, "W payload changed under a stall:\n  " + \
        "\n  ".join(watch.violations[:5])
    assert held >= HOLD, f"the beat was stalled for {held} cycles only"
    await tb.check(ch)


@cocotb.test()
async def tail_rewind_refused(dut):
    """TAIL written back below the slots the channel has already fetched (it is busy with a
    copy held on W): TAIL_OVERFLOW, the copy is abandoned, nothing after it runs and no slot
    past the original TAIL is read. Writing the same TAIL twice is not a rewind. RESET
    recovers."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=4, int_enable=ERROR)
    descs = [stimulus.memcpy(tb, 32 * tb.hw.data_bytes)] + [stimulus.fill(tb, 8) for _ in range(3)]
    tb.post(ch, descs)
    snap = tb.snapshot()
    tb.ram.set_pause(tb.rng, w=1.0)
    first = len(tb.ram.bursts)
    await tb.doorbell(ch)
    await tb.doorbell(ch)
    last_slot = ch.setup.slot_addr(ch.tail - 1) + SLOT_BYTES - 1
    await wait_until(tb, "the fetch of every posted slot",
                     lambda: any(b.last >= last_slot for b in ring_fetches(tb, ch, first)))
    rewind = ch.tail - 2
    assert tail_write_refused(ch.setup.ring, ch.head, ch.tail, rewind)
    await tb.doorbell(ch, rewind)
    await tb.cycles(HOLD)
    tb.ram.set_pause(tb.rng)
    state = await tb.wait_settled(ch, timeout=3000)
    assert state.halted and state.err_code == ErrCode.TAIL_OVERFLOW, str(state)
    assert state.head == 0 and state.tail == rewind, str(state)
    stale = [b for b in ring_fetches(tb, ch, first) if b.last > last_slot]
    assert not stale, f"slots past TAIL were fetched: {stale[:3]}"
    tb.predict([ch], abort_at={ch.index: 0}, abort_code=ErrCode.TAIL_OVERFLOW, snapshot=snap)
    await tb.check(ch)
    await tb.reset_channel(ch)
    await tb.run(ch, [stimulus.memcpy(tb, 100)])


@cocotb.test()
async def ring_past_address_space_top(dut):
    """A ring whose last slots lie past the top of the ADDR_WIDTH address space (the RAM sits at
    the top): the slots below the top run, the first one past it is refused with WINDOW and
    ERR_ADDR its address (modulo 2^64), and nothing is read from the bottom of the address
    space instead."""
    size = 1 << 20
    top = 1 << len(dut.m_axi_araddr)
    tb = await DmaTb.create(dut, mem_size=size, mem_base=top - size)
    ring = top - 2 * SLOT_BYTES  # slots 0 and 1 below the top, 2 and 3 past it
    ch = await tb.setup_channel(0, log2_slots=2, ring_base=ring, int_enable=ERROR)
    tb.post(ch, [stimulus.fill(tb, 8), stimulus.fill(tb, 8)])
    ch.tail += 1  # slot 2: outside the RAM as well, so the bench cannot write it
    out = tb.predict([ch])[ch.index]
    refused = (ring + 2 * SLOT_BYTES) & ADDR64_MASK
    assert out.err_code == ErrCode.WINDOW and out.err_addr == (refused, refused), str(out)
    await tb.doorbell(ch)
    await tb.wait_settled(ch, out.head_options, timeout=3000)
    await tb.check(ch)


@cocotb.test()
async def record_goes_where_it_was_checked(dut):
    """CMPL_ADDR rewritten (to an address outside the channel's window) while a descriptor's
    status word is being written: its completion record still goes to the address that was
    window-checked; the new address applies from the next completion on, which it fails
    (WINDOW). Every access stays inside the window."""
    tb = await DmaTb.create(dut)
    lo = tb.alloc(64 * 1024, align=4096, offset=0)
    hi = lo + 64 * 1024 - 1
    outside = tb.alloc(8, align=8, offset=0)
    tb.move_cursor(lo)  # ring and record inside [lo, hi]
    ch = await tb.setup_channel(0, window=(lo, hi), cmpl_wb=True, int_enable=ERROR)
    tb.post(ch, [Interrupt()])
    out = tb.predict([ch])[ch.index]
    tb.ram.set_pause(tb.rng, b=1.0)
    first = len(tb.ram.bursts)
    await tb.doorbell(ch)
    status = ch.setup.slot_addr(ch.head)
    await wait_until(tb, "the status word's write", lambda: any(
        b.first <= status <= b.last for b in bursts_since(tb, first, write=True)))
    await tb.write64(ch.reg(regs.CH_CMPL_ADDR_LO), ch.reg(regs.CH_CMPL_ADDR_HI), outside)
    await tb.cycles(HOLD)
    tb.ram.set_pause(tb.rng)
    await tb.wait_settled(ch, out.head, timeout=3000)
    await tb.check(ch)
    tb.check_accesses_within([(lo, hi)], since=first)
    now = (await tb.read(ch.reg(regs.CH_CMPL_ADDR_HI)) << 32) | \
        await tb.read(ch.reg(regs.CH_CMPL_ADDR_LO))
    assert now == outside, f"CMPL_ADDR reads 0x{now:x}, software wrote 0x{outside:x}"
    ch.setup = dataclasses.replace(ch.setup, cmpl_addr=outside)
    first = len(tb.ram.bursts)
    out = await tb.run(ch, [Interrupt()])
    assert out.err_code == ErrCode.WINDOW and out.err_addr == (outside, outside), str(out)
    tb.check_accesses_within([(lo, hi)], since=first)
