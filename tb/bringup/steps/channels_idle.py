"""Every channel idle after reset: not busy, not halted, HEAD = TAIL = 0, no error, no cause,
its irq line low."""

from __future__ import annotations

from tb.bringup.context import Context


async def channels_idle(ctx: Context) -> str:
    tb = ctx.bench
    for ch in range(tb.hw.channels):
        st = await tb.channel_regs(ch)
        bad = [what for what, wrong in (
            ("BUSY", st.busy), ("HALTED", st.halted), ("HEAD != 0", st.head),
            ("TAIL != 0", st.tail), ("ERR_CODE != 0", st.err_code),
            ("INT_CAUSE != 0", st.int_cause), ("irq high", tb.irq(ch))) if wrong]
        assert not bad, f"channel {ch} not idle ({', '.join(bad)}): {st}"
    return f"{tb.hw.channels} channels: STATUS 0, HEAD = TAIL = 0, no error, irq low"
