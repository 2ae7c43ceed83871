"""pytest runner for the AXI protocol checker's own tests (tests/axi_checker/checker_tests.py)
on axi_probe_top.v, each simulator and each RTL parameter set's bus widths."""

from __future__ import annotations

from pathlib import Path

from tb import runner

HERE = Path(__file__).resolve().parent


def test_axi_checker(sim: str, param_set: str) -> None:
    runner.run(sim, "checker_tests", HERE, runner.PARAM_SETS[param_set], toplevel="axi_probe_top",
               extra_sources=[HERE / "axi_probe_top.v"])
