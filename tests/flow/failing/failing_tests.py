"""A cocotb module that must fail: `make sim` has to report it with a non-zero exit status."""

import cocotb
from cocotb.triggers import Timer


@cocotb.test()
async def always_fails(dut):
    """Fails on purpose (checked by tests/flow/test_make_sim.py)."""
    await Timer(1, unit="ns")
    assert int(dut.rst.value) == 2, "deliberate failure: rst is a single bit"
