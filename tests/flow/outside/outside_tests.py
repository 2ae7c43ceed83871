"""A cocotb module outside tests/rtl/: `make sim TEST_DIR=...` must run any folder's tests."""

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles


@cocotb.test()
async def reset_leaves_irq_low(dut):
    """After reset, no channel interrupt line is raised."""
    Clock(dut.clk, 10, unit="ns").start()
    dut.rst.value = 1
    await ClockCycles(dut.clk, 4)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 4)
    assert int(dut.irq.value) == 0
