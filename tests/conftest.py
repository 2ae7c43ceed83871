"""Shared pytest options: which simulators and RTL parameter sets the cocotb runner files use."""

from __future__ import annotations

import os

import pytest

from tb import runner


def _selected(env: str, choices: list[str]) -> list[str]:
    wanted = os.environ.get(env, "").split()
    unknown = [w for w in wanted if w not in choices]
    if unknown:
        raise pytest.UsageError(f"{env}: unknown {', '.join(unknown)} (choose from "
                                f"{', '.join(choices)})")
    return wanted or choices


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "sim" in metafunc.fixturenames:
        metafunc.parametrize("sim", _selected("SIM", list(runner.SIMULATORS)))
    if "param_set" in metafunc.fixturenames:
        metafunc.parametrize("param_set", _selected("DMASIM_PARAM_SETS", list(runner.PARAM_SETS)))
