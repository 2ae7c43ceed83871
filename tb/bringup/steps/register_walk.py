"""Register walk against the register map source (rtl/dma_regs.rdl via pydriver/regs.py): every
global register and every register of every channel (reset value, writable bits, read-only
bits, pulse fields reading 0), write-1-to-clear INT_CAUSE with a cause really pending, and the
first channel block past CONFIG.CHANNELS reading 0."""

from __future__ import annotations

from pydriver import regs
from pydriver.drivers.dmasim.hw import ErrCode
from tb.bringup.context import Context
from tb.dma_tb import DmaTb
from tb.regwalk import walk_channel, walk_globals

ERROR = regs.CH_INT_CAUSE_ERROR_MASK


async def _write_one_to_clear(tb: DmaTb, ch: int) -> int:
    """Raise INT_CAUSE.ERROR (ABORT on an idle enabled channel), then: writing 0 keeps it,
    writing 1 clears it; RESET brings the channel back. Returns the accesses made."""
    ctrl, cause = regs.ch_reg(ch, regs.CH_CTRL), regs.ch_reg(ch, regs.CH_INT_CAUSE)
    await tb.write(ctrl, regs.CH_CTRL_ENABLE_MASK | regs.CH_CTRL_ABORT_MASK)
    await tb.cycles(20)
    state = await tb.channel_regs(ch)
    assert state.halted and state.err_code == ErrCode.ABORTED and state.int_cause == ERROR, \
        f"CH[{ch}] after CTRL.ABORT on an idle channel: {state} (expected HALTED, ABORTED, " \
        "INT_CAUSE.ERROR)"
    await tb.write(cause, 0)
    got = await tb.read(cause)
    assert got == ERROR, f"CH[{ch}].INT_CAUSE: wrote 0, read 0x{got:x}, expected 0x{ERROR:x} kept"
    await tb.write(cause, ERROR)
    got = await tb.read(cause)
    assert got == 0, f"CH[{ch}].INT_CAUSE: wrote 1 to ERROR, read 0x{got:x}, expected 0"
    await tb.write(ctrl, regs.CH_CTRL_RESET_MASK)
    await tb.cycles(20)
    state = await tb.channel_regs(ch)
    assert not (state.halted or state.err_code or state.busy), \
        f"CH[{ch}] after CTRL.RESET: {state}"
    await tb.write(ctrl, 0)
    return 16


async def register_walk(ctx: Context) -> str:
    tb = ctx.bench
    n = tb.hw.channels
    accesses = await walk_globals(tb)
    for ch in range(n):
        accesses += await walk_channel(tb, ch)
        accesses += await _write_one_to_clear(tb, ch)
    if n < regs.CH_MAX:  # an absent channel's block reads 0 and keeps nothing
        for reg in regs.CHANNEL_REGS:
            off = regs.ch_reg(n, reg.offset)
            await tb.write(off, 0xFFFFFFFF)
            got = await tb.read(off)
            assert got == 0, f"CH[{n}].{reg.name} (no such channel) reads 0x{got:08x} after a " \
                "write, expected 0"
            accesses += 2
    return (f"{len(regs.GLOBAL_REGS)} global + {n}x{len(regs.CHANNEL_REGS)} channel registers "
            f"match rtl/dma_regs.rdl (reset, rw masks, read-only, pulse, W1C); CH[{n}] absent "
            f"block reads 0; {accesses} accesses")
