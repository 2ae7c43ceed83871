"""dma_top identity registers: what a driver reads first to learn the controller it drives."""

from __future__ import annotations

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from pydriver import regs
from tb.axi_checker import attach_axi_checkers
from tb.regbus import reg_read, reg_write, reg_write_bytes


async def start(dut) -> AxiLiteMaster:
    Clock(dut.clk, 10, unit="ns").start()
    dut.rst.value = 1
    # the register master drives its VALIDs low from reset on, as AXI requires
    axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
    attach_axi_checkers(dut, m_axi=None)  # no memory behind m_axi here
    await ClockCycles(dut.clk, 4)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 2)
    return axil


async def read32(axil: AxiLiteMaster, addr: int) -> int:
    return await reg_read(axil, addr)


def field(value: int, mask: int, shift: int) -> int:
    return (value & mask) >> shift


@cocotb.test()
async def id_and_version(dut):
    """ID holds the magic number and VERSION the major version of the register map."""
    axil = await start(dut)
    ident = next(r for r in regs.GLOBAL_REGS if r.name == "ID")
    version = next(r for r in regs.GLOBAL_REGS if r.name == "VERSION")
    assert await read32(axil, regs.REG_ID) == ident.reset == 0x444D4153
    assert await read32(axil, regs.REG_VERSION) == version.reset


@cocotb.test()
async def config_matches_parameters(dut):
    """CONFIG reports the parameters the RTL was built with."""
    axil = await start(dut)
    cfg = await read32(axil, regs.REG_CONFIG)
    assert field(cfg, regs.REG_CONFIG_CHANNELS_MASK, regs.REG_CONFIG_CHANNELS_SHIFT) == \
        int(dut.CHANNELS.value)
    assert field(cfg, regs.REG_CONFIG_DATA_BYTES_MASK, regs.REG_CONFIG_DATA_BYTES_SHIFT) * 8 == \
        int(dut.DATA_WIDTH.value)
    assert field(cfg, regs.REG_CONFIG_ADDR_WIDTH_MASK, regs.REG_CONFIG_ADDR_WIDTH_SHIFT) == \
        int(dut.ADDR_WIDTH.value)
    assert field(cfg, regs.REG_CONFIG_MAX_XOR_SRCS_MASK, regs.REG_CONFIG_MAX_XOR_SRCS_SHIFT) == \
        int(dut.MAX_XOR_SRCS.value)
    assert len(dut.irq) == int(dut.CHANNELS.value)


@cocotb.test()
async def scratch_read_write(dut):
    """SCRATCH keeps what is written, honouring byte strobes."""
    axil = await start(dut)
    assert await read32(axil, regs.REG_SCRATCH) == 0
    for value in (0xA5A5_5A5A, 0xFFFF_FFFF, 0x0123_4567, 0):
        await reg_write(axil, regs.REG_SCRATCH, value)
        assert await read32(axil, regs.REG_SCRATCH) == value
    await reg_write(axil, regs.REG_SCRATCH, 0x1122_3344)
    await reg_write_bytes(axil, regs.REG_SCRATCH + 1, b"\xee")  # one byte lane only
    assert await read32(axil, regs.REG_SCRATCH) == 0x1122_EE44
