"""`make sim` as users call it (README, "Running parts of the regression"): any folder's module,
exit status, results table, per-run log, and a one-line error for bad arguments."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tb import runner

HERE = Path(__file__).resolve().parent


def make_sim(sim: str, test_dir: Path | str, module: str, *extra: str,
             caller: Path = runner.REPO) -> subprocess.CompletedProcess:
    """`make -C <repo> sim ...` from a shell whose working directory is ``caller``."""
    args = ["make", "--no-print-directory", "-C", str(runner.REPO), "sim", f"SIM={sim}",
            f"TEST_DIR={test_dir}", f"TEST_MODULE={module}", *extra]
    return subprocess.run(args, cwd=caller, env={**os.environ, "PWD": str(caller)},
                          capture_output=True, text=True, timeout=600)


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


def test_relative_test_dir_is_the_callers(sim: str) -> None:
    proc = make_sim(sim, "outside", "outside_tests", caller=HERE)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "TESTS=1 PASS=1 FAIL=0" in proc.stdout


def test_testcase_seed_and_the_run_log(sim: str) -> None:
    """TESTCASE and SEED reach cocotb; the library banners of the bus models the module builds
    stay out of the terminal and in the run's log."""
    proc = make_sim(sim, runner.REPO / "tests" / "rtl", "identity_tests",
                    "TESTCASE=id_and_version", "SEED=1234")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "TESTS=1 PASS=1 FAIL=0" in proc.stdout
    assert "Seeding Python random module with 1234" in proc.stdout
    log = runner.BUILD_DIR / "run" / runner.run_key(sim, {}) / "identity_tests" / "sim.log"
    banner = "cocotbext-axi version"
    assert banner not in proc.stdout
    assert banner in log.read_text()
    assert "id_and_version passed" in log.read_text()


@pytest.mark.parametrize("args, message", [
    (("TEST_MODULE=nope_tests",), "no cocotb test module nope_tests.py"),
    (("TEST_MODULE=outside_tests", "PARAMS=CHANELS=2"), "unknown RTL parameter 'CHANELS'"),
    (("TEST_MODULE=outside_tests", "PARAMS=CHANNELS=0"),
     "RTL parameter CHANNELS=0 is not supported: dma_top takes CHANNELS 1..16"),
    (("TEST_MODULE=outside_tests", "PARAMS=DATA_WIDTH=48"),
     "RTL parameter DATA_WIDTH=48 is not supported: dma_top takes DATA_WIDTH 32, 64 or 128"),
    (("TEST_MODULE=outside_tests", "PARAMS=ADDR_WIDTH=16"), "takes ADDR_WIDTH 32..64"),
    (("TEST_MODULE=outside_tests", "WAVES=yes"), "WAVES must be 0 or 1, got 'yes'"),
    (("TEST_MODULE=outside_tests", "SEED=x"), "SEED must be an integer, got 'x'"),
    (("TEST_MODULE=outside_tests", "SIM=questa"), "unknown simulator 'questa'"),
])
def test_bad_arguments_are_named(args: tuple[str, ...], message: str) -> None:
    """One line naming the problem, before anything is built, and no traceback (every range
    limit is checked in tests/unit/test_runner_params.py)."""
    proc = subprocess.run(["make", "--no-print-directory", "sim", "SIM=icarus",
                           f"TEST_DIR={HERE / 'outside'}", *args],
                          cwd=runner.REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2
    ours = [line for line in proc.stderr.splitlines() if not line.startswith("make")]
    assert ours == [f"error: {ours[0].removeprefix('error: ')}"] and message in ours[0], \
        proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""  # refused before anything was built or run


def test_failed_build_shows_the_compilers_words(tmp_path: Path) -> None:
    """A build that fails names the compiler's complaint and the log, as a BuildError."""
    top = tmp_path / "broken_top.v"
    top.write_text("module broken_top(input wire clk);\n  wire [3:0] x = ;\nendmodule\n")
    with pytest.raises(runner.BuildError) as info:
        runner.build("icarus", toplevel="broken_top", extra_sources=[top])
    text = str(info.value)
    assert "icarus could not build broken_top" in text
    assert "broken_top.v:2: syntax error" in text
    log = Path(text.splitlines()[-1].removeprefix("build log: "))
    assert log.name == "build.log" and "syntax error" in log.read_text()
