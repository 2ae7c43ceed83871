"""AXI-Lite writes of single bytes (WSTRB with one lane set) to every channel register: only the
strobed byte changes, for fields that span several bytes (COALESCE's TIMEOUT) as for fields in
byte 0 alone (ENABLE/CMPL_WB_EN, RING_SIZE, INT_ENABLE, COALESCE.COUNT); a write that strobes
no byte of a field leaves it alone. Drivers writing 8- or 16-bit halves (or a bus bridge
splitting a 64-bit store) depend on it."""

from __future__ import annotations

import cocotb
from cocotbext.axi.constants import AxiResp
from regs_tests import masks, patterns_for

from pydriver import regs
from tb.dma_tb import DmaTb


async def write_byte(tb: DmaTb, offset: int, lane: int, value: int) -> None:
    """One byte at lane `lane` of the register at `offset` (WSTRB = 1 << lane)."""
    resp = await tb.axil.write(offset + lane, bytes([value & 0xFF]))
    assert resp.resp == AxiResp.OKAY, f"byte write of 0x{offset + lane:03x}: {resp.resp!r}"


@cocotb.test()
async def channel_registers_byte_lanes(dut):
    """Every channel register of the first and last channel, byte lane by byte lane, with the
    register walk's safe values: the register reads back with exactly that byte replaced (within
    its writable bits)."""
    tb = await DmaTb.create(dut)
    for ch in sorted({0, tb.hw.channels - 1}):
        for reg in regs.CHANNEL_REGS:
            offset = regs.ch_reg(ch, reg.offset)
            rw, ro, _zero = masks(reg)
            for p in patterns_for(reg):
                for lane in range(4):
                    before = await tb.read(offset)
                    await write_byte(tb, offset, lane, p >> (8 * lane))
                    lane_mask = 0xFF << (8 * lane)
                    want = (((before & ~lane_mask) | (p & lane_mask)) & rw) | (before & ro)
                    got = await tb.read(offset)
                    assert got == want, (f"CH[{ch}].{reg.name}: byte {lane} of 0x{p:08x} over "
                                         f"0x{before:08x} read 0x{got:08x}, expected 0x{want:08x}")
            await tb.write(offset, reg.reset & rw)
