"""Merge JUnit XML reports (the shards of a split regression, or cocotb's per-module results)
into one report, and print its totals.

    python scripts/merge_junit.py -o build/junit/merged.xml shard-1/ shard-2/ extra.xml

Arguments are XML files or folders (every *.xml inside, recursively), less the file names
matching an --exclude pattern. Every <testsuite> of every
input is kept as it is, under one <testsuites> whose counts are recomputed; a suite name seen
twice gets the name of its file appended, so a merged report still tells each suite apart.
Exit status 0, or 1 when the merged report holds a failure or an error (2 on bad input).
"""

from __future__ import annotations

import argparse
import fnmatch
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path

COUNTS = ("tests", "failures", "errors", "skipped")


def input_files(paths: Iterable[Path], exclude: Sequence[str] = ()) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(p.rglob("*.xml"))
        elif p.is_file():
            files.append(p)
        else:
            raise FileNotFoundError(f"no JUnit report at {p}")
    return [f for f in files if not any(fnmatch.fnmatch(f.name, x) for x in exclude)]


def suites_of(path: Path) -> list[ET.Element]:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ValueError(f"{path} is not XML: {exc}") from None
    if root.tag == "testsuite":
        return [root]
    if root.tag == "testsuites":
        return root.findall("testsuite")
    raise ValueError(f"{path} is not a JUnit report (root element <{root.tag}>)")


def suite_counts(suite: ET.Element) -> dict[str, float]:
    """Counts taken from the test cases themselves, not from the suite's (possibly stale)
    attributes."""
    cases = list(suite.iter("testcase"))
    return {
        "tests": len(cases),
        "failures": sum(c.find("failure") is not None for c in cases),
        "errors": sum(c.find("error") is not None for c in cases),
        "skipped": sum(c.find("skipped") is not None for c in cases),
        "time": sum(float(c.get("time") or 0) for c in cases),
    }


def merge(files: Sequence[Path], name: str = "dmasim regression") -> ET.Element:
    root = ET.Element("testsuites", name=name)
    seen: set[str] = set()
    totals = dict.fromkeys((*COUNTS, "time"), 0.0)
    for path in files:
        for suite in suites_of(path):
            suite_name = suite.get("name") or path.stem
            if suite_name in seen:
                suite_name = f"{suite_name} ({path})"
            seen.add(suite_name)
            suite.set("name", suite_name)
            counts = suite_counts(suite)
            for k in COUNTS:
                suite.set(k, str(int(counts[k])))
            suite.set("time", f"{counts['time']:.3f}")
            for k in totals:
                totals[k] += counts[k]
            root.append(suite)
    for k in COUNTS:
        root.set(k, str(int(totals[k])))
    root.set("time", f"{totals['time']:.3f}")
    return root


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python scripts/merge_junit.py", description=__doc__.split(
        "\n\n")[0])
    ap.add_argument("inputs", nargs="+", type=Path, help="JUnit XML files or folders")
    ap.add_argument("-o", "--output", type=Path, required=True, help="merged report to write")
    ap.add_argument("--name", default="dmasim regression", help="name of the merged report")
    ap.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                    help="leave out files whose name matches this glob (repeatable)")
    args = ap.parse_args(argv)
    try:
        files = [f for f in input_files(args.inputs, args.exclude)
                 if f.resolve() != args.output.resolve()]
        if not files:
            raise FileNotFoundError("no JUnit XML among the inputs")
        root = merge(files, args.name)
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(args.output, encoding="utf-8", xml_declaration=True)
    suites = root.findall("testsuite")
    for s in suites:
        print(f"{s.get('tests'):>5} tests {s.get('failures'):>3} failed {s.get('errors'):>3} "
              f"errors {s.get('skipped'):>3} skipped {float(s.get('time') or 0):8.1f} s  "
              f"{s.get('name')}")
    print(f"{root.get('tests')} tests in {len(suites)} suites from {len(files)} files: "
          f"{root.get('failures')} failed, {root.get('errors')} errors, {root.get('skipped')} "
          f"skipped -> {args.output}")
    return 1 if int(root.get("failures", 0)) + int(root.get("errors", 0)) else 0


if __name__ == "__main__":
    sys.exit(main())
