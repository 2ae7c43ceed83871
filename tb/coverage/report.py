"""`python -m tb.coverage.report`: merge the functional coverage databases of every run into
one (cocotb-coverage's merge, YAML and XML), write a readable summary listing every bin below
the goal, and exit 1 when the goal (tb/coverage/goal.py) is missed.

Outputs in --out (build/coverage): functional.yml, functional.xml, functional.txt.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from cocotb_coverage.coverage import merge_coverage

from tb.coverage import cli
from tb.coverage.goal import AT_LEAST, EXCLUDED


@dataclass
class ItemResult:
    name: str
    at_goal: int = 0
    below: list[tuple[str, int]] = field(default_factory=list)  # (bin, hits)
    excluded: list[tuple[str, int, str]] = field(default_factory=list)  # (bin, hits, reason)

    @property
    def reachable(self) -> int:
        return self.at_goal + len(self.below)


def evaluate(merged: dict) -> list[ItemResult]:
    """Every coverpoint and cross of a merged database against the goal."""
    results = []
    for name in sorted(merged):
        bins = merged[name].get("bins:_hits")
        if bins is None:
            continue  # a group node
        r = ItemResult(name)
        for label, hits in bins.items():
            reason = EXCLUDED.get((name, str(label)))
            if reason:
                r.excluded.append((str(label), hits, reason))
            elif hits >= AT_LEAST:
                r.at_goal += 1
            else:
                r.below.append((str(label), hits))
        results.append(r)
    return results


def summary(results: Sequence[ItemResult], sources: int) -> tuple[str, bool]:
    reachable = sum(r.reachable for r in results)
    at_goal = sum(r.at_goal for r in results)
    met = at_goal == reachable
    pct = 100.0 * at_goal / reachable if reachable else 100.0
    lines = [
        f"Functional coverage, merged from {sources} run databases",
        f"Goal: every bin hit at least {AT_LEAST} times, except the excluded bins (with reason)",
        f"Result: {at_goal}/{reachable} reachable bins at goal ({pct:.1f} %), "
        f"{sum(len(r.excluded) for r in results)} excluded: "
        f"{'GOAL MET' if met else 'GOAL MISSED'}",
        "",
        f"{'item':<42} {'bins':>5} {'at goal':>8} {'below':>6} {'excluded':>9}",
    ]
    for r in results:
        lines.append(f"{r.name:<42} {r.reachable + len(r.excluded):>5} {r.at_goal:>8} "
                     f"{len(r.below):>6} {len(r.excluded):>9}")
    below = [(r.name, b, h) for r in results for b, h in r.below]
    lines += ["", f"Bins below the goal ({len(below)}):"]
    lines += [f"  {name}  {b}  {h} hits" for name, b, h in below] or ["  none"]
    excluded = [(r.name, b, h, why) for r in results for b, h, why in r.excluded]
    lines += ["", f"Excluded bins ({len(excluded)}):"]
    lines += [f"  {name}  {b}  ({h} hits): {why}" for name, b, h, why in excluded] or ["  none"]
    return "\n".join(lines) + "\n", met


def merge(files: Sequence[Path], out: Path) -> None:
    merge_coverage(lambda _msg: None, str(out), *map(str, files))


def main(argv: Sequence[str] | None = None) -> int:
    ymls, out = cli.inputs("python -m tb.coverage.report", __doc__, argv, subdir="db",
                           pattern="*.yml", what="functional coverage databases")
    merge(ymls, out / "functional.yml")
    xmls = [p.with_suffix(".xml") for p in ymls if p.with_suffix(".xml").exists()]
    if xmls:
        merge(xmls, out / "functional.xml")
    merged = yaml.safe_load((out / "functional.yml").read_text())
    text, met = summary(evaluate(merged), len(ymls))
    (out / "functional.txt").write_text(text)
    print(text, end="")
    print(f"written: {out / 'functional.txt'}, functional.yml, functional.xml")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
