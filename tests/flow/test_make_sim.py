"""`make sim` as users call it (CONTRACT §1): any folder's module, exit status, results table."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tb import runner

HERE = Path(__file__).resolve().parent


def make_sim(sim: str, test_dir: Path, module: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", "sim", f"SIM={sim}", f"TEST_DIR={test_dir}",
         f"TEST_MODULE={module}", *extra],
        cwd=runner.REPO, capture_output=True, text=True, timeout=600)


def test_module_outside_the_tree_passes(sim: str) -> None:
    proc = make_sim(sim, HERE / "outside", "outside_tests", "PARAMS=CHANNELS=2 DATA_WIDTH=32")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "TESTS=1 PASS=1 FAIL=0" in proc.stdout  # cocotb's results table reaches the user


def test_failing_module_fails_the_command(sim: str) -> None:
    proc = make_sim(sim, HERE / "failing", "failing_tests")
    assert proc.returncode != 0
    assert "FAIL=1" in proc.stdout


def test_waves_give_an_fst(sim: str) -> None:
    proc = make_sim(sim, HERE / "outside", "outside_tests", "WAVES=1")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    line = next(x for x in proc.stdout.splitlines() if x.startswith("waves: "))
    wave = Path(line.removeprefix("waves: "))
    assert wave.suffix == ".fst" and wave.stat().st_size > 0


@pytest.mark.parametrize("args, message", [
    (("TEST_MODULE=nope_tests",), "no cocotb test module nope_tests.py"),
    (("TEST_MODULE=outside_tests", "PARAMS=CHANELS=2"), "unknown RTL parameter 'CHANELS'"),
])
def test_bad_arguments_are_named(args: tuple[str, ...], message: str) -> None:
    proc = subprocess.run(["make", "--no-print-directory", "sim", "SIM=icarus",
                           f"TEST_DIR={HERE / 'outside'}", *args],
                          cwd=runner.REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    assert message in proc.stderr
