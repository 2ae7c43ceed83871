"""The command line both coverage reports share: where the runs' files are, where the reports
go, and a one-line error when there is nothing to report on."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from tb.runner import COVERAGE_DIR


def inputs(prog: str, doc: str | None, argv: Sequence[str] | None, *, subdir: str,
           pattern: str, what: str) -> tuple[list[Path], Path]:
    """Parse `--in` (default build/coverage/<subdir>) and `--out` (build/coverage); return the
    files matching `pattern` in the former, sorted, and the latter (created). Exits 2 with one
    line when there are none."""
    ap = argparse.ArgumentParser(prog=prog, description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--in", dest="src", type=Path, default=COVERAGE_DIR / subdir,
                    help=f"folder of the runs' {what} (<sim>-<params>-<module>{pattern[1:]})")
    ap.add_argument("--out", type=Path, default=COVERAGE_DIR, help="where to write the reports")
    args = ap.parse_args(argv)
    files = sorted(args.src.glob(pattern))
    if not files:
        ap.exit(2, f"error: no {what} in {args.src}: run `make coverage` (or runs with "
                   "DMASIM_COVERAGE=1)\n")
    args.out.mkdir(parents=True, exist_ok=True)
    return files, args.out
