"""The CLI side of `dmasim dmatest` and `dmasim conformance`: run one of this folder's cocotb
modules through tb.runner with the simulator's output in a log file (on the terminal with -v),
a spinner meanwhile, and the options and the output folder handed over in the environment."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from rich.console import Console

from tb import runner

HERE = Path(__file__).resolve().parent
OPTIONS_ENV = "DMASIM_CLIENT_OPTIONS"  # JSON: the client's keyword arguments
OUT_ENV = "DMASIM_CLIENT_OUT"  # the folder the module writes its results into
# The dmaengine core's dma_sync_wait limit in simulated time for the clients run here: the
# kernel's 5 s would be 500 million cycles, and the conformance workload holds work un-issued
# for a fiftieth of it. 2 ms (200,000 cycles) is far beyond any transfer these runs make.
SYNC_WAIT_NS = 2_000_000


def client_settings() -> tuple[dict[str, Any], Path]:
    """Inside the simulator: the client's options and the output folder the CLI handed over."""
    return json.loads(os.environ[OPTIONS_ENV]), Path(os.environ[OUT_ENV])


def run_client(module: str, *, sim: str, params: dict[str, int], seed: int | None, waves: bool,
               out: Path, verbose: bool, options: dict[str, Any], console: Console,
               what: str) -> str | None:
    """Run `module`; returns None when it passed, else what went wrong (its tests failed, or
    the simulator stopped). Tool and usage problems raise (ToolError, ValueError)."""
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    log = out / f"{module}.log"
    env = {OPTIONS_ENV: json.dumps(options), OUT_ENV: str(out)}
    runner.log_commands_to(out / "runner.log", verbose)
    console.print(f"dmasim: {what} on dma_top {runner.format_params(runner.full_params(params))}"
                  f" ({sim}){'' if verbose else f'; simulator log: {log}'}", highlight=False)
    try:
        with console.status(f"{what} on {sim}", spinner="dots"):
            runner.run(sim, module, HERE, params, waves=waves, seed=seed, extra_env=env,
                       log_to_file=not verbose, log_file=log)
    except AssertionError as exc:
        return str(exc)
    except SystemExit as exc:  # cocotb's runner exits when the simulator's status is not 0
        return f"{what} failed: the simulator exited with status {exc.code} (log: {log})"
    if waves:
        console.print(f"waves: {runner.wave_file(sim, params, module)}", highlight=False)
    return None
