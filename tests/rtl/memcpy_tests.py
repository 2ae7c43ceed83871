"""MEMCPY descriptors: every source/destination alignment, length sweeps, 4 KiB page crossings,
large copies, random streams that wrap the ring while software appends, FENCE ordering, and
pausing a channel with CTRL.ENABLE. Every test compares the whole RAM with the reference model,
so any byte written outside a destination fails it.
"""

from __future__ import annotations

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import Memcpy
from tb import stimulus
from tb.dma_tb import CLK_NS, SOAK, DmaTb, scale


def ring_log2(slots: int) -> int:
    return max(4, (slots - 1).bit_length())


@cocotb.test()
async def memcpy_smoke(dut):
    """One aligned 64-byte copy: data, status word, HEAD, nothing else touched."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0)
    src = tb.alloc(64, align=64, offset=0)
    dst = tb.alloc(64, align=64, offset=0)
    start = tb.now()
    await tb.run(ch, [Memcpy(dst=dst, src=src, length=64)])
    assert tb.ram.read(dst, 64) == tb.ram.read(src, 64)
    reads = [b for b in tb.ram.bursts if not b.write]
    tb.log.info("from the start of the TAIL write on AXI-Lite: descriptor fetch after %d cycles, "
                "first data read after %d", int(reads[0].time_ns) // CLK_NS - start,
                int(reads[1].time_ns) // CLK_NS - start)


@cocotb.test()
async def memcpy_alignment_sweep(dut):
    """Every (source offset, destination offset) pair within a bus word (a random sample of 24
    on Icarus), lengths cycling through 1, word-1, word, word+1 and a few words plus a byte:
    all in one ring."""
    tb = await DmaTb.create(dut)
    db = tb.hw.data_bytes
    lengths = (1, db - 1, db, db + 1, 3 * db + 5, 2, 5 * db - 3)
    pairs = tb.pick([(so, do) for so in range(db) for do in range(db)], icarus=24)
    descs = []
    for so, do in pairs:
        n = lengths[(so * db + do) % len(lengths)]
        src = tb.alloc(n, align=db, offset=so)
        dst = tb.alloc(n, align=db, offset=do)
        descs.append(Memcpy(dst=dst, src=src, length=n))
    ch = await tb.setup_channel(0, log2_slots=ring_log2(len(descs)))
    await tb.run(ch, descs)


@cocotb.test()
async def memcpy_length_sweep(dut):
    """Every length from 1 to 4 words + 1, and lengths around burst and page sizes, at random
    offsets (a random sample of 20 of them on Icarus)."""
    tb = await DmaTb.create(dut)
    db = tb.hw.data_bytes
    lengths = list(range(1, 4 * db + 2))
    for edge in (16 * db, 32 * db, 256, 4096):
        lengths += [edge - 1, edge, edge + 1]
    lengths = tb.pick(lengths, icarus=20)
    descs = [stimulus.memcpy(tb, n) for n in lengths]
    ch = await tb.setup_channel(0, log2_slots=ring_log2(len(descs)))
    await tb.run(ch, descs)


@cocotb.test()
async def memcpy_page_crossing(dut):
    """Sources and destinations that straddle 4 KiB boundaries at many offsets (the RAM model
    refuses any burst that crosses one)."""
    tb = await DmaTb.create(dut)
    db = tb.hw.data_bytes
    descs = []
    for before in (1, db - 1, db, db + 3, 16 * db - 1, 16 * db + 2):
        for n in (before + 1, before + 16 * db + 7):
            tb.skip_to_page(4096 - before)
            src = tb.alloc(n, guard=0)
            tb.skip_to_page(4096 - before - tb.rng.randrange(db))
            dst = tb.alloc(n, guard=0)
            descs.append(Memcpy(dst=dst, src=src, length=n))
    # A ring that itself crosses a page: its slot fetches must be split too.
    tb.skip_to_page(4096 - 3 * 32)
    ring = tb.alloc(32 << ring_log2(len(descs)), align=32, offset=0, guard=0)
    ch = await tb.setup_channel(0, log2_slots=ring_log2(len(descs)), ring_base=ring)
    await tb.run(ch, descs)


@cocotb.test()
async def memcpy_large(dut):
    """A 4 KiB page-aligned copy and a 16 KiB + 5 unaligned one; logs their cycle counts."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0)
    for n, align_off in ((4096, 0), (scale(16 * 1024, icarus=4096) + 5, 3)):
        src = tb.alloc(n, align=4096, offset=align_off)
        dst = tb.alloc(n, align=4096, offset=(align_off * 5) % 4096)
        start = tb.now()
        await tb.run(ch, [Memcpy(dst=dst, src=src, length=n)])
        cycles = tb.last_bus_cycle() - start  # doorbell write to the status writeback
        tb.log.info("memcpy of %d bytes (offset %d): %d cycles from doorbell to status write "
                    "(%.2f bytes/cycle, bus %d bytes)", n, align_off, cycles, n / cycles,
                    tb.hw.data_bytes)


@cocotb.test()
async def memcpy_random_stream(dut):
    """Random lengths and offsets, more descriptors than the 16-slot ring holds: software appends
    batches into freed slots while the channel runs, HEAD wraps the ring. DMASIM_SOAK=1 runs a
    much longer stream."""
    tb = await DmaTb.create(dut, mem_size=1 << 24 if SOAK else 1 << 20)
    ch = await tb.setup_channel(0, log2_slots=4)
    n = scale(40, icarus=12, soak=1500)
    max_len = scale(1500, soak=3000)
    descs = [stimulus.memcpy(tb, stimulus.rand_length(tb.rng, tb.hw.data_bytes, max_len))
             for _ in range(n)]
    await tb.stream(ch, descs)


@cocotb.test()
async def memcpy_append_while_busy(dut):
    """Doorbells written while the channel is busy with a long copy are not lost: append one
    descriptor at a time, each with its own TAIL write, and all of them run."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=5)
    descs = [stimulus.memcpy(tb, 2048)] + [stimulus.memcpy(tb, tb.rng.randint(1, 200))
                                           for _ in range(scale(12, icarus=6))]
    tb.post(ch, descs)
    out = tb.predict([ch])[ch.index]
    for tail in range(1, len(descs) + 1):
        await tb.doorbell(ch, tail)
        await tb.cycles(tb.rng.randint(1, 30))
    status = await tb.read(ch.reg(regs.CH_STATUS))
    tb.log.info("STATUS after the last doorbell: 0x%x", status)
    await tb.wait_settled(ch, out.head, timeout=tb.estimate_cycles(descs))
    await tb.check(ch)


@cocotb.test()
async def memcpy_fence_chain(dut):
    """A -> B, then B -> C with FENCE, then C -> D with FENCE: each copy reads what the one
    before wrote, so D must equal the original A."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0)
    n = 24 * tb.hw.data_bytes + 3
    a, b, c, d = (tb.alloc_unaligned(n) for _ in range(4))
    original = tb.ram.read(a, n)
    await tb.run(ch, [Memcpy(dst=b, src=a, length=n),
                      Memcpy(dst=c, src=b, length=n, fence=True),
                      Memcpy(dst=d, src=c, length=n, fence=True)])
    assert tb.ram.read(d, n) == original


@cocotb.test()
async def memcpy_enable_pauses_channel(dut):
    """CTRL.ENABLE = 0 stops the channel at a descriptor boundary (HEAD stops, BUSY drops, no
    halt); setting it again resumes and everything completes."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=5)
    descs = [stimulus.memcpy(tb, 512) for _ in range(scale(12, icarus=8))]
    tb.post(ch, descs)
    out = tb.predict([ch])[ch.index]
    await tb.doorbell(ch)
    db = tb.hw.data_bytes
    await tb.cycles(len(descs) * 512 // db // 4)  # a quarter of the fastest possible run
    await tb.write(ch.reg(regs.CH_CTRL), 0)
    await tb.cycles(4 * 512 // db + 200)  # enough to finish the descriptor in flight
    state = await tb.channel_regs(ch)
    assert not state.busy and not state.halted, f"paused channel: {state}"
    assert state.head < len(descs), "channel finished everything before the pause took effect"
    await tb.cycles(300)
    assert (await tb.channel_regs(ch)).head == state.head, "HEAD moved while disabled"
    await tb.write(ch.reg(regs.CH_CTRL), ch.ctrl)
    await tb.wait_settled(ch, out.head, timeout=tb.estimate_cycles(descs))
    await tb.check(ch)


@cocotb.test(skip=not SOAK)
async def memcpy_max_length(dut):
    """(soak) One descriptor of the maximum length, 16 MiB - 1."""
    tb = await DmaTb.create(dut, mem_size=1 << 25)
    ch = await tb.setup_channel(0)
    n = (1 << 24) - 1
    await tb.run(ch, [stimulus.memcpy(tb, n)])
