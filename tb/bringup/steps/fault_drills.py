"""Fault drills: each makes channel 0 fail one way on purpose and expects its error code, the
faulting address (ERR_ADDR) and descriptor (ERR_DESC), the error interrupt, nothing written
outside the faulting descriptor's destination (the whole memory against the reference model),
and a working channel after CTRL.RESET. docs/descriptor.md ("Errors") says what each code
reports."""

from __future__ import annotations

from pydriver.drivers.dmasim.hw import (
    SLOT_BYTES,
    Descriptor,
    ErrCode,
    Memcpy,
    Op,
    RawDescriptor,
    Resp,
)
from tb import stimulus
from tb.bringup.context import Context
from tb.bringup.steps.fresh import fresh_channel
from tb.dma_tb import Channel, ChannelRegs, DmaTb
from tb.fault_drills import ERROR, abort_busy, expect_fault, good, mid_fault, prove_working
from tb.refmodel import BusFault

LENGTH = 1024  # long enough for a fault in the middle of the buffer


async def _channel(tb: DmaTb, **setup) -> Channel:
    return await fresh_channel(tb, 0, int_enable=ERROR, log2_slots=5, **setup)


def _detail(state: ChannelRegs, where: str) -> str:
    resp = f" ({Resp(state.err_resp).name})" if state.err_resp else ""
    return (f"{ErrCode(state.err_code).name}{resp} ERR_ADDR 0x{state.err_addr:x} = {where}, "
            f"ERR_DESC {state.err_desc}, irq; RESET, copy OK")


async def _drill(tb: DmaTb, ch: Channel, descs: list[Descriptor], code: ErrCode,
                 fault: BusFault | None, where: str) -> str:
    state = await expect_fault(tb, ch, descs, code, faults=(fault,) if fault else ())
    return _detail(state, where)


async def _data_fault(ctx: Context, *, read: bool) -> str:
    """A copy whose source (read) or destination (write) fails in the middle of the buffer."""
    tb = ctx.bench
    ch = await _channel(tb)
    d = stimulus.memcpy(tb, LENGTH)
    if read:
        fault = mid_fault(tb, d.src, LENGTH, Resp.SLVERR, read=True)
        code, where = ErrCode.DATA_READ, "the failing source beat"
    else:
        fault = mid_fault(tb, d.dst, LENGTH, Resp.DECERR, read=False)
        code, where = ErrCode.DATA_WRITE, "the failing destination burst"
    return await _drill(tb, ch, good(tb) + [d], code, fault, where)


async def data_read(ctx: Context) -> str:
    return await _data_fault(ctx, read=True)


async def data_write(ctx: Context) -> str:
    return await _data_fault(ctx, read=False)


async def descriptor_fetch(ctx: Context) -> str:
    tb = ctx.bench
    ch = await _channel(tb)
    await tb.run(ch, good(tb))
    fault = BusFault(ch.setup.slot_addr(ch.tail), SLOT_BYTES, Resp.SLVERR, write=False)
    return await _drill(tb, ch, [stimulus.fill(tb, 8)], ErrCode.DESC_READ, fault,
                        "the descriptor's slot")


async def status_write(ctx: Context) -> str:
    tb = ctx.bench
    ch = await _channel(tb)
    # the third descriptor's status word refuses the write
    fault = BusFault(ch.setup.slot_addr(ch.tail + 2), 4, Resp.SLVERR, read=False)
    return await _drill(tb, ch, good(tb, 3), ErrCode.STATUS_WRITE, fault,
                        "the third descriptor's status word")


async def bad_descriptor(ctx: Context) -> str:
    tb = ctx.bench
    ch = await _channel(tb)
    bad = RawDescriptor(0xF, 64, tb.alloc_unaligned(64), (tb.alloc_unaligned(64),))
    return await _drill(tb, ch, good(tb) + [bad], ErrCode.BAD_OPCODE, None,
                        f"the descriptor's slot (OP 15, valid ops 1..{int(Op.INTERRUPT)})")


async def address_window(ctx: Context) -> str:
    tb = ctx.bench
    size = 64 * 1024
    lo = tb.alloc(size, align=4096, offset=0)
    hi = lo + size - 1
    outside = tb.alloc_unaligned(LENGTH)
    resume = outside + LENGTH
    tb.move_cursor(lo)  # the ring and the other buffers inside [lo, hi]
    try:
        ch = await _channel(tb, window=(lo, hi))
        d = Memcpy(dst=tb.alloc_unaligned(LENGTH), src=outside, length=LENGTH)
        state = await expect_fault(tb, ch, good(tb) + [d], ErrCode.WINDOW)
        assert state.err_addr == outside, \
            f"ERR_ADDR 0x{state.err_addr:x}, expected the refused source 0x{outside:x}"
    finally:
        tb.move_cursor(resume)
    # leave the window wide open for the next steps
    await fresh_channel(tb, 0)
    return _detail(state, f"the source outside [0x{lo:x}, 0x{hi:x}]")


async def abort_while_busy(ctx: Context) -> str:
    tb = ctx.bench
    ch = await fresh_channel(tb, 0, int_enable=ERROR, log2_slots=4)
    state = await abort_busy(tb, ch)
    await tb.reset_channel(ch)
    await prove_working(tb, ch)
    return (f"ABORT mid-stream: ABORTED at HEAD {state.head} = ERR_DESC, earlier descriptors "
            "complete, later ones untouched, irq; RESET, copy OK")
