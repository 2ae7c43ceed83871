"""pytest runner for the cocotb benches that run the driver stack in simulation.

Every `*_tests.py` module here runs on each simulator and each RTL parameter set: the provider
driver learns channels, data width, address width and XOR source limit from the hardware, so
its benches must pass on every build. SIM and DMASIM_PARAM_SETS narrow the runs as for
tests/rtl.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tb import runner

HERE = Path(__file__).resolve().parent
MODULES = sorted(p.stem for p in HERE.glob("*_tests.py"))


@pytest.mark.parametrize("module", MODULES)
def test_system(sim: str, param_set: str, module: str) -> None:
    runner.run(sim, module, HERE, runner.PARAM_SETS[param_set])
