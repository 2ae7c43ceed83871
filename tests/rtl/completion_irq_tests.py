"""Completion reporting and interrupts: status words of every operation, the completion record,
strict ring-order completion (a HEAD never covers a descriptor whose status is not written yet),
DONE interrupts with INT_ENABLE masking, IRQ_SUMMARY, write-1-to-clear, coalescing by count and
by timeout, and per-channel irq lines.
"""

from __future__ import annotations

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import CompletionRecord, Interrupt, Op, status_ok
from tb import stimulus
from tb.cycle_monitors import Levels, axi_channel
from tb.dma_tb import SOAK, DmaTb, scale
from tb.timing import RESPONSE_TO_HEAD

DONE = regs.CH_INT_CAUSE_DONE_MASK


def coalesce(count: int, timeout: int) -> int:
    return (count << regs.CH_COALESCE_COUNT_SHIFT) | (timeout << regs.CH_COALESCE_TIMEOUT_SHIFT)


@cocotb.test()
async def status_words(dut):
    """Every operation's status word: DONE, no error, code 0, bit 0 only for a non-zero
    XOR_VAL."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0)
    descs = [stimulus.memcpy(tb, 77), stimulus.xor(tb, 3, 50), stimulus.xor_val(tb, 2, 40,
                                                                               zero=True),
             stimulus.xor_val(tb, 2, 40, zero=False), stimulus.fill(tb, 9), Interrupt()]
    counts = tb.post(ch, descs)
    tb.predict([ch])
    await tb.doorbell(ch)
    await tb.wait_settled(ch, timeout=tb.estimate_cycles(descs))
    await tb.check(ch)
    for count, d in zip(counts, descs, strict=True):
        s = tb.status_word(ch, count)
        nonzero = d.raw().op == Op.XOR_VAL and d is descs[3]
        assert s.raw == status_ok(nonzero), f"slot {count} ({type(d).__name__}): {s}"


@cocotb.test()
async def completion_record(dut):
    """With CTRL.CMPL_WB_EN the 8-byte record at CMPL_ADDR holds the new HEAD and the last
    status word after every batch; bits 31:16 are 0. Without it the address is never written."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, cmpl_wb=True)
    for batch in range(3):
        descs = stimulus.random_mix(tb, 3 + batch, 200, ops=("memcpy", "fill", "xor_val"))
        out = await tb.run(ch, descs)
        rec = CompletionRecord.decode(tb.ram.read(ch.setup.cmpl_addr, 8))
        assert rec == out.record, f"record {rec}, expected {out.record}"
        assert rec.head == ch.head and rec.reserved == 0
    # CMPL_WB_EN off: the model expects the record location untouched.
    other = await tb.setup_channel(1 % tb.hw.channels, cmpl_wb=False,
                                   cmpl_addr=tb.alloc(8, align=8, offset=0))
    await tb.run(other, stimulus.random_mix(tb, 3, 100, ops=("fill",)))


@cocotb.test()
async def completion_in_ring_order(dut):
    """While many small descriptors run, every HEAD value sampled covers only descriptors whose
    status word is already DONE in memory, HEAD never goes backwards, and status words are
    written in ring order."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=8)
    descs = stimulus.random_mix(tb, scale(48, icarus=24), 3 * tb.hw.data_bytes,
                                ops=("memcpy", "fill", "interrupt", "xor"))
    counts = tb.post(ch, descs)
    out = tb.predict([ch])[ch.index]
    writes = tb.ram.log_writes()
    await tb.doorbell(ch)
    last = 0
    deadline = tb.now() + tb.estimate_cycles(descs)
    while last != out.head:
        head = await tb.read(ch.reg(regs.CH_HEAD))
        assert (head - last) % 0x10000 <= len(counts) * 5, f"HEAD went back: {last} -> {head}"
        for c in counts:
            if c < head:
                s = tb.status_word(ch, c)
                assert s.done, f"HEAD {head} covers slot {c} whose status is {s}"
        last = head
        assert tb.now() < deadline, f"channel did not finish: {await tb.state_of(ch)}"
    await tb.wait_settled(ch)
    await tb.check(ch)
    slot_of = {ch.setup.slot_addr(c): c for c in counts}
    order = [slot_of[w.addr] for w in writes if w.addr in slot_of]
    assert order == sorted(order), f"status words written out of ring order: {order}"
    tb.ram.log_writes(False)


@cocotb.test()
async def done_interrupt_and_w1c(dut):
    """INT_EN raises INT_CAUSE.DONE; irq = |(INT_CAUSE & INT_ENABLE) as a level, mirrored in
    IRQ_SUMMARY; writing 0 clears nothing, writing 1 clears; a masked cause shows in INT_CAUSE
    only and drives irq once enabled."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, int_enable=0)
    cause = ch.reg(regs.CH_INT_CAUSE)
    enable = ch.reg(regs.CH_INT_ENABLE)
    await tb.run(ch, [Interrupt(int_en=True)])
    await tb.cycles(5)
    assert await tb.read(cause) == DONE and not tb.irq(ch), "masked DONE must not drive irq"
    await tb.write(enable, regs.CH_INT_ENABLE_DONE_MASK)
    await tb.cycles(3)
    assert tb.irq(ch) and await tb.read(regs.REG_IRQ_SUMMARY) == 1 << ch.index
    await tb.write(cause, 0)
    await tb.cycles(3)
    assert await tb.read(cause) == DONE and tb.irq(ch), "writing 0 cleared INT_CAUSE"
    await tb.write(cause, regs.CH_INT_CAUSE_ERROR_MASK)  # the other bit: DONE stays
    assert await tb.read(cause) == DONE
    await tb.write(cause, DONE)
    await tb.cycles(3)
    assert await tb.read(cause) == 0 and not tb.irq(ch)
    assert await tb.read(regs.REG_IRQ_SUMMARY) == 0
    # A descriptor without INT_EN raises nothing.
    await tb.run(ch, [stimulus.fill(tb, 30)])
    await tb.cycles(50)
    assert await tb.read(cause) == 0 and not tb.irq(ch)
    # Enabled from the start: irq rises on completion.
    await tb.run(ch, [stimulus.memcpy(tb, 100, int_en=True)])
    await tb.wait_irq(ch, timeout=50)


@cocotb.test()
async def coalesce_by_count(dut):
    """COALESCE.COUNT = 4: three INT_EN completions (mixed with plain ones) raise nothing, the
    fourth raises DONE; after clearing, the count starts again."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, int_enable=DONE, coalesce=(4, 0), log2_slots=5)
    cause = ch.reg(regs.CH_INT_CAUSE)
    for _ in range(3):
        await tb.run(ch, [Interrupt(int_en=True), stimulus.fill(tb, 20)])
    await tb.cycles(scale(300, icarus=100))
    assert await tb.read(cause) == 0 and not tb.irq(ch), "DONE before COUNT completions"
    await tb.run(ch, [Interrupt(int_en=True)])
    await tb.wait_irq(ch, timeout=50)
    await tb.write(cause, DONE)
    # 9 more in one batch: DONE raised (at 4 and 8), one left pending after clearing.
    await tb.run(ch, [Interrupt(int_en=True) for _ in range(9)])
    assert await tb.read(cause) == DONE
    await tb.write(cause, DONE)
    await tb.cycles(scale(300, icarus=100))
    assert await tb.read(cause) == 0, "DONE re-raised with only 1 of 4 pending"
    await tb.run(ch, [Interrupt(int_en=True) for _ in range(3)])
    await tb.wait_irq(ch, timeout=50)


@cocotb.test()
async def coalesce_count_zero_and_one(dut):
    """COUNT 0 and 1 both mean: every INT_EN completion raises DONE."""
    tb = await DmaTb.create(dut)
    for count in (0, 1):
        ch = await tb.setup_channel(0, int_enable=DONE, coalesce=(count, 0))
        for _ in range(3):
            await tb.run(ch, [stimulus.fill(tb, 16, int_en=True)])
            await tb.wait_irq(ch, timeout=50)
            await tb.write(ch.reg(regs.CH_INT_CAUSE), DONE)
            assert not tb.irq(ch)
        await tb.reset_channel(ch)


@cocotb.test()
async def coalesce_by_timeout(dut):
    """COUNT = 255, TIMEOUT = T: one INT_EN completion raises DONE exactly T cycles after HEAD
    moved past it (2 + T cycles after its status word's write response, docs/descriptor.md
    "Timing"), not before; TIMEOUT = 0 never raises it."""
    tb = await DmaTb.create(dut)
    timeout = scale(400, icarus=150)
    ch = await tb.setup_channel(0, int_enable=DONE, coalesce=(255, timeout))
    responses = axi_channel(dut, "m_axi_b", "id")
    irq = Levels(dut.irq)
    start = tb.now()
    tb.post(ch, [stimulus.fill(tb, 40, int_en=True)])
    tb.predict([ch])
    await tb.doorbell(ch)
    status = await responses.next(2000, "status word response",
                                  lambda h: h["id"] == 2 * ch.index, after=start)
    await tb.wait_irq(ch, timeout=2 * timeout)
    rise = irq.rises(ch.index, after=start)
    tb.log.info("DONE %d cycles after the status word's write response (TIMEOUT %d)",
                rise[0] - status.cycle, timeout)
    assert rise == [status.cycle + RESPONSE_TO_HEAD + timeout], \
        f"DONE at b{rise[0] - status.cycle:+d}, expected b+{RESPONSE_TO_HEAD + timeout}"
    await tb.check(ch)
    await tb.write(ch.reg(regs.CH_INT_CAUSE), DONE)
    # No timeout, count never reached: nothing.
    await tb.write(ch.reg(regs.CH_COALESCE), coalesce(255, 0))
    await tb.run(ch, [Interrupt(int_en=True) for _ in range(5)])
    await tb.cycles(3 * timeout)
    assert await tb.read(ch.reg(regs.CH_INT_CAUSE)) == 0 and not tb.irq(ch)


@cocotb.test(skip=not SOAK)
async def head_counter_wraps(dut):
    """(soak) 70000 slots through a 256-slot ring: HEAD and TAIL wrap modulo 2^16 and the
    channel keeps going."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=8)
    total = 70000
    await tb.stream(ch, [Interrupt()] * total, timeout=60 * total)
    assert ch.head == total % 0x10000


@cocotb.test()
async def irq_lines_per_channel(dut):
    """An INT_EN completion on channel k raises irq[k] only, and IRQ_SUMMARY shows bit k only."""
    tb = await DmaTb.create(dut)
    for k in tb.pick(range(tb.hw.channels), icarus=2, keep=(0, tb.hw.channels - 1)):
        ch = await tb.setup_channel(k, int_enable=DONE)
        await tb.run(ch, [Interrupt(int_en=True)])
        await tb.wait_irq(ch, timeout=50)
        assert int(dut.irq.value) == 1 << k, f"irq 0b{int(dut.irq.value):b} for channel {k}"
        assert await tb.read(regs.REG_IRQ_SUMMARY) == 1 << k
        await tb.write(ch.reg(regs.CH_INT_CAUSE), DONE)
        await tb.cycles(2)
        assert int(dut.irq.value) == 0
