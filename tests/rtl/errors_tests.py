"""Faults: every error code of docs/descriptor.md.

Bad descriptors (opcode, length, source count, reserved bits and unused fields), address-window
violations (data, ring slot, completion record, address-space wrap), TAIL overflow, SLVERR and
DECERR on descriptor fetch (first and extension slot), data read, data write and status/record
writeback, ABORT and RESET while busy. For each: the channel halts with the right ERR_CODE,
ERR_DESC, ERR_ADDR (and AXI response), descriptors before the faulting one complete, the
faulting one's status word carries the code, INT_CAUSE.ERROR raises irq, no byte outside the
faulting descriptor's destination changes (whole-RAM comparison with the reference model), other
channels keep running, and after CTRL.RESET the channel works again.
"""

from __future__ import annotations

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import (
    SLOT_BYTES,
    CompletionRecord,
    ErrCode,
    Fill,
    Interrupt,
    Memcpy,
    Op,
    RawDescriptor,
    Resp,
    Xor,
    status_error,
    status_ok,
)
from tb import stimulus
from tb.dma_tb import DmaTb, scale
from tb.fault_drills import ERROR, abort_busy, expect_fault, good, mid_fault
from tb.refmodel import BusFault


def bad_descriptors(tb: DmaTb) -> list[tuple[str, RawDescriptor, int]]:
    """(name, descriptor, expected code) for every bad-descriptor rule, with valid addresses."""
    mx = tb.hw.max_xor_srcs
    n = 16

    def buf() -> int:
        return tb.alloc_unaligned(n)

    def srcs(k: int) -> tuple[int, ...]:
        return tuple(buf() for _ in range(k))

    cases: list[tuple[str, RawDescriptor, int]] = []
    for op in (0, 6, 15):
        cases.append((f"opcode {op}", RawDescriptor(op, n, buf(), srcs(1)), ErrCode.BAD_OPCODE))
    cases += [
        ("memcpy length 0", RawDescriptor(Op.MEMCPY, 0, buf(), srcs(1)), ErrCode.BAD_LENGTH),
        ("fill LEN bit 24", RawDescriptor(Op.FILL, 0x0100_0010, buf(), fill_val=1),
         ErrCode.BAD_LENGTH),
        ("xor LEN bit 31", RawDescriptor(Op.XOR, 0x8000_0010, buf(), srcs(2), 2),
         ErrCode.BAD_LENGTH),
        ("xor_val length 0", RawDescriptor(Op.XOR_VAL, 0, 0, srcs(2), 2), ErrCode.BAD_LENGTH),
        ("interrupt length 1", RawDescriptor(Op.INTERRUPT, 1), ErrCode.BAD_LENGTH),
        ("xor nsrc 0", RawDescriptor(Op.XOR, n, buf(), (), 0), ErrCode.BAD_NSRC),
        ("xor nsrc 1", RawDescriptor(Op.XOR, n, buf(), srcs(1), 1), ErrCode.BAD_NSRC),
        ("xor_val nsrc 1", RawDescriptor(Op.XOR_VAL, n, 0, srcs(1), 1), ErrCode.BAD_NSRC),
    ]
    if mx < 31:
        cases += [
            (f"xor nsrc {mx + 1}", RawDescriptor(Op.XOR, n, buf(), srcs(mx + 1), mx + 1),
             ErrCode.BAD_NSRC),
            (f"xor_val nsrc {mx + 1}", RawDescriptor(Op.XOR_VAL, n, 0, srcs(mx + 1), mx + 1),
             ErrCode.BAD_NSRC)]
    for bit in (6, 7, 13, 15, 24, 31):
        cases.append((f"CTRL bit {bit}", RawDescriptor(Op.MEMCPY, n, buf(), srcs(1),
                                                       ctrl_reserved=1 << bit), ErrCode.RESERVED))
    cases += [
        ("memcpy SRC1", RawDescriptor(Op.MEMCPY, n, buf(), srcs(2)), ErrCode.RESERVED),
        ("memcpy NSRC", RawDescriptor(Op.MEMCPY, n, buf(), srcs(1), nsrc=1), ErrCode.RESERVED),
        ("memcpy FILL_VAL", RawDescriptor(Op.MEMCPY, n, buf(), srcs(1), fill_val=7),
         ErrCode.RESERVED),
        ("fill SRC0", RawDescriptor(Op.FILL, n, buf(), srcs(1), fill_val=1), ErrCode.RESERVED),
        ("fill SRC1", RawDescriptor(Op.FILL, n, buf(), (0, buf())), ErrCode.RESERVED),
        ("fill NSRC", RawDescriptor(Op.FILL, n, buf(), nsrc=2), ErrCode.RESERVED),
        ("xor FILL_VAL", RawDescriptor(Op.XOR, n, buf(), srcs(2), 2, fill_val=1),
         ErrCode.RESERVED),
        ("xor_val DST", RawDescriptor(Op.XOR_VAL, n, buf(), srcs(2), 2), ErrCode.RESERVED),
        ("interrupt DST", RawDescriptor(Op.INTERRUPT, 0, buf()), ErrCode.RESERVED),
        ("interrupt SRC0", RawDescriptor(Op.INTERRUPT, 0, 0, srcs(1)), ErrCode.RESERVED),
        ("interrupt SRC1", RawDescriptor(Op.INTERRUPT, 0, 0, (0, buf())), ErrCode.RESERVED),
        ("interrupt NSRC", RawDescriptor(Op.INTERRUPT, nsrc=2), ErrCode.RESERVED),
        ("interrupt FILL_VAL", RawDescriptor(Op.INTERRUPT, fill_val=3), ErrCode.RESERVED),
    ]
    if mx >= 3:
        cases.append(("xor extension entry past NSRC",
                      RawDescriptor(Op.XOR, n, buf(), srcs(3) + (buf(),), 3), ErrCode.RESERVED))
    return cases


@cocotb.test()
async def bad_descriptors_halt(dut):
    """Each bad-descriptor rule (on Icarus a sample with every code), after two good descriptors
    in the same batch: they complete, the bad one gets its code in ERR_CODE and its status word,
    ERR_DESC is its slot count, ERR_ADDR its slot address; nothing after it runs; RESET
    recovers."""
    tb = await DmaTb.create(dut, mem_size=1 << 21)
    ch = await tb.setup_channel(0, int_enable=ERROR)
    cases = bad_descriptors(tb)
    firsts = [next(c for c in cases if c[2] == code) for code in dict.fromkeys(c[2] for c in cases)]
    cases = tb.pick(cases, icarus=10, keep=firsts)  # on Icarus: every code, a sample of rules
    for i, (name, bad, code) in enumerate(cases):
        tb.log.info("case: %s", name)
        await expect_fault(tb, ch, good(tb) + [bad, Interrupt()], code, prove=i % 4 == 0)


@cocotb.test()
async def address_above_addr_width(dut):
    """A destination with a bit above ADDR_WIDTH set is refused (RESERVED per the descriptor
    layout; WINDOW, 'wraps the address space', is accepted too) and touches nothing."""
    tb = await DmaTb.create(dut)
    if tb.hw.addr_width >= 64:
        tb.log.info("ADDR_WIDTH 64: no bits above it")
        return
    ch = await tb.setup_channel(0, int_enable=ERROR)
    src = tb.alloc_unaligned(8)
    dst = tb.alloc_unaligned(8) | (1 << tb.hw.addr_width)
    tb.post(ch, [Memcpy(dst=dst, src=src, length=8)])
    out = tb.predict([ch])[ch.index]
    await tb.doorbell(ch)
    state = await tb.wait_settled(ch, timeout=2000)
    tb.log.info("ADDR_WIDTH overflow: %s", state)
    assert state.halted and state.err_code in (ErrCode.RESERVED, ErrCode.WINDOW), str(state)
    assert state.head == 0 and state.err_desc == 0
    slot0 = ch.setup.slot_addr(0)
    out.alternatives.append((slot0, tuple(status_error(c).to_bytes(4, "little")
                                          for c in (ErrCode.RESERVED, ErrCode.WINDOW))))
    tb.check_memory([out])
    tb.check_bus()


@cocotb.test()
async def window_violations(dut):
    """Sources below WIN_BASE, destinations past WIN_LIMIT, one XOR source outside: WINDOW with
    ERR_ADDR the refused address, checked before any access; a buffer ending exactly at
    WIN_LIMIT is fine. Every bus access stays inside the window."""
    tb = await DmaTb.create(dut)
    lo = tb.alloc(64 * 1024, align=4096, offset=0)
    hi = lo + 64 * 1024 - 1
    outside_lo = tb.alloc_unaligned(64)
    assert outside_lo > hi
    tb.move_cursor(lo)  # allocate the rest inside [lo, hi]
    ch = await tb.setup_channel(0, window=(lo, hi), int_enable=ERROR)
    before = len(tb.ram.bursts)
    db = tb.hw.data_bytes
    nx = min(3, tb.hw.max_xor_srcs)
    cases = [
        [Memcpy(dst=tb.alloc_unaligned(16), src=lo - 16, length=16)],
        [Memcpy(dst=tb.alloc_unaligned(16), src=lo - 4, length=16)],  # straddles WIN_BASE
        [Fill(dst=hi - 6, value=1, length=8)],  # straddles WIN_LIMIT
        [Fill(dst=outside_lo, value=1, length=4)],
        [Xor(dst=tb.alloc_unaligned(8), srcs=tuple(tb.alloc_unaligned(8)
                                                  for _ in range(nx - 1)) + (hi + 1,),
             length=8)],
    ]
    for descs in cases:
        await expect_fault(tb, ch, good(tb) + descs, ErrCode.WINDOW)
    edge = hi - 3 * db + 1
    await tb.run(ch, [Fill(dst=edge, value=0x5A, length=3 * db)])  # ends exactly at the limit
    tb.check_accesses_within([(lo, hi)], since=before)


@cocotb.test()
async def window_wraps_address_space(dut):
    """A buffer running past the top of the address space is a WINDOW error even with the
    window wide open."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, int_enable=ERROR)
    top = (1 << tb.hw.addr_width) - 8
    await expect_fault(tb, ch, good(tb) + [Fill(dst=top, value=0, length=16)], ErrCode.WINDOW)


@cocotb.test()
async def window_on_ring_and_record(dut):
    """A ring slot outside the window (ERR_ADDR the slot's address, the slot is not written),
    and a completion record address outside it."""
    tb = await DmaTb.create(dut)
    ring = tb.alloc(16 * SLOT_BYTES, align=4096, offset=0)
    lo, hi = ring, ring + 64 * 1024
    # The window ends inside the ring: slots 0..2 are in, slot 3 is out.
    ch = await tb.setup_channel(0, ring_base=ring, window=(lo, ring + 3 * SLOT_BYTES - 1),
                                int_enable=ERROR)
    await tb.run(ch, [Interrupt()] * 3)  # its own doorbell: no prefetch question
    await expect_fault(tb, ch, [Interrupt()], ErrCode.WINDOW, recover=False)
    assert (await tb.channel_regs(ch)).err_addr == ch.setup.slot_addr(3)
    await tb.reset_channel(ch)
    # Completion record outside the window.
    rec = tb.alloc(8, align=8, offset=0)
    ch = await tb.setup_channel(0, ring_base=ring, window=(lo, rec - 1), cmpl_wb=True,
                                cmpl_addr=rec, int_enable=ERROR)
    await expect_fault(tb, ch, [Interrupt()], ErrCode.WINDOW, recover=False)
    await tb.reset_channel(ch)
    ch = await tb.setup_channel(0, ring_base=ring, window=(lo, hi), cmpl_wb=True,
                                cmpl_addr=rec, int_enable=ERROR)
    await tb.run(ch, [Interrupt()])
    assert CompletionRecord.decode(tb.ram.read(rec, 8)).head == 1


@cocotb.test()
async def tail_overflow(dut):
    """TAIL - HEAD larger than the ring halts with TAIL_OVERFLOW and executes nothing; exactly
    the ring size is accepted."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=3, int_enable=ERROR)
    snap = tb.snapshot()
    ch.tail = ch.setup.nslots + 1  # slots hold random bytes: nothing may run
    tb.predict([ch], snapshot=snap)
    await tb.doorbell(ch)
    await tb.wait_settled(ch, timeout=500)
    await tb.check(ch)
    assert (await tb.channel_regs(ch)).err_code == ErrCode.TAIL_OVERFLOW and tb.irq(ch)
    await tb.reset_channel(ch)
    await tb.run(ch, [stimulus.fill(tb, 5) for _ in range(ch.setup.nslots)])


# (at most 10 characters each, so cocotb names the tests after them)
BUS_ERROR_SITES = ("desc0", "desc_ext", "desc_pref", "cpy_src", "xor_src", "cpy_dst",
                   "fill_dst", "status", "record")


@cocotb.test()
@cocotb.parametrize(site=BUS_ERROR_SITES, resp=(Resp.SLVERR, Resp.DECERR))
async def bus_error(dut, site: str, resp: Resp):
    """SLVERR or DECERR at one site: the first slot of a descriptor (on its own doorbell, or
    prefetched after good ones), an extension slot, a MEMCPY source, an XOR source, a MEMCPY
    destination, a FILL destination, a status word, the completion record. ERR_CODE carries the
    code and the AXI response, ERR_ADDR the failing access; the faulting descriptor follows good
    ones, which complete."""
    tb = await DmaTb.create(dut, name=f"bus_error_{site}_{resp.name}")
    ch = await tb.setup_channel(0, log2_slots=5, int_enable=ERROR, cmpl_wb=True)
    nx = min(3, tb.hw.max_xor_srcs)
    n = 1024
    await tb.run(ch, good(tb))
    if site == "desc0":
        fault = BusFault(ch.setup.slot_addr(ch.tail), SLOT_BYTES, resp, write=False)
        await expect_fault(tb, ch, [stimulus.fill(tb, 8)], ErrCode.DESC_READ, faults=(fault,))
    elif site == "desc_ext":
        fault = BusFault(ch.setup.slot_addr(ch.tail + 1), SLOT_BYTES, resp, write=False)
        await expect_fault(tb, ch, [stimulus.xor(tb, nx, 8)], ErrCode.DESC_READ,
                           faults=(fault,))
    elif site == "desc_pref":  # in the same batch as good ones (prefetched with them)
        fault = BusFault(ch.setup.slot_addr(ch.tail + 2), SLOT_BYTES, resp, write=False)
        await expect_fault(tb, ch, good(tb) + [stimulus.fill(tb, 8)], ErrCode.DESC_READ,
                           faults=(fault,))
    elif site == "cpy_src":
        d = stimulus.memcpy(tb, n)
        await expect_fault(tb, ch, good(tb) + [d], ErrCode.DATA_READ,
                           faults=(mid_fault(tb, d.src, n, resp, read=True),))
    elif site == "xor_src":
        x = stimulus.xor(tb, nx, n)
        await expect_fault(tb, ch, good(tb) + [x], ErrCode.DATA_READ,
                           faults=(mid_fault(tb, x.srcs[-1], n, resp, read=True),))
    elif site == "cpy_dst":
        d = stimulus.memcpy(tb, n)
        await expect_fault(tb, ch, good(tb) + [d], ErrCode.DATA_WRITE,
                           faults=(mid_fault(tb, d.dst, n, resp, read=False),))
    elif site == "fill_dst":
        f = stimulus.fill(tb, n)
        await expect_fault(tb, ch, good(tb) + [f], ErrCode.DATA_WRITE,
                           faults=(mid_fault(tb, f.dst, n, resp, read=False),))
    elif site == "status":  # the third descriptor's
        fault = BusFault(ch.setup.slot_addr(ch.tail + 2), 4, resp, read=False)
        await expect_fault(tb, ch, good(tb, 3), ErrCode.STATUS_WRITE, faults=(fault,))
    else:
        fault = BusFault(ch.setup.cmpl_addr, 8, resp, read=False)
        await expect_fault(tb, ch, good(tb, 1), ErrCode.STATUS_WRITE, faults=(fault,))


@cocotb.test()
@cocotb.parametrize(site=("cpy_dst", "status"))
async def later_descriptors_untouched(dut, site: str):
    """A write fault whose response comes back late (B stalled 90 %) on a copy followed by small
    FILLs. A data-write fault halts the channel before any later FILL writes (no byte outside
    the faulting descriptor's destination changes: docs/kernel-model.md, Bad input). A
    status-word fault halts it with the FILLs never completed; they may already have written
    their own destinations (docs/descriptor.md), and every other byte is still checked
    unchanged."""
    tb = await DmaTb.create(dut, name=f"later_descriptors_untouched_{site}")
    tb.set_backpressure(b=0.9, max_run=16)
    ch = await tb.setup_channel(0, int_enable=ERROR)
    n = 512
    d = stimulus.memcpy(tb, n)
    if site == "cpy_dst":
        fault = mid_fault(tb, d.dst, n, Resp.SLVERR, read=False, last=True)
        code = ErrCode.DATA_WRITE
    else:
        fault = BusFault(ch.setup.slot_addr(ch.tail), 4, Resp.SLVERR, read=False)
        code = ErrCode.STATUS_WRITE
    await expect_fault(tb, ch, [d] + [stimulus.fill(tb, 8) for _ in range(6)], code,
                       faults=(fault,))


@cocotb.test()
async def abort_while_busy(dut):
    """CTRL.ABORT during a long copy: the channel drains and halts with ABORTED; ERR_DESC is the
    descriptor it was running (= HEAD); earlier ones are complete, later ones untouched; only
    the aborted descriptor's destination may be partly written. RESET recovers."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=4, int_enable=ERROR)
    await abort_busy(tb, ch)
    await tb.reset_channel(ch)
    await tb.run(ch, [stimulus.memcpy(tb, 200)])


@cocotb.test()
async def reset_while_busy(dut):
    """CTRL.RESET during a long copy aborts it, drains, and clears HEAD, TAIL, the error
    registers and INT_CAUSE; every descriptor whose status says DONE is complete, the first one
    that does not may be partly written, the rest are untouched. The channel works again."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=4, int_enable=ERROR)
    n = 64 * tb.hw.data_bytes
    descs = [stimulus.memcpy(tb, n) for _ in range(6)]
    counts = tb.post(ch, descs)
    snap = tb.snapshot()
    await tb.doorbell(ch)
    await tb.cycles(n // tb.hw.data_bytes * 3)
    await tb.reset_channel(ch)  # checks HEAD/TAIL/errors/INT_CAUSE cleared, config kept
    done = 0
    while done < len(counts) and tb.status_word(ch, counts[done]).raw == status_ok():
        done += 1
    tb.log.info("RESET landed after %d complete descriptors", done)
    assert done < len(counts), "reset did not land mid-stream"
    ch.head, ch.tail = 0, counts[-1] + 1
    out = tb.predict([ch], abort_at={ch.index: done}, snapshot=snap)[ch.index]
    tb.check_memory([out])
    tb.check_bus()
    ch.head = ch.tail = 0
    await tb.run(ch, [stimulus.memcpy(tb, 300)])


@cocotb.test()
async def error_interrupt_w1c(dut):
    """INT_CAUSE.ERROR drives irq only when INT_ENABLE.ERROR is set; clearing it (write 1)
    drops irq while the channel stays halted; RESET clears HALTED."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, int_enable=0)
    await tb.run(ch, [RawDescriptor(0)])
    cause = ch.reg(regs.CH_INT_CAUSE)
    assert await tb.read(cause) == ERROR and not tb.irq(ch)
    await tb.write(ch.reg(regs.CH_INT_ENABLE), ERROR)
    await tb.cycles(2)
    assert tb.irq(ch) and await tb.read(regs.REG_IRQ_SUMMARY) == 1 << ch.index
    await tb.write(cause, ERROR)
    await tb.cycles(2)
    state = await tb.channel_regs(ch)
    assert state.int_cause == 0 and not tb.irq(ch) and state.halted, str(state)
    await tb.reset_channel(ch)


@cocotb.test()
async def other_channels_keep_running(dut):
    """While channel A streams copies, channel B halts on a data-read error (and channel C, if
    there is one, on a bad descriptor): A completes every descriptor correctly."""
    tb = await DmaTb.create(dut, mem_size=1 << 21)
    if tb.hw.channels < 2:
        return
    a = await tb.setup_channel(0, log2_slots=6)
    b = await tb.setup_channel(1, int_enable=ERROR)
    chans = [a, b]
    a_descs = [stimulus.memcpy(tb, tb.rng.randint(200, 800)) for _ in range(scale(20, icarus=8))]
    tb.post(a, a_descs)
    bd = stimulus.memcpy(tb, 1024)
    tb.post(b, good(tb) + [bd])
    faults = (mid_fault(tb, bd.src, 1024, Resp.SLVERR, read=True),)
    if tb.hw.channels >= 3:
        c = await tb.setup_channel(2, int_enable=ERROR)
        tb.post(c, good(tb) + [RawDescriptor(9, 4)])
        chans.append(c)
    outs = tb.predict(chans, faults)
    tb.ram.faults[:] = faults
    for ch in chans:
        await tb.doorbell(ch)
    for ch in chans:
        await tb.wait_settled(ch, outs[ch.index].head_options,
                              timeout=tb.estimate_cycles(a_descs) * 2)
    await tb.check(chans)
    assert not outs[0].halted and outs[1].halted
    for ch in chans[1:]:
        assert tb.irq(ch)
        await tb.reset_channel(ch)
    tb.ram.faults.clear()
    await tb.run(b, [stimulus.memcpy(tb, 64)])
