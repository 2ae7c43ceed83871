"""XOR_VAL, FILL and INTERRUPT descriptors, and a random mix of every operation.

XOR_VAL: zero and non-zero sums (the differing bit anywhere, first and last byte included) for
2..MAX_XOR_SRCS sources; the result bit in the status word; no data written anywhere.
FILL: every length/offset up to a few words, large fills, the values 0x00 and 0xFF.
INTERRUPT: moves nothing, completes in order, counts towards DONE when INT_EN is set.
"""

from __future__ import annotations

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import Fill, Interrupt, XorVal
from tb import stimulus
from tb.dma_tb import DmaTb, scale


def log2_for(descs) -> int:
    slots = sum(d.slots for d in descs)
    return max(4, (slots - 1).bit_length())


@cocotb.test()
async def xor_val_results(dut):
    """Zero and non-zero sums for every source count; the status word's bit 0 says which, and
    no byte outside the ring changes."""
    tb = await DmaTb.create(dut)
    db = tb.hw.data_bytes
    descs, zero = [], []
    counts = tb.pick(range(2, tb.hw.max_xor_srcs + 1), icarus=1, keep=(2, tb.hw.max_xor_srcs))
    for nsrc in counts:
        for want_zero in (True, False):
            n = tb.rng.randint(1, 20 * db)
            descs.append(stimulus.xor_val(tb, nsrc, n, zero=want_zero))
            zero.append(want_zero)
    ch = await tb.setup_channel(0, log2_slots=log2_for(descs))
    counts = tb.post(ch, descs)
    tb.predict([ch])
    await tb.doorbell(ch)
    await tb.wait_settled(ch, timeout=tb.estimate_cycles(descs))
    await tb.check(ch)
    for count, want_zero in zip(counts, zero, strict=True):
        status = tb.status_word(ch, count)
        assert status.done and not status.error and status.xor_nonzero != want_zero, \
            f"XOR_VAL at slot {count}: {status}"


@cocotb.test()
async def xor_val_difference_at_edges(dut):
    """A single flipped bit in the first byte, the last byte, and the last byte of a bus word is
    found, with unaligned sources."""
    tb = await DmaTb.create(dut)
    db = tb.hw.data_bytes
    descs = []
    n = 5 * db + 3
    for pos in (0, n - 1, db - 1, db):
        srcs = [tb.alloc_unaligned(n) for _ in range(3)]
        other = bytearray(tb.ram.read(srcs[0], n))
        other[pos] ^= 0x80  # a ^ a' ^ 0 has exactly this bit set
        tb.ram.write(srcs[1], bytes(other))
        tb.ram.write(srcs[2], bytes(n))
        descs.append(XorVal(srcs=tuple(srcs), length=n))
    ch = await tb.setup_channel(0)
    counts = tb.post(ch, descs)
    tb.predict([ch])
    await tb.doorbell(ch)
    await tb.wait_settled(ch, timeout=tb.estimate_cycles(descs))
    await tb.check(ch)
    for count in counts:
        assert tb.status_word(ch, count).xor_nonzero


@cocotb.test()
async def fill_sweep(dut):
    """FILL at every offset within a bus word for lengths 1 to 3 words + 1, values 0x00, 0xFF
    and random."""
    tb = await DmaTb.create(dut)
    db = tb.hw.data_bytes
    descs = []
    for n in range(1, 3 * db + 2):
        value = (0x00, 0xFF, tb.rng.randrange(256))[n % 3]
        descs.append(Fill(dst=tb.alloc(n, align=db, offset=n % db), value=value, length=n))
    ch = await tb.setup_channel(0, log2_slots=log2_for(descs))
    await tb.run(ch, descs)


@cocotb.test()
async def fill_large(dut):
    """Fills across pages: 8 KiB + 3 unaligned, and one ending exactly on a page boundary."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0)
    tb.skip_to_page(4096 - 700)
    end_on_page = tb.alloc(700, guard=0)
    await tb.run(ch, [stimulus.fill(tb, 8 * 1024 + 3), Fill(dst=end_on_page, value=0xA5,
                                                             length=700)])
    assert tb.ram.read(end_on_page, 700) == b"\xa5" * 700


@cocotb.test()
async def interrupt_descriptors(dut):
    """INTERRUPT descriptors move nothing, complete in ring order among data descriptors, and
    only the INT_EN ones raise DONE."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, int_enable=regs.CH_INT_ENABLE_DONE_MASK)
    await tb.run(ch, [Interrupt()] * 6)
    assert not tb.irq(ch), "INTERRUPT without INT_EN raised DONE"
    assert await tb.read(ch.reg(regs.CH_INT_CAUSE)) == 0
    await tb.run(ch, [stimulus.fill(tb, 100), Interrupt(int_en=True), stimulus.fill(tb, 10)])
    assert tb.irq(ch) and await tb.read(ch.reg(regs.CH_INT_CAUSE)) == \
        regs.CH_INT_CAUSE_DONE_MASK


@cocotb.test()
async def mixed_operations_stream(dut):
    """A random mix of MEMCPY, XOR, XOR_VAL, FILL and INTERRUPT streamed through the ring."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=4)
    descs = stimulus.random_mix(tb, scale(30, icarus=12, soak=800), scale(500, soak=2000))
    await tb.stream(ch, descs)
