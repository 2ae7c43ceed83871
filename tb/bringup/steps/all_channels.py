"""Every channel at once: a 4 KiB copy and an interrupt descriptor on each, all doorbells rung
together, every copy checked and every channel's DONE interrupt seen."""

from __future__ import annotations

from pydriver import regs
from pydriver.drivers.dmasim.hw import Interrupt, Memcpy
from tb.bringup.context import Context
from tb.bringup.steps.fresh import fresh_channel

SIZE = 4096


async def all_channels(ctx: Context) -> str:
    tb = ctx.bench
    done = regs.CH_INT_CAUSE_DONE_MASK
    chans = [await fresh_channel(tb, i, int_enable=done) for i in range(tb.hw.channels)]
    jobs = []
    for ch in chans:
        src, dst = tb.alloc(SIZE), tb.alloc(SIZE)
        jobs.append((ch, dst, tb.randomize(src, SIZE)))
        tb.post(ch, [Memcpy(dst, src, SIZE), Interrupt(int_en=True)])
    start = tb.now()
    for ch in chans:
        await tb.doorbell(ch)
    for ch, dst, data in jobs:
        st = await tb.wait_settled(ch, timeout=50_000)
        assert not st.halted, f"channel {ch.index} halted: {st}"
        got = tb.ram.read(dst, SIZE)
        if got != data:
            first = next(i for i in range(SIZE) if got[i] != data[i])
            raise AssertionError(f"channel {ch.index}: copy differs at byte {first} "
                                 f"(0x{dst + first:x}): read 0x{got[first]:02x}, expected "
                                 f"0x{data[first]:02x}")
        assert tb.irq(ch), f"channel {ch.index}: no DONE interrupt"
        ch.head = st.head
        ch.posted.clear()
    cycles = tb.now() - start
    summary = await tb.read(regs.REG_IRQ_SUMMARY)
    want = (1 << len(chans)) - 1
    assert summary == want, f"IRQ_SUMMARY reads 0x{summary:x}, expected 0x{want:x}"
    for ch in chans:
        await tb.write(ch.reg(regs.CH_INT_CAUSE), done)
    kib = len(chans) * SIZE / 1024
    return f"{len(chans)} concurrent 4 KiB copies + interrupts in {cycles} cycles " \
        f"({kib * 1024 / cycles:.1f} B/cycle), IRQ_SUMMARY 0x{summary:x}"
