"""Directed stimulus for functional coverage bins the other benches reach only by chance or not
at all (docs/coverage.md): each runs in full on both simulators, so every bin it aims at is hit
once per simulator and parameter set. Every test is checked like any other (whole memory and
registers against the reference model).

- every operation x length class x source/destination alignment on every channel at once,
  cycling INT_EN x FENCE (completion record on even channels);
- XOR and XOR_VAL with every source count 2..MAX_XOR_SRCS;
- every operation ending exactly at the ring's end, XOR/XOR_VAL extension slots across it;
- bus errors on XOR_VAL sources and XOR destinations, a ring window ending before an
  extension slot.
"""

from __future__ import annotations

import dataclasses
import itertools

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import SLOT_BYTES, Descriptor, ErrCode, Fill, Interrupt, Resp
from tb import stimulus
from tb.coverage import space
from tb.dma_tb import DmaTb
from tb.fault_drills import expect_fault, good, mid_fault

BUS_RESPS = (Resp.SLVERR, Resp.DECERR)


def length_in(tb: DmaTb, cls: str) -> int:
    """A random length of length class `cls` (tb.coverage.space)."""
    db = tb.hw.data_bytes
    lo, hi = {"lt_word": (1, db - 1), "words": (db, 4 * db),
              "burst": (4 * db + 1, space.MAX_BURST_BEATS * db),
              "bursts": (space.MAX_BURST_BEATS * db + 1, (space.MAX_BURST_BEATS + 4) * db)}[cls]
    assert space.length_class(lo, db) == cls == space.length_class(hi, db)
    return tb.rng.randint(lo, hi)


def buffer(tb: DmaTb, n: int, align: str) -> int:
    db = tb.hw.data_bytes
    return tb.alloc(n, align=db, offset=0 if align == "aligned" else tb.rng.randrange(1, db))


def descriptor_space(tb: DmaTb, nsrcs: itertools.cycle, flags: itertools.cycle
                     ) -> list[Descriptor]:
    """One descriptor per operation x length class x alignment (tb.coverage.descriptors)."""
    out: list[Descriptor] = []
    for op, cls in itertools.product(("memcpy", "xor", "xor_val", "fill"), space.LENGTHS):
        n = length_in(tb, cls)
        srcs_aligns = space.ALIGNS if op in space.HAS_SOURCES else (space.NONE,)
        dst_aligns = space.ALIGNS if op in space.HAS_DESTINATION else (space.NONE,)
        for sa, da in itertools.product(srcs_aligns, dst_aligns):
            int_en, fence = next(flags)
            dst = buffer(tb, n, da) if da != space.NONE else None
            if op == "memcpy":
                d: Descriptor = stimulus.memcpy(tb, n, src=buffer(tb, n, sa), dst=dst,
                                                int_en=int_en, fence=fence)
            elif op == "fill":
                d = Fill(dst=dst, value=tb.rng.randrange(256), length=n, int_en=int_en,
                         fence=fence)
            else:
                k = next(nsrcs)
                # "unaligned": the first source is, the others anywhere
                srcs = [buffer(tb, n, sa)] + [buffer(tb, n, sa if sa == "aligned" else
                                                      tb.rng.choice(space.ALIGNS))
                                              for _ in range(k - 1)]
                if op == "xor":
                    d = stimulus.xor(tb, k, n, srcs=srcs, dst=dst, int_en=int_en, fence=fence)
                else:
                    d = dataclasses.replace(stimulus.xor_val(tb, k, n, zero=tb.rng.random() < 0.5,
                                                             srcs=srcs, int_en=int_en),
                                            fence=fence)
            out.append(d)
    int_en, fence = next(flags)
    out.append(Interrupt(int_en=int_en, fence=fence))
    return out


@cocotb.test()
async def descriptor_space_every_channel(dut):
    """Every operation x length class x source/destination alignment on every channel, all
    channels at once; INT_EN x FENCE cycle through all four combinations, completion records on
    even channels."""
    tb = await DmaTb.create(dut, mem_size=1 << 21)
    nsrcs = itertools.cycle(range(2, tb.hw.max_xor_srcs + 1))
    flags = itertools.cycle(itertools.product((False, True), repeat=2))
    batches = []
    for k in range(tb.hw.channels):
        descs = descriptor_space(tb, nsrcs, flags)
        slots = sum(d.slots for d in descs)
        ch = await tb.setup_channel(k, log2_slots=max(4, (slots - 1).bit_length()),
                                    cmpl_wb=k % 2 == 0, int_enable=regs.CH_INT_ENABLE_DONE_MASK)
        batches.append((ch, descs))
    await tb.run_together(batches)


@cocotb.test()
async def xor_every_source_count(dut):
    """XOR and XOR_VAL (zero and non-zero) with every source count 2..MAX_XOR_SRCS."""
    tb = await DmaTb.create(dut)
    db = tb.hw.data_bytes
    descs: list[Descriptor] = []
    for nsrc in range(2, tb.hw.max_xor_srcs + 1):
        descs.append(stimulus.xor(tb, nsrc, tb.rng.randint(1, 3 * db),
                                  in_place=tb.rng.randrange(nsrc) if nsrc % 2 else None))
        descs.append(stimulus.xor_val(tb, nsrc, tb.rng.randint(1, 3 * db), zero=nsrc % 2 == 0))
    slots = sum(d.slots for d in descs)
    ch = await tb.setup_channel(0, log2_slots=max(4, (slots - 1).bit_length()))
    await tb.run(ch, descs)


@cocotb.test()
async def ring_end_positions(dut):
    """Every operation in the ring's last slot (HEAD wraps to 0 after it), then XOR and XOR_VAL
    whose extension slots continue at slot 0, in an 8-slot ring."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=3)
    nx = tb.hw.max_xor_srcs
    n = 2 * tb.hw.data_bytes + 3
    ending = [stimulus.memcpy(tb, n), stimulus.xor(tb, 2, n),
              stimulus.xor_val(tb, 2, n, zero=True), stimulus.fill(tb, n), Interrupt()]
    across = [stimulus.xor(tb, nx, n), stimulus.xor_val(tb, nx, n, zero=False)] if nx > 2 else []
    for d in ending + across:
        fillers = (ch.setup.nslots - 1 - ch.tail) % ch.setup.nslots
        if fillers:
            await tb.run(ch, [Interrupt()] * fillers)
        await tb.run(ch, [d])


@cocotb.test()
@cocotb.parametrize(resp=BUS_RESPS)
async def xor_bus_errors(dut, resp: Resp):
    """SLVERR or DECERR reading an XOR_VAL source, and writing an XOR destination."""
    tb = await DmaTb.create(dut, name=f"xor_bus_errors_{resp.name}")
    ch = await tb.setup_channel(0, log2_slots=5, int_enable=regs.CH_INT_ENABLE_ERROR_MASK)
    n = 1024
    nx = min(3, tb.hw.max_xor_srcs)
    v = stimulus.xor_val(tb, nx, n, zero=True)
    await expect_fault(tb, ch, good(tb) + [v], ErrCode.DATA_READ,
                       faults=(mid_fault(tb, v.srcs[1], n, resp, read=True),))
    x = stimulus.xor(tb, nx, n)
    await expect_fault(tb, ch, good(tb) + [x], ErrCode.DATA_WRITE,
                       faults=(mid_fault(tb, x.dst, n, resp, read=False),))


@cocotb.test()
async def window_ends_before_extension_slot(dut):
    """The window ends after an XOR's first slot: its extension slot is outside (WINDOW, the
    extension slot's address); the descriptors before it complete."""
    tb = await DmaTb.create(dut)
    if tb.hw.max_xor_srcs < 3:
        tb.log.info("MAX_XOR_SRCS 2: no extension slots")
        return
    ring = tb.alloc(16 * SLOT_BYTES, align=4096, offset=0)
    ch = await tb.setup_channel(0, ring_base=ring, window=(ring, ring + 3 * SLOT_BYTES - 1),
                                int_enable=regs.CH_INT_ENABLE_ERROR_MASK)
    # Slots 0, 1: interrupts; slot 2: the XOR; slot 3, outside: its extension slot.
    await expect_fault(tb, ch, [Interrupt(), Interrupt(), stimulus.xor(tb, 3, 8)],
                       ErrCode.WINDOW, recover=False)
    assert (await tb.channel_regs(ch)).err_addr == ch.setup.slot_addr(3)
    await tb.reset_channel(ch)


@cocotb.test()
async def interrupt_behind_unanswered_writes(dut):
    """Write responses held back (B stalled 95 %) while a long FILL issues more bursts than the
    channel tracks at once: the INTERRUPT behind it waits for a free tracking entry, and still
    completes after the FILL, in order."""
    tb = await DmaTb.create(dut)
    tb.set_backpressure(b=0.95, max_run=32)
    ch = await tb.setup_channel(0)
    n = 12 * space.MAX_BURST_BEATS * tb.hw.data_bytes  # 12 maximal bursts
    await tb.run(ch, [stimulus.fill(tb, n), Interrupt(int_en=True), stimulus.fill(tb, 9),
                      Interrupt()])
