"""`make bench`: build dma_bench_top, run the cocotb performance benches, report the figures.

    python -m tb.bench.run [--sim verilator|icarus] [--tests headline,xor] [--out build/bench]

Builds dma_top at its defaults with the bench parts of tb/hdl/, runs tb/bench/perf_bench.py,
prints every figure against its goal, and writes build/bench/results.json and PNG plots. Besides
the bench's own build it makes:
  * one per deep-latency case, with the mover buffer (BUF_BLOCKS, RD_TRACK) sized for it;
  * the speed comparison: the `speed` cases again on the bench built the way it was before this
    build existed (every signal public, the clock driven through cocotb's GPI, no extra
    optimisation), and the floor: a top with the same clocking and a counter only.

Exit status: 0 when every case ran and its data verified, whether or not a target was met
(misses are in the table, MISSED in red, and in results.json); 1 when a run failed (wrong data,
an error status, a timeout: its figures would be worthless); 2 for a tool or usage problem.
DMASIM_BENCH_STRICT=1 also exits 1 on a missed target (for a gate that wants that).
"""

from __future__ import annotations

import argparse
import dataclasses
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
from tb.bench.harness import CLK_NS
from tb.bench.perf_bench import SIZED_LATENCIES

HERE = Path(__file__).resolve().parent
HDL = HERE.parent / "hdl"
TOPLEVEL = "dma_bench_top"
SOURCES = (HDL / "bench_clock.v", HDL / "axi_mem_model.v", HDL / "dma_bench_top.v")
MODULE = "perf_bench"
FLOOR_TOP = "bench_floor_top"
FLOOR_SOURCES = (HDL / "bench_clock.v", HDL / "bench_floor_top.v")
FLOOR_MODULE = "speed_floor"
# the tests of MODULE that `make bench` runs on the bench's build (selfcheck is the harness's own
# test; the sized-latency tests run on builds of their own)
BENCH_TESTS = ("headline", "memcpy", "latency", "size", "b2b", "unaligned", "xor",
               "multichannel", "speed")

# The bench's build: the clock generated in the bench top (Verilator --timing), only what the
# Python side touches public (tb/hdl/bench_public.vlt), Verilator's slow optimisations on, and
# the model's C++ at -O2 rather than verilated.mk's -Os (measured: about a third less CPU time
# per cycle, for a longer compile).
CLOCKED = {"CLK_INTERNAL": 1, "CLK_PERIOD_NS": CLK_NS}
FAST = runner.BuildVariant("hdlclock", params=CLOCKED, verilator_args=("--timing", "-O3"),
                           make_args=("OPT_FAST=-O2",), public=HDL / "bench_public.vlt")
# The same bench built the way it was before: cocotb's defaults (--public-flat-rw) and its GPI
# clock on clk_ext; the HDL clock generator is not elaborated then, so it needs no --timing.
BEFORE = runner.BuildVariant("gpiclock", params={"CLK_INTERNAL": 0, "CLK_PERIOD_NS": CLK_NS},
                             verilator_args=("--no-timing",))
# Mover buffer per sized latency: BUF_BLOCKS blocks of MAX_BURST_LEN beats, RD_TRACK read bursts
# in flight; the smallest powers of two that keep the write channel >= 95 % busy at that latency
# (measured: at +128 the default 8 blocks give 68 %; at +256, 16 blocks give 83 % and RD_TRACK 16
# gives 94.7 %). tb/bench/report.py prints their block-RAM cost.
SIZED_BUFFERS = {128: {"BUF_BLOCKS": 16, "RD_TRACK": 16}, 256: {"BUF_BLOCKS": 32, "RD_TRACK": 32}}


def sized_variant(latency: int) -> runner.BuildVariant:
    buf = SIZED_BUFFERS[latency]
    return dataclasses.replace(FAST, name=f"hdlclock-bb{buf['BUF_BLOCKS']}-rt{buf['RD_TRACK']}",
                               params={**CLOCKED, **buf})


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
              log_to_file: bool = True, variant: runner.BuildVariant = FAST,
              module: str = MODULE, toplevel: str = TOPLEVEL,
              sources: Sequence[Path] = SOURCES, params: dict[str, int] | None = None,
              seed: int | None = None, waves: bool = False
              ) -> tuple[list[report.Record], str | None]:
    """Run these bench tests on one build; the records of every case that ran (each tagged with
    its build), and the failure (None if every case ran and verified)."""
    out.mkdir(parents=True, exist_ok=True)
    raw = out.resolve() / f"raw-{toplevel}-{variant.name}.jsonl"  # the simulator runs elsewhere
    raw.unlink(missing_ok=True)
    env = {"DMASIM_BENCH_RESULTS": str(raw),
           "DMASIM_BENCH_CLOCK": "hdl" if variant.params.get("CLK_INTERNAL", 1) else "gpi"}
    if quick is not None:
        env["DMASIM_BENCH_QUICK"] = "1" if quick else "0"
    failure = None
    try:
        runner.run(sim, module, HERE, params or {}, testcase=list(tests), extra_env=env,
                   log_to_file=log_to_file, toplevel=toplevel, extra_sources=sources,
                   seed=seed, waves=waves, variant=variant)
    except AssertionError as exc:
        failure = str(exc)
    records = [json.loads(line) for line in raw.read_text().splitlines()] if raw.exists() else []
    for r in records:
        r["build"] = variant.name
        r["build_params"] = dict(variant.params)
    return records, failure


def log_path(sim: str, params: dict[str, int], variant: runner.BuildVariant,
             toplevel: str = TOPLEVEL, module: str = MODULE) -> Path:
    return runner.work_dir(sim, params, module, toplevel, suffix=f"-{variant.name}") / "sim.log"


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tb.bench.run", description=__doc__.split("\n")[0])
    ap.add_argument("--sim", default="verilator", help="verilator (default) or icarus")
    ap.add_argument("--tests", default=",".join(BENCH_TESTS),
                    help=f"bench tests to run, comma separated (default: all of "
                         f"{', '.join(BENCH_TESTS)})")
    ap.add_argument("--sized", default="1", choices=("0", "1"),
                    help="1 (default): also the deep-latency cases on their own builds")
    ap.add_argument("--speed", default="1", choices=("0", "1"),
                    help="1 (default): also the speed comparison builds (needs the speed test)")
    ap.add_argument("--quick", default=None, choices=("0", "1"),
                    help="1: shorter transfers (the default on Icarus), 0: full sizes")
    ap.add_argument("--out", default=str(runner.BUILD_DIR / "bench"), help="output folder")
    ap.add_argument("--params", default="", help='RTL parameters, e.g. "CHANNELS=8"')
    ap.add_argument("--seed", type=int, default=None, help="cocotb random seed")
    ap.add_argument("--waves", action="store_true", help="record an FST waveform")
    args = ap.parse_args(argv)
    out = Path(args.out)
    quick = None if args.quick is None else args.quick == "1"
    tests = [t.strip() for t in args.tests.split(",") if t.strip()]
    started = time.monotonic()
    try:
        params = runner.parse_params(args.params)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # (what, variant, tests, module, toplevel, sources)
    plan: list[tuple[str, runner.BuildVariant, list[str], str, str, Sequence[Path]]] = [
        ("dma_top defaults", FAST, tests, MODULE, TOPLEVEL, SOURCES)]
    if args.sized == "1":
        plan += [(f"+{lat} cycles read latency", sized_variant(lat), [f"sized_latency_{lat}"],
                  MODULE, TOPLEVEL, SOURCES) for lat in SIZED_LATENCIES]
    if args.speed == "1" and "speed" in tests:
        plan += [("speed, built as before", BEFORE, ["speed"], MODULE, TOPLEVEL, SOURCES),
                 ("speed floor", FAST, ["floor"], FLOOR_MODULE, FLOOR_TOP, FLOOR_SOURCES)]
    records: list[report.Record] = []
    failures: list[str] = []
    logs: list[Path] = []
    for what, variant, vtests, module, top, sources in plan:
        log = log_path(args.sim, params, variant, top, module)
        logs.append(log)
        print(f"bench: {what}: building {top} ({variant.name}) and running {module} on "
              f"{args.sim} (log: {log})", flush=True)
        try:
            recs, failure = run_bench(args.sim, vtests, out, quick, variant=variant,
                                      module=module, toplevel=top, sources=sources,
                                      params=params, seed=args.seed, waves=args.waves)
        except (runner.ToolError, ValueError, FileNotFoundError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        records += recs
        if failure:
            failures.append(f"{what}: {failure}")
    wall = time.monotonic() - started

    cases = [r for r in records if r["build"] != BEFORE.name and "group" in r]
    figs = report.figures(records, main_build=FAST.name, before_build=BEFORE.name)
    is_quick = quick if quick is not None else args.sim == "icarus"
    meta = {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "simulator": args.sim,
        "quick": is_quick,
        "params": runner.full_params(params),
        "builds": {v.name: {"params": dict(v.params), "verilator_args": list(v.verilator_args),
                            "public": v.public.name if v.public else "--public-flat-rw"}
                   for _, v, *_ in plan},
        "rtl": rtl_identity(),
        "wall_s": round(wall, 1),
        "sim_cycles": sum(r["sim_cycles"] for r in cases),
        "sim_wall_s": round(sum(r["wall_sim_s"] for r in cases), 2),
        "sim_cpu_s": round(sum(r["cpu_sim_s"] for r in cases), 2),
        "failure": "; ".join(failures) or None,
    }
    rtl = meta["rtl"]
    shown = runner.format_params(runner.full_params(params))
    title = (f"dmasim bench: {args.sim}{' (quick sizes)' if is_quick else ''}, {shown}, "
             f"RTL {rtl['commit']}{'+modified' if rtl['rtl_modified'] == 'true' else ''} "
             f"sha {rtl['rtl_sha256']}, {meta['generated']}")
    report.print_tables(figs, cases, title)
    report.write_json(out / "results.json", figs, records, meta)
    plots = report.plot(out, cases)
    cps = meta["sim_cycles"] / meta["sim_cpu_s"] if meta["sim_cpu_s"] else 0
    print(f"wrote {out / 'results.json'}" + "".join(f", {p.name}" for p in plots))
    print(f"{len(cases)} cases, {meta['sim_cycles']} measured cycles simulated at "
          f"{cps:,.0f} cycles per CPU second; wall time {wall:.0f} s")
    missed = [f.label for f in figs if f.met is False]
    everything = set(tests) >= set(BENCH_TESTS) and args.sized == "1" and args.speed == "1"
    unmeasured = [f.label for f in figs if f.value is None and everything]
    if missed:
        print(f"targets missed: {', '.join(missed)}")
    if failures:
        for failure in failures:
            print(f"FAILED: {failure}", file=sys.stderr)
        for log in logs:
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
