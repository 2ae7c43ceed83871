"""dmasim, the project's command-line tool (`.venv/bin/dmasim` after the set-up).

    dmasim bringup      the bring-up rehearsal (`make demo`): report in build/bringup/
    dmasim dmatest      the kernel's dmatest client on the provider driver, in simulation
    dmasim conformance  the conformance checker on the provider driver, in simulation
    dmasim bench        the performance benchmarks (`make bench`)

Every subcommand takes --sim {icarus,verilator} (default icarus), --params "CHANNELS=8
DATA_WIDTH=128", --seed N, --waves, --report DIR and -v. Exit status: 0 everything passed, 1 a
check failed, 2 bad usage (a one-line message names the problem).

Plain argparse: four subcommands with a handful of options need nothing more, it adds no
dependency to the pinned set, and its one-line error hook gives the exit-2 messages directly.
The tool lives in tb/ because it drives the simulator (through tb.runner); pydriver/ never
imports tb or cocotb.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from rich.console import Console

from tb import runner


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error (no usage dump): `dmasim bringup: error: ...`."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _params(text: str) -> dict[str, int]:
    try:
        return runner.parse_params(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _common(p: argparse.ArgumentParser, report: Path) -> None:
    p.add_argument("--sim", choices=runner.SIMULATORS, default="icarus",
                   help="simulator (default: icarus)")
    p.add_argument("--params", type=_params, default={}, metavar='"NAME=VALUE ..."',
                   help='dma_top parameters, e.g. "CHANNELS=8 DATA_WIDTH=128" ('
                        + "; ".join(f"{k} {runner.describe_values(v)}"
                                    for k, v in runner.PARAM_VALUES.items())
                        + "; defaults " + runner.format_params(runner.DEFAULT_PARAMS) + ")")
    p.add_argument("--seed", type=int, default=None, metavar="N",
                   help="random seed (default: a new one, printed so the run can be repeated)")
    p.add_argument("--waves", action="store_true", help="record an FST waveform")
    p.add_argument("--report", type=Path, default=report, metavar="DIR",
                   help=f"where the reports go (default: {report.relative_to(runner.REPO)})")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show the simulator's output on the terminal too (it always goes to "
                        "the log file)")


def _console() -> Console:
    """Rich's console; wide enough for the report table when the output goes to a file."""
    console = Console()
    return console if console.is_terminal else Console(width=160)


def _bringup(args: argparse.Namespace) -> int:
    from tb.bringup import launch

    opts = launch.Options(sim=args.sim, params=args.params, seed=args.seed, waves=args.waves,
                          out=args.report, verbose=args.verbose, inject=args.inject)
    return launch.run_bringup(opts, _console())


def _at_least(minimum: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text, 0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected {minimum} or more, got {value}")
        return value
    return parse


_count = _at_least(0)


def _dmatest_tests(text: str) -> list[str]:
    from pydriver.dmatest import TESTS

    tests = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in tests if t not in TESTS]
    if unknown or not tests:
        raise argparse.ArgumentTypeError(f"unknown dmatest test {', '.join(unknown) or text!r}: "
                                         f"choose from {', '.join(TESTS)}")
    return tests


def _dmatest(args: argparse.Namespace) -> int:
    import json

    from rich.table import Table

    from tb.commands.simulate import run_client

    console = _console()
    options = {"test_channel": args.channel, "test_device": args.device,
               "threads_per_chan": args.threads_per_chan, "max_channels": args.max_channels,
               "iterations": args.iterations, "test_buf_size": args.test_buf_size,
               "xor_sources": args.xor_sources, "timeout_ms": args.timeout_ms,
               "noverify": args.noverify,
               "tests": args.tests,
               "seed": args.seed or 0}
    failure = run_client("dmatest_sim", sim=args.sim, params=args.params, seed=args.seed,
                         waves=args.waves, out=args.report, verbose=args.verbose,
                         options=options, console=console, what="dmatest")
    path = args.report / "dmatest.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    table = Table(title="dmatest", title_justify="left")
    for col in ("thread", "tests", "failures", "iops", "KB/s"):
        table.add_column(col, justify="left" if col == "thread" else "right")
    for r in rows:
        table.add_row(r["thread"], str(r["tests"]),
                      f"[{'red' if r['failures'] else 'green'}]{r['failures']}[/]",
                      str(r["iops"]), str(r["kbps"]))
    if rows:
        console.print(table)
        for r in rows:
            console.print(r["summary"], highlight=False, markup=False)
    if failure:
        console.print(f"FAILED: {failure}", style="red", highlight=False)
        return 1
    return 0


def _conformance(args: argparse.Namespace) -> int:
    from tb.commands.simulate import run_client

    console = _console()
    failure = run_client("conformance_sim", sim=args.sim, params=args.params, seed=args.seed,
                         waves=args.waves, out=args.report, verbose=args.verbose,
                         options={"seed": args.seed or 0, "iterations": args.iterations},
                         console=console, what="conformance checker")
    text = args.report / "conformance.txt"
    if text.exists():
        console.print(text.read_text().rstrip(), highlight=False, markup=False)
        console.print(f"JUnit: {args.report / 'junit.xml'}", highlight=False)
    if failure:
        console.print(f"FAILED: {failure}", style="red", highlight=False)
        return 1
    return 0


def _bench(args: argparse.Namespace) -> int:
    from tb.bench import run as bench

    argv = ["--sim", args.sim, "--out", str(args.report),
            "--params", runner.format_params(args.params)]
    if args.seed is not None:
        argv += ["--seed", str(args.seed)]
    if args.waves:
        argv.append("--waves")
    if args.tests:
        argv += ["--tests", args.tests]
    return bench.main(argv)


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="dmasim", description="dmasim: the DMA controller's simulation tools.",
                 epilog="Exit status: 0 all passed, 1 a check failed, 2 bad usage.")
    sub = ap.add_subparsers(dest="command", required=True, metavar="COMMAND",
                            parser_class=_Parser)

    def command(name: str, help_: str, description: str,
                handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=description,
                           epilog="Exit status: 0 all passed, 1 a check failed, 2 bad usage.")
        p.set_defaults(handler=handler)
        _common(p, runner.BUILD_DIR / name)
        return p

    p = command("bringup", "the bring-up rehearsal, driver and all",
                "Rehearse a board bring-up on the simulated controller: identity, register "
                "walk, interrupts, fault drills, all channels, then the provider driver's probe "
                "and self-tests, dmaengine registration, a client session, dmatest on every "
                "channel and the conformance checker. Shows progress, prints a table and writes "
                "report.md, report.json and junit.xml; the simulator's output goes to "
                "bringup.log in the report folder.", _bringup)
    # Test hook (tb/bringup/inject.py): a wrong expectation or an unexpected bus fault.
    p.add_argument("--inject", default="", help=argparse.SUPPRESS)

    p = command("dmatest", "the kernel's dmatest client on the provider driver",
                "Bring up the simulated system with the provider driver and run dmatest (the "
                "kernel's drivers/dma/dmatest.c as a dmaengine client) with the kernel's module "
                "parameters; prints each thread's summary line. Fails on any counted failure.",
                _dmatest)
    p.add_argument("--channel", default="", help='test_channel, e.g. dma0chan1 (default: any)')
    p.add_argument("--device", default="", help="test_device, e.g. dma0 (default: any)")
    p.add_argument("--threads-per-chan", type=_at_least(1), default=1, metavar="N")
    p.add_argument("--max-channels", type=_count, default=0, metavar="N", help="0: all")
    p.add_argument("--iterations", type=_count, default=20, metavar="N",
                   help="tests per thread (default 20; 0 means 100, as dmatest's default)")
    p.add_argument("--test-buf-size", type=_count, default=16384, metavar="BYTES")
    p.add_argument("--xor-sources", type=_count, default=3, metavar="N")
    p.add_argument("--timeout-ms", type=_at_least(-1), default=3000, metavar="MS",
                   help="per-transfer wait in simulated ms (-1: no limit)")
    p.add_argument("--noverify", action="store_true", help="do not check the buffers")
    p.add_argument("--tests", type=_dmatest_tests, default=["copy"], metavar="A,B",
                   help="threads per channel: copy, xor, memset (default: copy)")

    p = command("conformance", "the conformance checker on the provider driver",
                "Bring up the simulated system with the provider driver and run the "
                "conformance checker's standard workload on it: every async_tx/dmaengine rule "
                "a provider must keep is watched. Prints the report and writes JUnit XML.",
                _conformance)
    p.add_argument("--iterations", type=_count, default=200, metavar="N",
                   help="workload scenarios (default 200)")

    p = command("bench", "the performance benchmarks",
                "Build dma_top with the Verilog memory model and measure throughput and "
                "latency; prints the figures against their targets and writes results.json "
                "and plots. Icarus runs shorter transfers.", _bench)
    p.add_argument("--tests", default="", metavar="A,B",
                   help="bench cases to run, comma separated (default: all)")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args)
    except (runner.ToolError, ValueError) as exc:
        print(f"dmasim {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"dmasim {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
