"""`make bench`: build dma_bench_top, run the cocotb performance benches, report the figures.

    python -m tb.bench.run [--sim verilator|icarus] [--tests headline,xor] [--out build/bench]

Builds dma_top with the bench parts of tb/hdl/ (DATA_WIDTH 64, the other parameters at their
defaults), runs tb/bench/perf_bench.py, prints the figures against their targets with the peer
axi_cdma's beside them, and writes build/bench/results.json and PNG plots.

Exit status: 0 when every case ran and its data verified, whether or not a target was met
(misses are in the table, MISSED in red, and in results.json); 1 when a run failed (wrong data,
an error status, a timeout: its figures would be worthless); 2 for a tool or usage problem.
DMASIM_BENCH_STRICT=1 also exits 1 on a missed target (for a gate that wants that).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from tb import runner
from tb.bench import report

HERE = Path(__file__).resolve().parent
HDL = HERE.parent / "hdl"
TOPLEVEL = "dma_bench_top"
SOURCES = (HDL / "axi_mem_model.v", HDL / "dma_bench_top.v")
MODULE = "perf_bench"
# the tests of MODULE that `make bench` runs (selfcheck is the harness's own test)
BENCH_TESTS = ("headline", "memcpy", "latency", "size", "b2b", "unaligned", "xor")


def rtl_identity() -> dict[str, str]:
    """What RTL was measured: the git commit, and a hash of rtl/*.v as it stood (it may be
    uncommitted)."""
    h = hashlib.sha256()
    for p in runner.rtl_sources():
        h.update(p.name.encode() + b"\0" + p.read_bytes())

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=runner.REPO, capture_output=True,
                                  text=True, timeout=10).stdout.strip()
        except OSError:
            return ""

    dirty = bool(git("status", "--porcelain", "--", "rtl"))
    return {"commit": git("rev-parse", "--short", "HEAD"), "rtl_modified": str(dirty).lower(),
            "rtl_sha256": h.hexdigest()[:16]}


def run_bench(sim: str, tests: Sequence[str], out: Path, quick: bool | None,
              log_to_file: bool = True, params: dict[str, int] | None = None,
              seed: int | None = None, waves: bool = False
              ) -> tuple[list[report.Record], str | None]:
    """Run these bench tests; the records of every case that ran, and the failure (None if
    every case ran and verified)."""
    out.mkdir(parents=True, exist_ok=True)
    raw = out / "raw.jsonl"
    raw.unlink(missing_ok=True)
    env = {"DMASIM_BENCH_RESULTS": str(raw)}
    if quick is not None:
        env["DMASIM_BENCH_QUICK"] = "1" if quick else "0"
    failure = None
    try:
        runner.run(sim, MODULE, HERE, params or {}, testcase=list(tests), extra_env=env,
                   log_to_file=log_to_file, toplevel=TOPLEVEL, extra_sources=SOURCES,
                   seed=seed, waves=waves)
    except AssertionError as exc:
        failure = str(exc)
    records = [json.loads(line) for line in raw.read_text().splitlines()] if raw.exists() else []
    return records, failure


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tb.bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--sim", default="verilator", help="verilator (default) or icarus")
    ap.add_argument("--tests", default=",".join(BENCH_TESTS),
                    help=f"bench tests to run, comma separated (default: all of "
                         f"{', '.join(BENCH_TESTS)})")
    ap.add_argument("--quick", default=None, choices=("0", "1"),
                    help="1: shorter transfers (the default on Icarus), 0: full sizes")
    ap.add_argument("--out", default=str(runner.BUILD_DIR / "bench"), help="output folder")
    ap.add_argument("--params", default="", help='RTL parameters, e.g. "CHANNELS=8"')
    ap.add_argument("--seed", type=int, default=None, help="cocotb random seed")
    ap.add_argument("--waves", action="store_true", help="record an FST waveform")
    args = ap.parse_args(argv)
    out = Path(args.out)
    quick = None if args.quick is None else args.quick == "1"
    started = time.monotonic()
    try:
        params = runner.parse_params(args.params)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    log = runner.work_dir(args.sim, params, MODULE, TOPLEVEL) / "sim.log"
    print(f"bench: building {TOPLEVEL} and running {MODULE} on {args.sim} (log: {log})",
          flush=True)
    try:
        tests = [t.strip() for t in args.tests.split(",") if t.strip()]
        records, failure = run_bench(args.sim, tests, out, quick, params=params,
                                     seed=args.seed, waves=args.waves)
    except (runner.ToolError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    wall = time.monotonic() - started

    figs = report.figures(records)
    is_quick = quick if quick is not None else args.sim == "icarus"
    meta = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "simulator": args.sim,
        "quick": is_quick,
        "params": runner.full_params(params),
        "rtl": rtl_identity(),
        "wall_s": round(wall, 1),
        "sim_cycles": sum(r["sim_cycles"] for r in records),
        "sim_wall_s": round(sum(r["wall_sim_s"] for r in records), 2),
        "failure": failure,
    }
    rtl = meta["rtl"]
    shown = runner.format_params(runner.full_params(params))
    title = (f"dmasim bench: {args.sim}{' (quick sizes)' if is_quick else ''}, {shown}, "
             f"RTL {rtl['commit']}{'+modified' if rtl['rtl_modified'] == 'true' else ''} "
             f"sha {rtl['rtl_sha256']}, {meta['generated']}")
    report.print_tables(figs, records, title)
    report.write_json(out / "results.json", figs, records, meta)
    plots = report.plot(out, records)
    cps = meta["sim_cycles"] / meta["sim_wall_s"] if meta["sim_wall_s"] else 0
    print(f"wrote {out / 'results.json'}" + "".join(f", {p.name}" for p in plots))
    print(f"{len(records)} cases, {meta['sim_cycles']} measured cycles simulated at "
          f"{cps:,.0f} cycles/s; wall time {wall:.0f} s")
    missed = [f.label for f in figs if f.met is False]
    unmeasured = [f.label for f in figs if f.value is None and set(tests) >= set(BENCH_TESTS)]
    if missed:
        print(f"targets missed: {', '.join(missed)}")
    if failure:
        print(f"FAILED: {failure} (log: {log})", file=sys.stderr)
        if log.exists():
            for line in log.read_text(errors="replace").splitlines():
                if "BenchError" in line or " failed" in line:
                    print("  " + line.strip(), file=sys.stderr)
        return 1
    if unmeasured:
        print(f"FAILED: not measured: {', '.join(unmeasured)}", file=sys.stderr)
        return 1
    if missed and os.environ.get("DMASIM_BENCH_STRICT", "") not in ("", "0"):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
