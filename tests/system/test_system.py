"""pytest runner for the cocotb benches that run the driver stack in simulation.

Every `*_tests.py` module here runs on each simulator with the default RTL parameters
(the register-level benches in tests/rtl cover the other parameter sets).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tb import runner

HERE = Path(__file__).resolve().parent
MODULES = sorted(p.stem for p in HERE.glob("*_tests.py"))


@pytest.mark.parametrize("module", MODULES)
def test_system(sim: str, module: str) -> None:
    runner.run(sim, module, HERE, runner.PARAM_SETS["default"])
