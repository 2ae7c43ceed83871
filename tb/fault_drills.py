"""Fault drills on one dma_top channel: make it fail on purpose, check the error it reports
against the reference model, recover it with CTRL.RESET and prove it works again.

Shared by the error benches (tests/rtl/errors_tests.py) and the bring-up rehearsal. Error codes,
ERR_ADDR and recovery are specified in docs/descriptor.md ("Errors").
"""

from __future__ import annotations

from pydriver import regs
from pydriver.drivers.dmasim.hw import Descriptor, ErrCode, Resp
from tb import stimulus
from tb.dma_tb import Channel, ChannelRegs, DmaTb
from tb.refmodel import BusFault

ERROR = regs.CH_INT_CAUSE_ERROR_MASK


def good(tb: DmaTb, n: int = 2) -> list[Descriptor]:
    """Small FILLs that complete: they go before a faulting descriptor in a batch."""
    return [stimulus.fill(tb, tb.rng.randint(1, 40)) for _ in range(n)]


def mid_fault(tb: DmaTb, addr: int, length: int, resp: Resp, *, read: bool,
              last: bool = False) -> BusFault:
    """A fault on a 64-byte-aligned piece inside [addr, addr+length), clear of its edge words:
    a random one, or the last one."""
    first = (addr + 32 + 63) // 64 * 64
    pieces = (addr + length - 32 - first) // 64
    assert pieces >= 1, "buffer too short for a fault in its middle"
    start = first + 64 * (pieces - 1 if last else tb.rng.randrange(pieces))
    return BusFault(start, 64, resp, read=read, write=not read)


async def prove_working(tb: DmaTb, ch: Channel) -> None:
    """A copy on the channel completes and is checked against the model."""
    await tb.run(ch, [stimulus.memcpy(tb, 3 * tb.hw.data_bytes + 1)])


async def expect_fault(tb: DmaTb, ch: Channel, descs: list[Descriptor], code: int, *,
                       faults: tuple[BusFault, ...] = (), recover: bool = True,
                       prove: bool = True) -> ChannelRegs:
    """Run descriptors that must halt the channel with `code`; check registers, memory and irq
    against the model; reset the channel (`recover`) and prove with a copy that it works again
    (`prove`). Returns the channel's registers as the fault left them."""
    out = await tb.run(ch, descs, faults=faults)
    assert out.halted and out.err_code == code, f"the model did not expect {code!r}: {out}"
    assert tb.irq(ch), "INT_CAUSE.ERROR with INT_ENABLE.ERROR set does not drive irq"
    state = await tb.channel_regs(ch)
    tb.log.info("%s: ERR_DESC %s, HEAD %d", ErrCode(code).name, out.err_desc, out.head)
    tb.ram.faults.clear()
    if recover:
        await tb.reset_channel(ch)
        assert not tb.irq(ch), "irq still high after CTRL.RESET"
        if prove:
            await prove_working(tb, ch)
    return state


async def abort_busy(tb: DmaTb, ch: Channel) -> ChannelRegs:
    """CTRL.ABORT during a stream of long copies: the channel drains and halts with ABORTED,
    ERR_DESC the descriptor it was running (= HEAD); earlier ones complete, later ones are
    untouched, only the aborted one's destination may be partly written (checked against the
    model). Returns the registers after the halt; the channel stays halted."""
    n = 64 * tb.hw.data_bytes
    descs = [stimulus.memcpy(tb, 100)] + [stimulus.memcpy(tb, n) for _ in range(6)]
    tb.post(ch, descs)
    snap = tb.snapshot()
    await tb.doorbell(ch)
    await tb.cycles(n // tb.hw.data_bytes * 3)
    await tb.write(ch.reg(regs.CH_CTRL), ch.ctrl | regs.CH_CTRL_ABORT_MASK)
    state = await tb.wait_settled(ch, timeout=3000)
    tb.log.info("after ABORT: %s", state)
    assert state.halted and state.err_code == ErrCode.ABORTED and state.err_resp == 0, \
        f"after CTRL.ABORT: {state}"
    assert 0 < state.head < len(descs), f"ABORT did not land mid-stream: {state}"
    assert state.err_desc == state.head, f"ERR_DESC is not the descriptor at HEAD: {state}"
    tb.predict([ch], abort_at={ch.index: state.head}, snapshot=snap)
    await tb.check(ch)
    assert tb.irq(ch), "no irq after ABORT with INT_ENABLE.ERROR set"
    return state
