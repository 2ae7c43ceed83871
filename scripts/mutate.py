"""`make mutate`: mutation testing of rtl/, the standing measure of the regression's strength.

Every mutant of scripts/mutants.toml (one exact text change in one RTL file) is applied to a
scratch copy of rtl/ under build/mutate/<id>/, built, and run against the quick subset of the
register-level regression the same file lists (one simulator, one parameter set, fixed seed),
module after module until one fails. A mutant is

- killed: a test failed (the first failing module's failing tests are named);
- survived: the whole subset passed; a survivor needs a new test, or `equivalent = "<reason>"`
  in the data file when no test can tell it from the real design;
- hang: a module run exceeded the wall-clock limit (a test waited without a bound: a testbench
  bug, reported and counted as killed);
- no longer applies: its original text is not in the file exactly once (the RTL changed:
  retarget the mutant); does not build: the change is not valid Verilog.

The unmutated RTL runs the subset first (it must pass; its time is the subset's cost). The report
(Markdown table and JSON, with the score killed / (killed + survived)) goes to build/mutate/.
Exit status 0 only when every mutant applies, builds and is killed or listed as equivalent, and
none hung.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import tomllib
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tb import runner  # noqa: E402

DATA = REPO / "scripts" / "mutants.toml"
OUT = REPO / "build" / "mutate"
TEST_DIR = REPO / "tests" / "rtl"
RTL_FILES = ("*.v", "*.vh")


class DataError(ValueError):
    """scripts/mutants.toml is malformed."""


class NoLongerApplies(Exception):
    """The RTL changed under a mutant: its original text is gone or ambiguous."""


@dataclass(frozen=True)
class Mutant:
    id: str
    block: str
    file: str
    original: str
    replacement: str
    description: str
    equivalent: str = ""


@dataclass(frozen=True)
class Step:
    """One module of the quick subset (all its tests unless `tests` names some)."""

    module: str
    tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    sim: str
    param_set: str
    seed: int
    module_time_limit: int


@dataclass
class Result:
    id: str
    block: str
    file: str
    description: str
    status: str  # killed, survived, hang, equivalent, no longer applies, does not build
    killed_by: list[str] = field(default_factory=list)
    seconds: float = 0.0
    detail: str = ""
    equivalent: str = ""


def load(path: Path = DATA) -> tuple[Settings, list[Step], list[Mutant]]:
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DataError(f"{path}: {exc}") from None
    try:
        settings = Settings(**data["settings"])
        steps = [Step(s["module"], tuple(s.get("tests", ()))) for s in data["subset"]]
        mutants = [Mutant(**m) for m in data["mutant"]]
    except (KeyError, TypeError) as exc:
        raise DataError(f"{path}: missing or unknown entry: {exc}") from None
    if settings.param_set not in runner.PARAM_SETS:
        raise DataError(f"{path}: unknown param_set {settings.param_set!r}")
    ids = [m.id for m in mutants]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise DataError(f"{path}: mutant ids used twice: {', '.join(dup)}")
    for step in steps:
        if not (TEST_DIR / f"{step.module}.py").is_file():
            raise DataError(f"{path}: subset module {step.module} not in {TEST_DIR}")
    return settings, steps, mutants


def apply(m: Mutant, dest: Path) -> None:
    """A copy of rtl/ with the mutant applied in `dest`; NoLongerApplies if it cannot be."""
    src = runner.RTL_DIR / m.file
    if not src.is_file():
        raise NoLongerApplies(f"rtl/{m.file} does not exist")
    text = src.read_text()
    count = text.count(m.original)
    if count != 1:
        where = "is not in" if count == 0 else f"occurs {count} times in"
        raise NoLongerApplies(f"its original text {where} rtl/{m.file}")
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for pattern in RTL_FILES:
        for f in runner.RTL_DIR.glob(pattern):
            shutil.copy2(f, dest / f.name)
    (dest / m.file).write_text(text.replace(m.original, m.replacement))


def failed_tests(xml: Path) -> list[str]:
    if not xml.is_file():
        return []
    out = []
    for case in ET.parse(xml).iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            out.append(f"{case.get('classname')}.{case.get('name')}")
    return out


def run_step(settings: Settings, step: Step, rtl_dir: Path, root: Path,
             log) -> tuple[str, list[str], float]:
    """Run one subset module on the RTL in `rtl_dir`: (pass / fail / hang, failed tests, s)."""
    params = runner.full_params(runner.PARAM_SETS[settings.param_set])
    cmd = [sys.executable, "-m", "tb.runner", "--sim", settings.sim,
           "--test-dir", str(TEST_DIR), "--test-module", step.module,
           "--params", " ".join(f"{k}={v}" for k, v in params.items()),
           "--rtl-dir", str(rtl_dir), "--build-root", str(root)]
    if step.tests:
        cmd += ["--testcase", ",".join(step.tests)]
    xml = root / "junit" / f"{runner.run_key(settings.sim, params)}-{step.module}.xml"
    xml.unlink(missing_ok=True)
    env = {**os.environ, "DMASIM_SEED": str(settings.seed)}
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # its own group: a hang is killed whole
    try:
        rc = proc.wait(timeout=settings.module_time_limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        return "hang", [step.module], time.monotonic() - start
    except BaseException:  # interrupted (Ctrl-C, SIGTERM): take the simulator down too
        os.killpg(proc.pid, signal.SIGKILL)
        raise
    seconds = time.monotonic() - start
    if rc == 0:
        return "pass", [], seconds
    return "fail", failed_tests(xml) or [f"{step.module} (simulator exited {rc})"], seconds


def run_subset(settings: Settings, steps: list[Step], rtl_dir: Path, root: Path,
               stop_at_failure: bool = True) -> tuple[str, list[str], float, str]:
    """(killed / survived / hang, what failed, seconds, log) of the subset on `rtl_dir`."""
    root.mkdir(parents=True, exist_ok=True)
    log_path = root / "subset.log"
    total = 0.0
    with open(log_path, "w") as log:
        for step in steps:
            outcome, failed, seconds = run_step(settings, step, rtl_dir, root, log)
            total += seconds
            if outcome != "pass" and stop_at_failure:
                return ("hang" if outcome == "hang" else "killed"), failed, total, str(log_path)
    return "survived", [], total, str(log_path)


def build(settings: Settings, rtl_dir: Path, root: Path) -> str:
    """'' when the RTL builds, else the error."""
    params = runner.full_params(runner.PARAM_SETS[settings.param_set])
    try:
        runner.build(settings.sim, params, rtl_dir=rtl_dir, build_root=root)
    except Exception as exc:  # any build failure: the simulator's message is in build.log
        log = runner.build_dir_for(settings.sim, params, False, build_root=root) / "build.log"
        return f"{type(exc).__name__} (see {log})"
    return ""


def mutate_one(settings: Settings, steps: list[Step], m: Mutant) -> Result:
    res = Result(m.id, m.block, m.file, m.description, "", equivalent=m.equivalent)
    root = OUT / m.id
    rtl_dir = root / "rtl"
    try:
        apply(m, rtl_dir)
    except NoLongerApplies as exc:
        res.status, res.detail = "no longer applies", str(exc)
        return res
    start = time.monotonic()
    error = build(settings, rtl_dir, root)
    if error:
        res.status, res.detail = "does not build", error
        return res
    outcome, failed, _, log = run_subset(settings, steps, rtl_dir, root)
    res.seconds = round(time.monotonic() - start, 1)
    res.killed_by, res.detail = failed, log
    res.status = "equivalent" if outcome == "survived" and m.equivalent else outcome
    if outcome != "survived" and m.equivalent:
        res.detail = f"listed as equivalent ({m.equivalent}) but a test tells it apart; {log}"
    print(f"{m.id:28s} {res.status:10s} {res.seconds:6.1f}s  {', '.join(failed)}", flush=True)
    return res


def score(results: list[Result]) -> dict:
    count = {s: sum(r.status == s for r in results) for s in
             ("killed", "hang", "survived", "equivalent", "no longer applies", "does not build")}
    detected = count["killed"] + count["hang"]
    judged = detected + count["survived"]
    return {**count, "total": len(results),
            "score": round(detected / judged, 4) if judged else None}


def report(settings: Settings, steps: list[Step], baseline: float, results: list[Result]) -> dict:
    summary = score(results)
    doc = {"sim": settings.sim, "param_set": settings.param_set, "seed": settings.seed,
           "subset": [asdict(s) for s in steps], "subset_seconds_unmutated": round(baseline, 1),
           "summary": summary, "mutants": [asdict(r) for r in results]}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.json").write_text(json.dumps(doc, indent=2) + "\n")
    pct = f"{100 * summary['score']:.1f} %" if summary["score"] is not None else "n/a"
    lines = [
        "# Mutation report",
        "",
        f"{summary['total']} mutants of rtl/ (scripts/mutants.toml), quick subset of tests/rtl on "
        f"{settings.sim}, parameter set {settings.param_set}, DMASIM_SEED={settings.seed}; the "
        f"unmutated RTL passes the subset in {baseline:.0f} s.",
        "",
        f"**Score: {pct}** ({summary['killed']} killed + {summary['hang']} hung, of "
        f"{summary['killed'] + summary['hang'] + summary['survived']} non-equivalent); "
        f"{summary['survived']} survived, {summary['equivalent']} equivalent, "
        f"{summary['no longer applies']} no longer apply, {summary['does not build']} do not "
        "build.",
        "",
        "| mutant | block | file | status | killed by | s | change |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        why = r.equivalent if r.status == "equivalent" else \
            r.detail if r.status in ("no longer applies", "does not build") else ""
        killed_by = "<br>".join(r.killed_by[:3]) + (" …" if len(r.killed_by) > 3 else "")
        lines.append(f"| {r.id} | {r.block} | {r.file} | {r.status} | {killed_by or why} | "
                     f"{r.seconds:.0f} | {r.description} |")
    (OUT / "report.md").write_text("\n".join(lines) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("mutate: terminated"))
    ap = argparse.ArgumentParser(prog="scripts/mutate.py", description=__doc__.split("\n")[0])
    ap.add_argument("--only", default="", help="comma-separated mutant ids (default: all)")
    ap.add_argument("--jobs", type=int, default=1, help="mutants run in parallel")
    ap.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = ap.parse_args(argv)
    try:
        settings, steps, mutants = load()
        runner.check_simulator(settings.sim)
        runner.setup_tool_env()
    except (DataError, runner.ToolError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.only:
        wanted = set(args.only.split(","))
        unknown = wanted - {m.id for m in mutants}
        if unknown:
            print(f"error: unknown mutant ids: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        mutants = [m for m in mutants if m.id in wanted]
    if args.list:
        for m in mutants:
            print(f"{m.id:28s} {m.block:18s} {m.file:14s} {m.description}")
        return 0
    print(f"unmutated RTL: quick subset on {settings.sim} ({settings.param_set})", flush=True)
    base_root = OUT / "unmutated"
    error = build(settings, runner.RTL_DIR, base_root)
    if error:
        print(f"error: the unmutated RTL does not build: {error}", file=sys.stderr)
        return 1
    outcome, failed, baseline, log = run_subset(settings, steps, runner.RTL_DIR, base_root)
    if outcome != "survived":
        print(f"error: the unmutated RTL fails the subset ({', '.join(failed)}; log {log})",
              file=sys.stderr)
        return 1
    print(f"unmutated RTL passes in {baseline:.0f} s; {len(mutants)} mutants", flush=True)
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda m: mutate_one(settings, steps, m), mutants))
    summary = report(settings, steps, baseline, results)
    print(f"\n{(OUT / 'report.md').read_text()}")
    bad = [r for r in results if r.status in ("survived", "hang", "no longer applies",
                                                "does not build")
           or (r.equivalent and r.status != "equivalent")]
    for r in bad:
        print(f"{r.id}: {r.status} {r.detail}", file=sys.stderr)
    return 0 if not bad and summary["total"] else 1


if __name__ == "__main__":
    sys.exit(main())
