"""pytest runner for the register-level cocotb benches of dma_top.

Every `*_tests.py` module in this folder runs on each simulator and RTL parameter set.
SIM=icarus|verilator narrows the simulators; DMASIM_PARAM_SETS="default c2_dw32" narrows the sets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tb import runner

HERE = Path(__file__).resolve().parent
MODULES = sorted(p.stem for p in HERE.glob("*_tests.py"))


@pytest.mark.parametrize("module", MODULES)
def test_rtl(sim: str, param_set: str, module: str) -> None:
    runner.run(sim, module, HERE, runner.PARAM_SETS[param_set])
