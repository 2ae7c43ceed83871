"""Runs the rehearsal's steps in order inside the simulation and records each outcome.

A step is a coroutine returning its one-line detail. An AssertionError is that step's FAIL with
the assertion's message (which names the register, descriptor or expectation and what was read);
any other exception is a FAIL naming the exception; `StepSkipped` is a SKIP (a step that cannot
run because something it needs is missing). A step that makes no progress for its cycle budget
is a FAIL too. In every case the next step still runs.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from cocotb.simtime import get_sim_time
from cocotb.triggers import SimTimeoutError, with_timeout

from tb.bringup.progress import ProgressWriter
from tb.bringup.result import FAIL, PASS, SKIP, StepResult

# Simulated clock period of dma_top's clock in every bench that runs the rehearsal.
from tb.dma_tb import CLK_NS

# Cycles a step may take before it counts as hung (generous: the slowest steps need ~10 %).
DEFAULT_BUDGET = 2_000_000


class StepSkipped(Exception):
    """Raised by a step that cannot run; the message says what it needs."""


def now_cycles() -> int:
    return int(get_sim_time("ns")) // CLK_NS


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    line = text.splitlines()[0] if text else ""
    if isinstance(exc, AssertionError):
        return line or "assertion failed (no message)"
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


class Sequencer:
    """Announces the plan, runs steps, writes the progress stream and the results file."""

    def __init__(self, out_dir: Path, log: logging.Logger) -> None:
        self.out_dir = out_dir
        self.progress = ProgressWriter(out_dir / "progress.jsonl")
        self.log = log
        self.results: list[StepResult] = []
        # Called around each step by name (the rehearsal's test hooks); see inject.py.
        self.before: dict[str, Callable[[], None]] = {}
        self.after: dict[str, Callable[[], None]] = {}

    def plan(self, names: Sequence[str], seed: int) -> None:
        self.progress.emit("plan", steps=list(names), seed=seed)

    def _record(self, result: StepResult, wall_s: float) -> None:
        self.results.append(result)
        self.progress.emit("end", step=result.to_dict(), wall_s=round(wall_s, 3))
        self.log.info("bring-up step %s: %s (%d cycles) %s", result.name, result.result,
                      result.cycles, result.detail)

    def skip(self, name: str, why: str) -> None:
        """A step that cannot run: SKIP, with what it needs."""
        self.progress.emit("start", name=name)
        self._record(StepResult(name, SKIP, 0, why), 0.0)

    def fail(self, name: str, why: str) -> None:
        """A step that failed before it could start."""
        self.progress.emit("start", name=name)
        self._record(StepResult(name, FAIL, 0, why), 0.0)

    async def run(self, name: str, fn: Callable[[], Awaitable[str]],
                  budget: int = DEFAULT_BUDGET) -> bool:
        """Run one step; True when it passed."""
        self.progress.emit("start", name=name)
        self.log.info("bring-up step %s: start", name)
        start, wall = now_cycles(), time.monotonic()
        hook = self.before.get(name)
        try:
            if hook:
                hook()
            detail = await with_timeout(fn(), budget * CLK_NS, "ns")
            result, detail = PASS, " ".join(str(detail).split())
        except StepSkipped as exc:
            result, detail = SKIP, str(exc)
        except SimTimeoutError:
            result, detail = FAIL, f"no result after {budget} cycles (hung)"
        except Exception as exc:  # any error is this step's failure, never the rehearsal's end
            self.log.error("bring-up step %s failed:\n%s", name, traceback.format_exc())
            result, detail = FAIL, first_line(exc)
        finally:
            undo = self.after.get(name)
            if undo:
                undo()
        self._record(StepResult(name, result, now_cycles() - start, detail),
                     time.monotonic() - wall)
        return result == PASS

    def finish(self) -> None:
        """report.json (the CLI rewrites it with the other reports), then the end of the
        stream."""
        (self.out_dir / "report.json").write_text(
            json.dumps([r.to_dict() for r in self.results], indent=1) + "\n")
        self.progress.emit("done")
