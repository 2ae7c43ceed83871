"""`dmasim bringup` on the CLI's side: build dma_top, run the rehearsal in the simulator with
its output going to the log file, show live progress from the progress stream, then print the
table and write the reports (report.md, report.json, junit.xml) into the report folder.

The simulator runs in a worker thread (tb.runner blocks until it exits) while this thread tails
build/bringup/progress.jsonl. Steps the simulator never reported (it crashed or was killed) are
FAIL with a pointer to the log: a report is always complete.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console, Group
from rich.live import Live
from rich.spinner import Spinner

from tb import runner
from tb.bringup import inject, plan, report
from tb.bringup.progress import ProgressReader
from tb.bringup.result import FAIL, StepResult, all_passed

HERE = Path(__file__).resolve().parent
MODULE = "rehearsal"
DEFAULT_OUT = runner.BUILD_DIR / "bringup"
REPORT_FILES = ("report.json", "report.md", "junit.xml", "progress.jsonl", "bringup.gtkw",
                "runner.log")


@dataclass
class Options:
    sim: str = "icarus"
    params: dict[str, int] | None = None
    seed: int | None = None
    waves: bool = False
    out: Path = DEFAULT_OUT
    verbose: bool = False
    inject: str = ""


class _Simulation(threading.Thread):
    """tb.runner.run in a thread; keeps what went wrong for the main thread."""

    def __init__(self, opts: Options, log: Path, env: dict[str, str]) -> None:
        super().__init__(daemon=True)
        self.opts, self.log, self.env = opts, log, env
        self.error: str | None = None  # the simulator or the build did not finish normally
        self.usage: Exception | None = None  # a tool is missing or an argument is bad

    def run(self) -> None:
        try:
            runner.run(self.opts.sim, MODULE, HERE, self.opts.params, waves=self.opts.waves,
                       seed=self.opts.seed, extra_env=self.env, log_file=self.log)
        except AssertionError:
            pass  # steps failed: the report says which
        except (runner.ToolError, ValueError, FileNotFoundError) as exc:
            self.usage = exc
        except SystemExit as exc:  # cocotb's runner exits when the simulator's status is not 0
            self.error = f"the simulator exited with status {exc.code}"
        except Exception as exc:  # a failed build, mostly
            self.error = f"{type(exc).__name__}: {exc}"


class _Display:
    """Live table while the rehearsal runs (a terminal), or a line per step (a log)."""

    def __init__(self, console: Console, title: str, names: list[str]) -> None:
        self.console, self.title, self.names = console, title, names
        self.results: list[StepResult] = []
        self.running: str | None = None
        self.phase = "building dma_top"

    def render(self):
        done = {r.name for r in self.results}
        pending = [n for n in self.names if n not in done]
        status = Spinner("dots", text=f"{self.phase} ({len(self.results)}/{len(self.names)})")
        return Group(report.table(self.results, self.title, pending, self.running), status)

    def event(self, ev: dict) -> None:
        kind = ev.get("event")
        if kind == "plan":
            self.names = list(ev["steps"])
            self.phase = "rehearsing"
        elif kind == "start":
            self.running = ev["name"]
            self.phase = f"running: {ev['name']}"
        elif kind == "end":
            r = StepResult.from_dict(ev["step"])
            self.results.append(r)
            if not self.console.is_terminal:
                self.console.print(f"{len(self.results):>3}/{len(self.names)} {r.result} "
                                   f"{r.name}", highlight=False)


def _final_results(out: Path, display: _Display, why_missing: str) -> list[StepResult]:
    """What the simulator reported, completed with a FAIL for every step it never reached."""
    path = out / "report.json"
    results = report.read_json(path) if path.exists() else list(display.results)
    seen = {r.name for r in results}
    return results + [StepResult(n, FAIL, 0, why_missing) for n in display.names
                      if n not in seen]


def run_bringup(opts: Options, console: Console) -> int:
    """The whole command; returns the exit status (0 all passed, 1 a step failed, 2 usage)."""
    params = runner.full_params(opts.params or {})
    names = plan.steps(params["CHANNELS"])
    inject.parse(opts.inject, names)  # ValueError names the bad hook before anything runs
    out = opts.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    for name in REPORT_FILES:
        (out / name).unlink(missing_ok=True)
    log = out / "bringup.log"
    waves = runner.wave_file(opts.sim, params, MODULE) if opts.waves else None
    env = {"DMASIM_BRINGUP_DIR": str(out),
           "DMASIM_BRINGUP_PARAMS": runner.format_params(params),
           inject.ENV: opts.inject}
    if opts.seed is not None:
        env["DMASIM_SEED"] = str(opts.seed)
    if waves:
        env["DMASIM_BRINGUP_WAVES"] = str(waves)
    info = report.RunInfo(opts.sim, params, opts.seed, log=log, waves=waves,
                          gtkw=out / "bringup.gtkw" if waves else None)
    title = f"dmasim bring-up: dma_top {info.params_text} on {opts.sim}"
    console.print(f"{title} (simulator log: {report.shown(log)})", highlight=False)

    display = _Display(console, title, names)
    progress = ProgressReader(out / "progress.jsonl")
    sim = _Simulation(opts, log, env)
    started = time.monotonic()
    runner.log_commands_to(out / "runner.log", opts.verbose)
    log_offset = 0
    sim.start()
    with Live(display.render(), console=console, refresh_per_second=8, transient=True,
              auto_refresh=console.is_terminal) as live:
        while True:
            alive = sim.is_alive()
            for ev in progress.new_events():
                display.event(ev)
                if ev.get("event") == "plan" and ev.get("seed") is not None:
                    info.seed = ev["seed"]
                if ev.get("event") == "end":
                    info.step_wall_s[ev["step"]["name"]] = ev.get("wall_s", 0.0)
            if opts.verbose:
                log_offset = _echo_log(log, log_offset, live.console)
            live.update(display.render())
            if not alive:
                break
            time.sleep(0.1)
    sim.join()
    info.wall_s = time.monotonic() - started
    if sim.usage is not None:
        console.print(f"error: {sim.usage}", style="red", highlight=False)
        return 2
    # The simulator's status is not 0 when a step failed; it matters only if the rehearsal
    # did not get to write its report (a crash, a failed build).
    finished = (out / "report.json").exists()
    error = None if finished else sim.error or "the simulator stopped before the end"
    why = f"not run: {error} (log: {report.shown(log)})"
    results = _final_results(out, display, why)
    report.write_json(out / "report.json", results)
    report.write_markdown(out / "report.md", results, info)
    report.write_junit(out / "junit.xml", results, info)
    console.print(report.table(results, title))
    console.print(f"{report.summary(results)}; wall time {info.wall_s:.0f} s"
                  + (f"; seed {info.seed}" if info.seed is not None else ""), highlight=False)
    console.print(f"reports: {report.shown(out)}/report.md, report.json, junit.xml",
                  highlight=False)
    if waves and info.gtkw:
        console.print(f"waves: {report.shown(waves)} (gtkwave -a {report.shown(info.gtkw)} "
                      f"{report.shown(waves)})", highlight=False)
    if error:
        console.print(f"error: {error} (log: {report.shown(log)})", style="red", highlight=False)
    return 0 if all_passed(results) and not error else 1


def _echo_log(log: Path, offset: int, console: Console) -> int:
    """-v: the simulator's new log lines, above the live display."""
    try:
        with open(log, "rb") as f:
            f.seek(offset)
            data = f.read()
    except FileNotFoundError:
        return offset
    end = data.rfind(b"\n") + 1
    for line in data[:end].decode(errors="replace").splitlines():
        console.print(line, markup=False, highlight=False)
    return offset + end
