"""A second, independent check of documented rules that other modules check one way only:

- round-robin arbitration (docs/descriptor.md "Timing", bus sharing): every AR and AW grant, with
  every channel busy under backpressure, goes exactly to the first requestor waiting after the
  one granted last (dma_top's request vectors against the bursts on the ports);
- FENCE: while write responses are held back, a fenced descriptor issues no read; without FENCE
  the same descriptor reads at once (so the check can fail); its reads start after the earlier
  descriptor's last write response;
- byte strobes: every contiguous strobe pattern on SCRATCH and on every writable channel
  register merges exactly the bytes written;
- RING_BASE bits 4:0 and CMPL_ADDR bits 2:0 are ignored: by what the channel accesses, not only
  by what the registers read back;
- descriptor checks bit by bit: every reserved CTRL bit, every LEN bit 31:24, every invalid OP
  and the first unused extension-slot entry alone in an otherwise good descriptor
  (errors_tests.py samples such cases on Icarus);
- the address window, byte-exact at both ends for sources, destinations, ring slots and the
  completion record;
- HEAD and TAIL wrapping modulo 2^16: the channel's slot counters are set near the wrap through
  the simulator (a channel otherwise needs 65536 completions to get there), then descriptors,
  completion records and the TAIL_OVERFLOW check run across it.

(The 4 KiB split of descriptor fetches is checked exactly in timing_tests.py; every bench also
checks that no burst crosses 4 KiB.)
"""

from __future__ import annotations

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge

from pydriver import regs
from pydriver.drivers.dmasim.hw import (
    COUNT_MOD,
    CTRL_RESERVED_MASK,
    SLOT_BYTES,
    ErrCode,
    Fill,
    Interrupt,
    Memcpy,
    Op,
    RawDescriptor,
    Xor,
)
from pydriver.drivers.dmasim.ring import count_add
from tb import stimulus
from tb.bounded import cycle_now
from tb.cycle_monitors import axi_channel, value_of
from tb.dma_tb import Channel, DmaTb
from tb.regbus import reg_write_bytes
from tb.regwalk import masks, reset_counts

ERROR = regs.CH_INT_CAUSE_ERROR_MASK
WAIT = 5000
MAX_XOR_MIDDLE = 1  # XOR sources between the ones at the window's edges


class Grants:
    """Per cycle while running: one address channel's request vector (a dma_top wire) and the
    bursts on its port; `check` replays the round-robin rule over every grant."""

    def __init__(self, dut, requests, prefix: str) -> None:
        self.nreq = len(requests)
        self.requests = requests
        self.valid = getattr(dut, f"{prefix}valid")
        self.ready = getattr(dut, f"{prefix}ready")
        self.id = getattr(dut, f"{prefix}id")
        self.samples: list[tuple[int, int, int, int]] = []  # requests, valid, ready, id
        self._task = cocotb.start_soon(self._run(dut.clk))

    async def _run(self, clk) -> None:
        while True:
            await RisingEdge(clk)
            await ReadOnly()
            self.samples.append((value_of(self.requests), value_of(self.valid),
                                 value_of(self.ready), value_of(self.id)))

    def check(self) -> int:
        """Assert the rule at every grant; returns how many grants had a choice to make (two
        requestors or more waiting)."""
        self._task.cancel()
        ptr, contended = None, 0
        pairs = zip(self.samples[:-1], self.samples[1:], strict=True)
        for (req, valid, ready, _), (_, nvalid, _, nid) in pairs:
            if not (nvalid and (not valid or ready)):
                continue  # no burst taken this cycle
            assert req >> nid & 1, f"granted requestor {nid}, which did not request ({req:b})"
            if ptr is not None:
                want = next(r % self.nreq for r in range(ptr, ptr + self.nreq)
                            if req >> (r % self.nreq) & 1)
                assert nid == want, (f"granted {nid}, but {want} was the first requestor after "
                                     f"{(ptr - 1) % self.nreq} waiting (requests {req:b})")
            contended += bin(req).count("1") > 1
            ptr = (nid + 1) % self.nreq
        return contended


@cocotb.test()
async def round_robin_every_grant(dut):
    """Every channel copies at once with AR, AW and W stalling about half the time: each AR and AW
    grant goes to the first requestor waiting after the last one granted."""
    tb = await DmaTb.create(dut, mem_size=1 << 21)
    chans = []
    copies = max(4, 12 // tb.hw.channels)  # enough contended grants with few channels too
    for k in range(tb.hw.channels):
        ch = await tb.setup_channel(k)
        tb.post(ch, [stimulus.memcpy(tb, 12 * tb.hw.data_bytes + k) for _ in range(copies)])
        chans.append(ch)
    tb.predict(chans)
    tb.set_backpressure(ar=0.5, aw=0.6, w=0.5)
    ar = Grants(dut, dut.rq_ar_valid, "m_axi_ar")
    aw = Grants(dut, dut.rq_aw_valid, "m_axi_aw")
    for ch in chans:
        await tb.doorbell(ch)
    for ch in chans:
        await tb.wait_settled(ch, timeout=WAIT * tb.hw.channels)
    n_ar, n_aw = ar.check(), aw.check()
    tb.log.info("round robin held at every grant, %d AR and %d AW with a choice", n_ar, n_aw)
    assert min(n_ar, n_aw) >= 2 * tb.hw.channels, "too few contended grants to judge"
    await tb.check(chans)


@cocotb.test()
async def fence_waits_for_write_responses(dut):
    """A copy, then a second copy, with write responses held back. Without FENCE the second copy
    reads its source at once; with FENCE it issues no read while any write response of the first
    copy is missing, and reads once they have all come back."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0)
    ar = axi_channel(dut, "m_axi_ar", "id", "addr")
    aw = axi_channel(dut, "m_axi_aw", "id", "addr")
    b = axi_channel(dut, "m_axi_b", "id")
    data_id = 2 * ch.index + 1
    n = 4 * 16 * tb.hw.data_bytes  # four write bursts or five
    for fence in (False, True):
        first, second = stimulus.memcpy(tb, n), stimulus.memcpy(tb, 64, fence=fence)
        tb.post(ch, [first, second])
        tb.predict([ch])
        tb.ram.set_pause(b=1.0)
        start = cycle_now()
        await tb.doorbell(ch)

        def reads_second(h, src=second.src) -> bool:
            return h["id"] == data_id and src - src % 64 <= h["addr"] < src + 64

        if fence:
            await tb.cycles(400)
            early = ar.matching(reads_second, start)
            assert not early, f"FENCE: a read in cycle {early[0].cycle} with no write response"
        else:
            await ar.next(WAIT, "unfenced read of the second source", reads_second, start)
        tb.ram.set_pause(b=0.0)
        await tb.wait_settled(ch, timeout=WAIT)
        await tb.check(ch)
        read = ar.matching(reads_second, start)[0].cycle
        bursts = len(aw.matching(lambda h, dst=first.dst: h["id"] == data_id
                                 and dst - dst % 64 <= h["addr"] < dst + n, start))
        answered = len([h for h in b.matching(lambda h: h["id"] == data_id, start)
                        if h.cycle < read])
        tb.log.info("FENCE %d: second source read in cycle %d, after %d of the first copy's %d "
                    "write responses", fence, read - start, answered, bursts)
        assert answered == (bursts if fence else 0), "the second copy's read came at the " \
            f"wrong time: after {answered} of {bursts} write responses"


async def merge_check(tb: DmaTb, offset: int, reg: regs.Reg, values, before=None) -> None:
    """Write every byte run (1..4 bytes at each lane) of random values to `offset` and compare
    the register with a byte-merge model over its writable bits. `before` (a coroutine function
    returning the register's new value) runs before each write."""
    rw = masks(reg)[0]
    model = await tb.read(offset)
    for size in (1, 2, 3, 4):
        for lane in range(4 - size + 1):
            if before is not None:
                model = await before()
            value = values()
            data = value.to_bytes(4, "little")[lane:lane + size]
            await reg_write_bytes(tb.axil, offset + lane, data)
            strobe = int.from_bytes(b"\xff" * size, "little") << (8 * lane)
            model = (model & ~(strobe & rw)) | (value & strobe & rw)
            got = await tb.read(offset)
            assert got == model, (f"{reg.name}: {size} byte(s) at lane {lane} of 0x{value:08x}: "
                                  f"read 0x{got:08x}, expected 0x{model:08x}")


async def counts_reset(tb: DmaTb, ch: int) -> int:
    """CTRL.RESET on an idle channel (configuration kept); returns TAIL, which reads 0 after."""
    await reset_counts(tb, ch)
    for _ in range(100):
        tail = await tb.read(regs.ch_reg(ch, regs.CH_TAIL))
        head = await tb.read(regs.ch_reg(ch, regs.CH_HEAD))
        if tail == head == 0:
            return tail
    raise AssertionError(f"channel {ch}: CTRL.RESET left {await tb.channel_regs(ch)}")


@cocotb.test()
async def byte_strobes_merge(dut):
    """SCRATCH and every writable channel register (RING_BASE, RING_SIZE, TAIL, CMPL_ADDR,
    WIN_BASE, WIN_LIMIT, INT_ENABLE, COALESCE, CTRL.CMPL_WB_EN): writes of 1, 2, 3 or 4 bytes at
    every lane change exactly the writable bits of the bytes written."""
    tb = await DmaTb.create(dut)
    scratch = next(r for r in regs.GLOBAL_REGS if r.name == "SCRATCH")
    await merge_check(tb, scratch.offset, scratch, lambda: tb.rng.getrandbits(32))
    ch = tb.rng.randrange(tb.hw.channels)
    # a big ring first: TAIL values below 2^15 never overflow it
    await tb.write(regs.ch_reg(ch, regs.CH_RING_SIZE), 15)
    for reg in regs.CHANNEL_REGS:
        rw = masks(reg)[0]
        if not rw or reg.name == "RING_SIZE":
            continue
        if reg.name == "CTRL":  # CMPL_WB_EN only: ENABLE would start nothing, ABORT/RESET act
            values = lambda: tb.rng.getrandbits(32) & ~0xF | tb.rng.choice((0, 8))  # noqa: E731
        elif reg.name == "TAIL":
            # TAIL only moves forward (a smaller one is refused): each write starts from a
            # channel reset (HEAD = TAIL = 0), where every count below 2^15 is a forward move
            values = lambda: tb.rng.getrandbits(32) & 0xFFFF7FFF  # noqa: E731
            await merge_check(tb, regs.ch_reg(ch, reg.offset), reg, values,
                              before=lambda: counts_reset(tb, ch))
            continue
        else:
            values = lambda: tb.rng.getrandbits(32)  # noqa: E731
        await merge_check(tb, regs.ch_reg(ch, reg.offset), reg, values)
    ring_size = next(r for r in regs.CHANNEL_REGS if r.name == "RING_SIZE")
    await merge_check(tb, regs.ch_reg(ch, regs.CH_RING_SIZE), ring_size,
                      lambda: tb.rng.getrandbits(32) & ~0xF | tb.rng.randint(1, 15))
    state = await tb.channel_regs(ch)
    assert not state.halted and not state.busy, f"the register writes started something: {state}"


@cocotb.test()
async def address_low_bits_ignored(dut):
    """RING_BASE_LO written with bits 4:0 set and CMPL_ADDR_LO with bits 2:0 set: the channel
    fetches the ring and writes the completion record at the aligned addresses."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, cmpl_wb=True)
    await tb.write(ch.reg(regs.CH_RING_BASE_LO), (ch.setup.ring_base | 0x1F) & 0xFFFFFFFF)
    await tb.write(ch.reg(regs.CH_CMPL_ADDR_LO), (ch.setup.cmpl_addr | 0x7) & 0xFFFFFFFF)
    await tb.run(ch, [stimulus.fill(tb, 21), Interrupt(), stimulus.memcpy(tb, 13)])


@cocotb.test()
async def descriptor_checks_bit_by_bit(dut):
    """Each reserved CTRL bit (RESERVED), each LEN bit 31:24 (BAD_LENGTH), each invalid OP
    (BAD_OPCODE) and, for each NSRC, the first unused extension-slot entry (RESERVED), alone in
    an otherwise good descriptor; every channel takes a case at once."""
    tb = await DmaTb.create(dut)
    n = 16

    def buf() -> int:
        return tb.alloc_unaligned(n)

    cases = [(RawDescriptor(Op.MEMCPY, n, buf(), (buf(),), ctrl_reserved=1 << bit),
              ErrCode.RESERVED) for bit in range(32) if CTRL_RESERVED_MASK >> bit & 1]
    cases += [(RawDescriptor(Op.FILL, n | 1 << bit, buf(), fill_val=7), ErrCode.BAD_LENGTH)
              for bit in range(24, 32)]
    cases += [(RawDescriptor(op, n, buf(), (buf(),)), ErrCode.BAD_OPCODE)
              for op in (0, *range(6, 16))]
    # the first extension-slot entry past SRC(NSRC-1), for every NSRC that leaves one
    cases += [(RawDescriptor(Op.XOR, n, buf(), tuple(buf() for _ in range(nsrc + 1)), nsrc),
               ErrCode.RESERVED) for nsrc in range(3, tb.hw.max_xor_srcs + 1) if (nsrc - 2) % 4]
    chans = [await tb.setup_channel(k, int_enable=ERROR) for k in range(tb.hw.channels)]
    for first in range(0, len(cases), len(chans)):
        batch = list(zip(chans, cases[first:first + len(chans)], strict=False))
        for ch, (desc, _) in batch:
            tb.post(ch, [desc])
        outs = tb.predict([ch for ch, _ in batch])
        for ch, (_, code) in batch:
            assert outs[ch.index].err_code == code, f"the model says {outs[ch.index]}"
            await tb.doorbell(ch)
        for ch, _ in batch:
            await tb.wait_settled(ch, timeout=WAIT)
        await tb.check([ch for ch, _ in batch])
        for ch, _ in batch:
            await tb.reset_channel(ch)


async def halts_with(tb: DmaTb, ch: Channel, descs, code: int, addr: int) -> None:
    """The descriptors halt the channel with `code` and ERR_ADDR `addr`, as the model says."""
    out = await tb.run(ch, descs)
    assert out.halted and out.err_code == code, f"the model says {out}"
    state = await tb.channel_regs(ch)
    assert state.err_addr == addr, f"ERR_ADDR 0x{state.err_addr:x}, expected 0x{addr:x}"
    await tb.reset_channel(ch)


@cocotb.test()
async def window_exact_edges(dut):
    """Window [lo, hi] at odd addresses: sources, destinations and XOR sources starting at lo
    and ending at hi run; one byte below lo or past hi is WINDOW with that address in ERR_ADDR;
    a ring whose last slot ends at hi runs, one whose last slot ends one byte past hi faults on
    that slot; a completion record ending at hi is written, one ending past hi is a fault."""
    tb = await DmaTb.create(dut)
    n = 3 * tb.hw.data_bytes + 5
    region = tb.alloc(16384, align=4096, offset=0)
    lo, hi = region + 4096 + 3, region + 8192 + 4
    tb.move_cursor(lo + 256)  # buffers, and the ring, inside the window, clear of its edges
    mid = [tb.alloc_unaligned(n) for _ in range(3 + MAX_XOR_MIDDLE)]
    ch = await tb.setup_channel(0, window=(lo, hi), int_enable=ERROR)
    nx = min(2 + MAX_XOR_MIDDLE, tb.hw.max_xor_srcs)
    end = hi - n + 1  # a buffer at `end` ends exactly at hi
    await tb.run(ch, [Memcpy(dst=mid[0], src=lo, length=n),
                      Xor(dst=mid[2], srcs=(lo, *mid[3:nx + 1], end), length=n)])
    await tb.run(ch, [Fill(dst=lo, value=0x5A, length=n), Memcpy(dst=end, src=mid[1], length=n)])
    await halts_with(tb, ch, [Memcpy(dst=mid[0], src=lo - 1, length=n)], ErrCode.WINDOW, lo - 1)
    await halts_with(tb, ch, [Memcpy(dst=end + 1, src=mid[1], length=n)], ErrCode.WINDOW,
                     end + 1)
    await halts_with(tb, ch, [Fill(dst=lo - 1, value=1, length=n)], ErrCode.WINDOW, lo - 1)
    await halts_with(tb, ch, [Xor(dst=mid[2], srcs=(lo, *mid[3:nx + 1], end + 1), length=n)],
                     ErrCode.WINDOW, end + 1)
    # ring slots: a 4-slot ring whose last slot ends at the limit, then one byte past it
    ring = region + 12288
    for limit, ok in ((ring + 4 * SLOT_BYTES - 1, True), (ring + 4 * SLOT_BYTES - 2, False)):
        ch = await tb.setup_channel(0, ring_base=ring, log2_slots=2, window=(ring, limit),
                                    int_enable=ERROR)
        await tb.run(ch, [Interrupt()] * 3)
        if ok:
            await tb.run(ch, [Interrupt()])
            await tb.reset_channel(ch)
        else:
            await halts_with(tb, ch, [Interrupt()], ErrCode.WINDOW, ring + 3 * SLOT_BYTES)
    # the completion record: the last 8 bytes of the window, then one byte short
    record = ring + 4 * SLOT_BYTES
    for limit, ok in ((record + 7, True), (record + 6, False)):
        ch = await tb.setup_channel(0, ring_base=ring, log2_slots=2, window=(ring, limit),
                                    cmpl_wb=True, cmpl_addr=record, int_enable=ERROR)
        if ok:
            await tb.run(ch, [Interrupt()])
            await tb.reset_channel(ch)
        else:
            await halts_with(tb, ch, [Interrupt()], ErrCode.WINDOW, record)


# The channel's slot counters, relative to dma_top.gen_ch[n].u_chan: HEAD, TAIL, the decoder's
# and the fetcher's count. An idle channel has all four equal.
SLOT_COUNTERS = ("u_regs.head", "u_regs.tail", "u_decoder.cmd_slot", "u_fetch.fptr_q")


def set_slot_counts(tb: DmaTb, ch: Channel, value: int) -> None:
    """Set an idle channel's slot counters to `value` through the simulator."""
    scope = tb.dut.gen_ch[ch.index].u_chan
    for path in SLOT_COUNTERS:
        handle = scope
        try:
            for part in path.split("."):
                handle = getattr(handle, part)
        except AttributeError:
            raise AssertionError(f"dma_top.gen_ch[{ch.index}].u_chan.{path} not found: the RTL "
                                 "moved the channel's slot counters (update SLOT_COUNTERS in "
                                 "tests/rtl/rules_tests.py)") from None
        handle.value = value
    ch.head = ch.tail = value


@cocotb.test()
async def head_tail_wrap(dut):
    """HEAD and TAIL near 2^16 (set through the simulator on an idle channel): a full ring of
    mixed descriptors (an XOR's extension slots across the wrap) runs and completes, HEAD and
    the completion record wrap to small counts; TAIL = HEAD + ring size across the wrap is
    accepted, HEAD + ring size + 1 is TAIL_OVERFLOW."""
    tb = await DmaTb.create(dut)
    ch = await tb.setup_channel(0, log2_slots=4, cmpl_wb=True, int_enable=ERROR)
    start = COUNT_MOD - 2  # the XOR's first slot: its extension slots run past 2^16
    set_slot_counts(tb, ch, start)
    await tb.cycles(2)
    state = await tb.channel_regs(ch)
    assert (state.head, state.tail, state.busy) == (start, start, False), str(state)
    descs = [stimulus.xor(tb, tb.hw.max_xor_srcs, 20), stimulus.fill(tb, 9),
             stimulus.memcpy(tb, 33), Interrupt(int_en=True)]
    descs += [stimulus.fill(tb, 5) for _ in range(ch.setup.nslots - sum(d.slots for d in descs))]
    out = await tb.run(ch, descs)  # checks HEAD, and the completion record in memory
    assert out.head == count_add(start, ch.setup.nslots), f"the model ended at {out.head}"
    for extra, code in ((0, ErrCode.NONE), (1, ErrCode.TAIL_OVERFLOW)):
        set_slot_counts(tb, ch, start)
        await tb.cycles(2)
        if code == ErrCode.NONE:
            await tb.run(ch, [Interrupt() for _ in range(ch.setup.nslots)])
        else:
            snap = tb.snapshot()
            ch.tail = count_add(start, ch.setup.nslots + extra)
            tb.predict([ch], snapshot=snap)
            await tb.doorbell(ch)
            state = await tb.wait_settled(ch, timeout=WAIT)
            assert state.err_code == code and state.head == start, str(state)
            await tb.check(ch)
            await tb.reset_channel(ch)
