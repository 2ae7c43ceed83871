"""Quick developer smoke tests of dma_top (register level, no driver, no reference model).

A handful of directed checks the RTL designer keeps green on both simulators while the thorough
benches live in the other *_tests.py modules: identity registers, MEMCPY (aligned and unaligned,
with guard bytes), XOR (8 sources, in place), FILL, XOR_VAL, INTERRUPT with the completion record,
and the error path (bad opcode, window, read SLVERR) with channel reset and recovery. Cycle counts
for a 4 KiB MEMCPY and a 4 KiB 8-source XOR are logged.
"""

from __future__ import annotations

import logging
import random
import struct

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiBus, AxiLiteBus, AxiLiteMaster, AxiRam

from pydriver import regs
from pydriver.drivers.dmasim.hw import ErrCode, Op, RawDescriptor, status_error, status_ok
from pydriver.drivers.dmasim.ring import RingLayout
from tb.axi_checker import attach_axi_checkers
from tb.bounded import until
from tb.regbus import reg_read, reg_write

MEM_SIZE = 1 << 20
RING = 0x1000          # ring of 16 slots per channel, channel n at RING + n * 0x400
CMPL = 0x0F00          # completion records, 8 bytes per channel

OP_MEMCPY, OP_XOR, OP_XORVAL, OP_FILL, OP_INT = Op.MEMCPY, Op.XOR, Op.XOR_VAL, Op.FILL, Op.INTERRUPT
DONE = status_ok()
BOUND = 30000          # cycles for any one batch here (the 4 KiB 8-source XOR needs ~12000)


class FaultyRam(AxiRam):
    """AxiRam answering SLVERR to reads of one address range."""

    def __init__(self, *args, bad: tuple[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bad = bad
        orig = self.read_if._read

        async def _read(address, length):
            if self.bad and self.bad[0] <= address < self.bad[1]:
                raise ValueError("injected read error")
            return await orig(address, length)

        self.read_if._read = _read


class Tb:
    def __init__(self, dut):
        self.dut = dut
        self.mem = FaultyRam(AxiBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=MEM_SIZE)
        self.regs = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        self.tail = {}
        for name in ("cocotb.dma_top.m_axi", "cocotb.dma_top.s_axil"):
            logging.getLogger(name).setLevel(logging.WARNING)

    async def start(self):
        cocotb.start_soon(Clock(self.dut.clk, 10, unit="ns").start())
        self.dut.rst.value = 1
        attach_axi_checkers(self.dut)
        await ClockCycles(self.dut.clk, 5)
        self.dut.rst.value = 0
        await ClockCycles(self.dut.clk, 2)
        cfg = await self.rd(regs.REG_CONFIG)
        self.channels = cfg & 0x1F
        self.max_xor = (cfg >> 8) & 0x1F
        self.data_bytes = (cfg >> 16) & 0xFF

    async def rd(self, addr):
        return await reg_read(self.regs, addr)

    async def wr(self, addr, value):
        await reg_write(self.regs, addr, int(value))

    async def state(self, ch):
        """Channel registers for failure messages."""
        names = ("STATUS", "HEAD", "TAIL", "ERR_CODE", "INT_CAUSE")
        offs = (regs.CH_STATUS, regs.CH_HEAD, regs.CH_TAIL, regs.CH_ERR_CODE, regs.CH_INT_CAUSE)
        vals = [await self.rd(regs.ch_reg(ch, off)) for off in offs]
        return f"channel {ch}: " + " ".join(f"{n}=0x{v:x}" for n, v in zip(names, vals,
                                                                            strict=True))

    async def setup_channel(self, ch, cmpl=False, int_enable=0b11, coalesce=0):
        base = RING + ch * 0x400
        await self.wr(regs.ch_reg(ch, regs.CH_RING_BASE_LO), base)
        await self.wr(regs.ch_reg(ch, regs.CH_RING_SIZE), 4)
        await self.wr(regs.ch_reg(ch, regs.CH_CMPL_ADDR_LO), CMPL + 8 * ch)
        await self.wr(regs.ch_reg(ch, regs.CH_INT_ENABLE), int_enable)
        await self.wr(regs.ch_reg(ch, regs.CH_COALESCE), coalesce)
        await self.wr(regs.ch_reg(ch, regs.CH_CTRL), 1 | (8 if cmpl else 0))
        self.tail[ch] = 0

    @staticmethod
    def layout(ch):
        return RingLayout(RING + ch * 0x400, 4)

    def slot_addr(self, ch, count):
        return self.layout(ch).slot_addr(count)

    def put_desc(self, ch, op, length=0, dst=0, srcs=(), fill=0, int_en=False, fence=False,
                 nsrc=None):
        """Write a descriptor (and its extension slots) at the channel's tail; returns its slot."""
        if nsrc is None:
            nsrc = len(srcs) if op in (OP_XOR, OP_XORVAL) else 0
        desc = RawDescriptor(op, length, dst, tuple(srcs), nsrc, fill, int_en, fence)
        first = self.tail[ch]
        self.tail[ch] = self.layout(ch).store(self.mem.write, first, desc.encode())
        return first

    async def ring(self, ch):
        await self.wr(regs.ch_reg(ch, regs.CH_TAIL), self.tail[ch])

    async def wait_idle(self, ch, timeout=BOUND):
        for _ in range(timeout // 20):
            await ClockCycles(self.dut.clk, 20)
            st = await self.rd(regs.ch_reg(ch, regs.CH_STATUS))
            if not st & 1:
                return st
        raise AssertionError(f"channel {ch} still busy after {timeout} cycles: "
                             f"{await self.state(ch)}")

    def status(self, ch, slot):
        return struct.unpack("<I", self.mem.read(self.slot_addr(ch, slot), 4))[0]


async def run_and_time(tb, ch):
    """Ring the doorbell and count cycles until HEAD reaches TAIL (watching the DUT's irq)."""
    dut = tb.dut
    await tb.ring(ch)
    return await until(lambda: (int(dut.irq.value) >> ch) & 1, dut.clk, BOUND,
                       f"irq[{ch}]", lambda: tb.state(ch))


async def doorbell_latency(tb, ch):
    """Cycles from the TAIL write handshake to the first data read address (odd ARID)."""
    dut = tb.dut
    start = None
    cycles = 0
    while True:
        await RisingEdge(dut.clk)
        if start is None and int(dut.s_axil_awvalid.value) and int(dut.s_axil_awready.value):
            start = cycles
        if start is not None and int(dut.m_axi_arvalid.value) and int(dut.m_axi_arid.value) & 1:
            return cycles - start
        cycles += 1
        assert cycles < 10000, "no data read"


def guard_check(tb, addr, expect, guard=64):
    got = tb.mem.read(addr - guard, len(expect) + 2 * guard)
    assert got[:guard] == b"\xa5" * guard, "byte written below the destination"
    assert got[guard + len(expect):] == b"\xa5" * guard, "byte written above the destination"
    assert got[guard:guard + len(expect)] == expect, "destination data mismatch"


@cocotb.test()
async def identity_registers(dut):
    tb = Tb(dut)
    await tb.start()
    assert await tb.rd(regs.REG_ID) == 0x444D4153
    assert await tb.rd(regs.REG_VERSION) == 0x00010000
    assert await tb.rd(regs.REG_CAPS) == 0x7F
    assert await tb.rd(regs.REG_MAX_LEN) == 0x00FFFFFF
    assert tb.data_bytes in (4, 8, 16) and 1 <= tb.channels <= 16
    await tb.wr(regs.REG_SCRATCH, 0x12345678)
    assert await tb.rd(regs.REG_SCRATCH) == 0x12345678
    assert await tb.rd(regs.ch_reg(0, regs.CH_RING_SIZE)) == 4
    assert await tb.rd(regs.ch_reg(0, regs.CH_WIN_LIMIT_LO)) == 0xFFFFFFFF
    # blocks of absent channels read 0
    if tb.channels < 16:
        assert await tb.rd(regs.ch_reg(tb.channels, regs.CH_RING_SIZE)) == 0


@cocotb.test()
async def memcpy(dut):
    tb = Tb(dut)
    await tb.start()
    await tb.setup_channel(0)
    rng = random.Random(1)
    tb.mem.write(0x20000, b"\xa5" * 0x20000)
    cases = [(0x10000, 0x20100, 4096), (0x11003, 0x23105, 1000), (0x12007, 0x26000, 1),
             (0x13001, 0x27002, 77), (0x14000, 0x28009, 300)]
    for i, (src, dst, length) in enumerate(cases):
        data = bytes(rng.getrandbits(8) for _ in range(length))
        tb.mem.write(src, data)
        slot = tb.put_desc(0, OP_MEMCPY, length, dst, [src], int_en=True)
        if i == 0:
            lat = cocotb.start_soon(doorbell_latency(tb, 0))
        cycles = await run_and_time(tb, 0)
        if i == 0:
            dut._log.info("doorbell to first data read: %d cycles", await lat)
        dut._log.info("MEMCPY %d bytes src+%d dst+%d: %d cycles (doorbell to irq)",
                      length, src % 8, dst % 8, cycles)
        guard_check(tb, dst, data)
        assert tb.status(0, slot) == DONE
        assert await tb.rd(regs.ch_reg(0, regs.CH_HEAD)) == tb.tail[0]
        await tb.wr(regs.ch_reg(0, regs.CH_INT_CAUSE), 1)


@cocotb.test()
async def back_to_back_small_copies(dut):
    tb = Tb(dut)
    await tb.start()
    await tb.setup_channel(0)
    count, length = 14, 256
    for k in range(count):
        tb.mem.write(0x10000 + k * 0x200, bytes([k + 1]) * length)
        tb.put_desc(0, OP_MEMCPY, length, 0x20000 + k * 0x200, [0x10000 + k * 0x200],
                    int_en=(k == count - 1))
    cycles = await run_and_time(tb, 0)
    beats = count * length // tb.data_bytes
    dut._log.info("%d back-to-back %d B copies: %d cycles for %d write beats (%.1f %%)",
                  count, length, cycles, beats, 100.0 * beats / cycles)
    for k in range(count):
        assert tb.mem.read(0x20000 + k * 0x200, length) == bytes([k + 1]) * length


@cocotb.test()
async def xor_fill_xorval(dut):
    tb = Tb(dut)
    await tb.start()
    await tb.setup_channel(0)
    rng = random.Random(2)
    n = min(8, tb.max_xor)
    length = 4096
    srcs = [0x40000 + i * 0x1100 + i for i in range(n)]
    blocks = []
    for s in srcs:
        b = bytes(rng.getrandbits(8) for _ in range(length))
        tb.mem.write(s, b)
        blocks.append(b)
    expect = bytearray(length)
    for b in blocks:
        expect = bytearray(x ^ y for x, y in zip(expect, b, strict=True))
    dst = 0x60003
    tb.mem.write(dst - 64, b"\xa5" * (length + 128))
    slot = tb.put_desc(0, OP_XOR, length, dst, srcs, int_en=True)
    cycles = await run_and_time(tb, 0)
    dut._log.info("XOR %d sources x %d bytes: %d cycles (doorbell to irq)", n, length, cycles)
    guard_check(tb, dst, bytes(expect))
    assert tb.status(0, slot) == DONE
    await tb.wr(regs.ch_reg(0, regs.CH_INT_CAUSE), 1)

    # in-place XOR: destination is source 1
    ip = [0x70000, 0x71000, 0x72000]
    vals = [bytes(rng.getrandbits(8) for _ in range(700)) for _ in ip]
    for a, v in zip(ip, vals, strict=True):
        tb.mem.write(a, v)
    tb.put_desc(0, OP_XOR, 700, ip[1], ip)
    # FILL and XOR_VAL (zero and non-zero) behind it
    tb.mem.write(0x74000 - 64, b"\xa5" * (333 + 128))
    tb.put_desc(0, OP_FILL, 333, 0x74005 - 5, fill=0x3C)
    tb.mem.write(0x75000, vals[0])
    tb.mem.write(0x76000, vals[0])
    zslot = tb.put_desc(0, OP_XORVAL, 700, 0, [0x75000, 0x76000])
    nzslot = tb.put_desc(0, OP_XORVAL, 700, 0, [0x75000, ip[2]])
    islot = tb.put_desc(0, OP_INT, int_en=True)
    await run_and_time(tb, 0)
    inplace = bytes(a ^ b ^ c for a, b, c in zip(*vals, strict=True))
    assert tb.mem.read(ip[1], 700) == inplace
    guard_check(tb, 0x74000, b"\x3c" * 333)
    assert tb.status(0, zslot) == DONE
    assert tb.status(0, nzslot) == status_ok(xor_nonzero=True)
    assert tb.status(0, islot) == DONE


@cocotb.test()
async def completion_record_and_channels(dut):
    tb = Tb(dut)
    await tb.start()
    nch = min(tb.channels, 4)
    rng = random.Random(3)
    jobs = []
    for ch in range(nch):
        await tb.setup_channel(ch, cmpl=True)
        for k in range(3):
            src = 0x80000 + ch * 0x4000 + k * 0x1000 + k
            dst = 0xC0000 + ch * 0x4000 + k * 0x1000 + 3 * k
            length = 512 + 64 * k + ch
            data = bytes(rng.getrandbits(8) for _ in range(length))
            tb.mem.write(src, data)
            tb.put_desc(ch, OP_MEMCPY, length, dst, [src], int_en=(k == 2))
            jobs.append((dst, data))
    for ch in range(nch):
        await tb.ring(ch)
    for ch in range(nch):
        await tb.wait_idle(ch)
        head = await tb.rd(regs.ch_reg(ch, regs.CH_HEAD))
        assert head == 3
        rec = struct.unpack("<II", tb.mem.read(CMPL + 8 * ch, 8))
        assert rec == (3, DONE)
        assert await tb.rd(regs.ch_reg(ch, regs.CH_INT_CAUSE)) == 1
    for dst, data in jobs:
        assert tb.mem.read(dst, len(data)) == data


@cocotb.test()
async def errors_and_reset(dut):
    tb = Tb(dut)
    await tb.start()
    await tb.setup_channel(0)
    # bad opcode: channel halts, status word written with the code, HEAD stays
    tb.put_desc(0, OP_MEMCPY, 64, 0x30000, [0x31000])
    bad = tb.put_desc(0, 9, 64, 0x30000, [0x31000])
    await tb.ring(0)
    st = await tb.wait_idle(0)
    assert st & 2, "not halted"
    assert await tb.rd(regs.ch_reg(0, regs.CH_ERR_CODE)) == ErrCode.BAD_OPCODE
    assert await tb.rd(regs.ch_reg(0, regs.CH_ERR_DESC)) == bad
    assert await tb.rd(regs.ch_reg(0, regs.CH_HEAD)) == 1
    assert await tb.rd(regs.ch_reg(0, regs.CH_INT_CAUSE)) == 2
    assert tb.status(0, bad) == status_error(ErrCode.BAD_OPCODE)
    assert int(dut.irq.value) & 1

    # reset and recover; then a window error, then a read SLVERR
    await tb.wr(regs.ch_reg(0, regs.CH_CTRL), 1 | 4)
    await tb.wait_idle(0)
    assert await tb.rd(regs.ch_reg(0, regs.CH_STATUS)) == 0
    assert await tb.rd(regs.ch_reg(0, regs.CH_HEAD)) == 0
    assert await tb.rd(regs.ch_reg(0, regs.CH_INT_CAUSE)) == 0
    tb.tail[0] = 0
    await tb.wr(regs.ch_reg(0, regs.CH_WIN_LIMIT_HI), 0)
    await tb.wr(regs.ch_reg(0, regs.CH_WIN_LIMIT_LO), 0x3FFFF)
    tb.mem.write(0x30000 - 64, b"\xa5" * 256)
    tb.put_desc(0, OP_MEMCPY, 64, 0x30000, [0x31000])
    wslot = tb.put_desc(0, OP_MEMCPY, 64, 0x3FFF0, [0x31000])
    await tb.ring(0)
    st = await tb.wait_idle(0)
    assert st & 2
    assert await tb.rd(regs.ch_reg(0, regs.CH_ERR_CODE)) == ErrCode.WINDOW
    assert await tb.rd(regs.ch_reg(0, regs.CH_ERR_ADDR_LO)) == 0x3FFF0
    assert await tb.rd(regs.ch_reg(0, regs.CH_ERR_DESC)) == wslot
    assert tb.mem.read(0x30000, 64) == tb.mem.read(0x31000, 64)

    await tb.wr(regs.ch_reg(0, regs.CH_CTRL), 1 | 4)
    await tb.wait_idle(0)
    tb.tail[0] = 0
    tb.mem.bad = (0x38000, 0x38100)
    tb.mem.write(0x32000 - 64, b"\xa5" * (1024 + 128))
    eslot = tb.put_desc(0, OP_MEMCPY, 1024, 0x32000, [0x37F00])
    await tb.ring(0)
    st = await tb.wait_idle(0)
    tb.mem.bad = None
    assert st & 2
    assert await tb.rd(regs.ch_reg(0, regs.CH_ERR_CODE)) == ErrCode.DATA_READ | (2 << 8)
    assert await tb.rd(regs.ch_reg(0, regs.CH_ERR_ADDR_LO)) == 0x38000
    assert tb.status(0, eslot) == status_error(ErrCode.DATA_READ)
    got = tb.mem.read(0x32000 - 64, 1024 + 128)
    assert got[:64] == b"\xa5" * 64 and got[-64:] == b"\xa5" * 64
