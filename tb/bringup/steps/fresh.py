"""A channel in a known state whatever an earlier step left behind (a halt, a pending interrupt,
a running transfer): every step that uses a channel starts here, so one failed step cannot make
the next fail."""

from __future__ import annotations

from typing import Any

from pydriver import regs
from tb.dma_tb import Channel, DmaTb


async def fresh_channel(tb: DmaTb, index: int, timeout: int = 5000, **setup: Any) -> Channel:
    """CTRL.RESET with ENABLE clear (aborts and drains anything running, clears HEAD, TAIL, the
    error registers and INT_CAUSE), wait for it, then program the channel (`setup` as for
    DmaTb.setup_channel)."""
    await tb.write(regs.ch_reg(index, regs.CH_CTRL), regs.CH_CTRL_RESET_MASK)
    deadline = tb.now() + timeout
    while True:
        state = await tb.channel_regs(index)
        if not (state.busy or state.halted or state.head or state.tail or state.int_cause):
            break
        assert tb.now() < deadline, f"channel {index} does not reset: {state}"
        await tb.cycles(16)
    return await tb.setup_channel(index, **setup)
