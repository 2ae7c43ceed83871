"""Interrupt delivery (docs/descriptor.md, "Interrupts"): an INT_EN descriptor raises
INT_CAUSE.DONE and the channel's irq line (a level, mirrored in IRQ_SUMMARY) until software
writes 1 to clear it; coalescing raises DONE after COALESCE.COUNT completions, or TIMEOUT cycles
after the first unreported one."""

from __future__ import annotations

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import Interrupt
from tb.bringup.context import Context
from tb.bringup.steps.fresh import fresh_channel
from tb.dma_tb import CLK_NS, Channel, DmaTb

DONE = regs.CH_INT_CAUSE_DONE_MASK


async def _complete(tb: DmaTb, ch: Channel, count: int) -> None:
    """`count` INT_EN interrupt descriptors, run to completion."""
    tb.post(ch, [Interrupt(int_en=True) for _ in range(count)])
    await tb.doorbell(ch)
    state = await tb.wait_settled(ch, timeout=2000)
    assert not state.halted, f"channel {ch.index} halted running interrupt descriptors: {state}"
    ch.head = state.head
    ch.posted.clear()


async def _cause(tb: DmaTb, ch: Channel) -> int:
    return await tb.read(ch.reg(regs.CH_INT_CAUSE))


async def interrupt_delivery(ctx: Context) -> str:
    tb = ctx.bench
    ch = await fresh_channel(tb, 0, int_enable=DONE)
    start = tb.now()
    watcher = cocotb.start_soon(tb.wait_irq(ch, timeout=2000))  # the exact cycle
    await _complete(tb, ch, 1)
    rise = await watcher
    summary = await tb.read(regs.REG_IRQ_SUMMARY)
    assert summary == 1 << ch.index, f"IRQ_SUMMARY reads 0x{summary:x} with irq[0] high, " \
        f"expected 0x{1 << ch.index:x}"
    await tb.write(ch.reg(regs.CH_INT_CAUSE), 0)
    assert await _cause(tb, ch) == DONE and tb.irq(ch), "writing 0 to INT_CAUSE cleared DONE"
    await tb.write(ch.reg(regs.CH_INT_CAUSE), DONE)
    await tb.cycles(2)
    cause = await _cause(tb, ch)
    assert cause == 0 and not tb.irq(ch), \
        f"after writing 1 to INT_CAUSE.DONE: INT_CAUSE 0x{cause:x}, irq {int(tb.irq(ch))}"
    # Masked: the cause is recorded, the line stays low.
    await tb.write(ch.reg(regs.CH_INT_ENABLE), 0)
    await _complete(tb, ch, 1)
    await tb.cycles(10)
    cause = await _cause(tb, ch)
    assert cause == DONE and not tb.irq(ch), \
        f"INT_ENABLE 0: INT_CAUSE 0x{cause:x} (expected DONE), irq {int(tb.irq(ch))} (expected 0)"
    await tb.write(ch.reg(regs.CH_INT_CAUSE), DONE)
    return (f"irq[0] up {rise - start} cycles after the doorbell, IRQ_SUMMARY mirrors it; "
            "INT_CAUSE write-1-to-clear drops it; INT_ENABLE masks the line")


async def coalescing_by_count(ctx: Context) -> str:
    tb = ctx.bench
    count = 4
    ch = await fresh_channel(tb, 0, int_enable=DONE, coalesce=(count, 0), log2_slots=5)
    await _complete(tb, ch, count - 1)
    await tb.cycles(100)
    cause = await _cause(tb, ch)
    assert cause == 0 and not tb.irq(ch), \
        f"COALESCE.COUNT {count}: DONE after {count - 1} completions (INT_CAUSE 0x{cause:x})"
    await _complete(tb, ch, 1)
    await tb.wait_irq(ch, timeout=100)
    await tb.write(ch.reg(regs.CH_INT_CAUSE), DONE)
    return f"COALESCE.COUNT {count}: nothing after {count - 1} INT_EN completions, irq on the " \
        f"{count}th"


async def coalescing_by_timeout(ctx: Context) -> str:
    tb = ctx.bench
    timeout = 200
    ch = await fresh_channel(tb, 0, int_enable=DONE, coalesce=(255, timeout))
    status_addr = ch.setup.slot_addr(ch.tail)
    writes = tb.ram.log_writes()
    watcher = cocotb.start_soon(tb.wait_irq(ch, timeout=10 * timeout))  # the exact cycle
    try:
        await _complete(tb, ch, 1)
        written = [w.time_ns for w in writes if w.addr == status_addr]
    finally:
        tb.ram.log_writes(False)
    assert written, f"no status word written at 0x{status_addr:x}"
    done = int(written[0]) // CLK_NS
    rise = await watcher
    waited = rise - done
    assert timeout - 4 <= waited <= timeout + 40, \
        f"COALESCE.TIMEOUT {timeout}: irq {waited} cycles after the status write, expected " \
        f"{timeout}..{timeout + 40}"
    await tb.write(ch.reg(regs.CH_INT_CAUSE), DONE)
    return f"COALESCE.TIMEOUT {timeout} (COUNT 255): one completion, irq {waited} cycles after " \
        "its status write"
