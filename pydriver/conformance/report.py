"""What a conformance run found: violations with their evidence, and the rules × verdict table
as text, Markdown and JUnit XML."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..runtime import Context
from .rules import RULE_TEXT, RULES, check_rule

__all__ = ["PASS", "FAIL", "NOT_EXERCISED", "Violation", "ConformanceReport", "format_table"]

PASS = "PASS"
FAIL = "FAIL"
NOT_EXERCISED = "not exercised"


@dataclass(frozen=True)
class Violation:
    """One broken rule, with the evidence: where (channel name, cookie), in which kernel
    context, when (runtime ns), and what was expected against what happened."""

    rule: str
    chan: str | None
    cookie: int | None
    context: Context | None
    time_ns: int | None
    detail: str
    expected: str = ""
    happened: str = ""

    def where(self) -> str:
        parts = [self.chan or "(no channel)"]
        if self.cookie is not None:
            parts.append(f"cookie {self.cookie}")
        if self.context is not None:
            parts.append(f"{self.context.value} context")
        if self.time_ns is not None:
            parts.append(f"t={self.time_ns} ns")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where()}: {self.detail}"


@dataclass
class ConformanceReport:
    """The verdict on one provider: ``ok`` when no rule was broken.

    ``violations`` keeps the first few of each rule in time order (``counts`` has the totals);
    ``exercised`` is the set of rules the workload gave a chance to fail.
    """

    device: str
    violations: list[Violation] = field(default_factory=list)
    exercised: set[str] = field(default_factory=set)
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def status(self, rule: str) -> str:
        """PASS, FAIL or NOT_EXERCISED for ``rule``."""
        check_rule(rule)
        if any(v.rule == rule for v in self.violations):
            return FAIL
        return PASS if rule in self.exercised else NOT_EXERCISED

    @property
    def results(self) -> dict[str, str]:
        return {rule: self.status(rule) for rule in RULES}

    @property
    def failed_rules(self) -> list[str]:
        return [rule for rule in RULES if self.status(rule) == FAIL]

    @property
    def all_pass(self) -> bool:
        """Every rule exercised and kept: what our own providers must achieve."""
        return all(s == PASS for s in self.results.values())

    def first(self, rule: str) -> Violation | None:
        check_rule(rule)
        return next((v for v in self.violations if v.rule == rule), None)

    def count(self, rule: str) -> int:
        check_rule(rule)
        return self.counts.get(rule, sum(v.rule == rule for v in self.violations))

    def summary(self) -> str:
        res = list(self.results.values())
        return (
            f"{self.device}: {len(RULES)} rules, {res.count(PASS)} PASS, {res.count(FAIL)} "
            f"FAIL, {res.count(NOT_EXERCISED)} not exercised"
        )

    # ---------------------------------------------------------------- renderings
    def to_text(self) -> str:
        lines = [f"conformance {self.summary()}"]
        width = max(len(r) for r in RULES)
        for rule in RULES:
            n = self.count(rule)
            tail = f"  ({n} violation{'s' if n != 1 else ''})" if n else ""
            lines.append(f"  {rule:<{width}}  {self.status(rule)}{tail}")
        firsts = [v for v in (self.first(r) for r in RULES) if v is not None]
        if firsts:
            lines.append("first violation of each failed rule:")
            lines.extend(f"  {v}" for v in firsts)
        if self.notes:
            lines.append("notes:")
            lines.extend(f"  {n}" for n in self.notes)
        return "\n".join(lines)

    def to_markdown(self) -> str:
        lines = [
            f"## Conformance: {self.device}",
            "",
            self.summary(),
            "",
            "| rule | result | violations | first violation |",
            "| --- | --- | --- | --- |",
        ]
        for rule in RULES:
            v = self.first(rule)
            evidence = f"{v.where()}: {v.detail}" if v else ""
            lines.append(
                f"| `{rule}` | {self.status(rule)} | {self.count(rule)} | {_md_cell(evidence)} |"
            )
        if self.notes:
            lines += ["", "Notes:", ""] + [f"- {_md_cell(n)}" for n in self.notes]
        return "\n".join(lines) + "\n"

    def junit_suite(self) -> ET.Element:
        """One ``<testsuite>`` with a ``<testcase>`` per rule (failure / skipped)."""
        name = f"conformance.{self.device}"
        res = list(self.results.values())
        suite = ET.Element(
            "testsuite",
            name=name,
            tests=str(len(RULES)),
            failures=str(res.count(FAIL)),
            errors="0",
            skipped=str(res.count(NOT_EXERCISED)),
        )
        for rule in RULES:
            case = ET.SubElement(suite, "testcase", classname=name, name=rule)
            status = self.status(rule)
            if status == FAIL:
                shown = [v for v in self.violations if v.rule == rule]
                fail = ET.SubElement(case, "failure", message=str(shown[0]))
                fail.text = "\n".join(str(v) for v in shown)
            elif status == NOT_EXERCISED:
                ET.SubElement(case, "skipped", message=f"not exercised: {RULE_TEXT[rule]}")
        return suite

    def write_junit(self, path: str | os.PathLike[str]) -> Path:
        """Write the JUnit XML file (parent folders are created); returns its path."""
        return write_junit_suites([self.junit_suite()], path)

    def write_markdown(self, path: str | os.PathLike[str]) -> Path:
        p = Path(path)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(self.to_markdown())
        return p


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def write_junit_suites(suites: Iterable[ET.Element], path: str | os.PathLike[str]) -> Path:
    """Write ``<testsuites>`` holding ``suites`` to ``path``."""
    root = ET.Element("testsuites")
    root.extend(suites)
    ET.indent(root)
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(p, encoding="utf-8", xml_declaration=True)
    return p


def format_table(columns: Mapping[str, ConformanceReport]) -> str:
    """Rules × providers: PASS / FAIL / not exercised, one column per report."""
    width = max(len(r) for r in RULES)
    names = list(columns)
    col = [max(len(n), len(NOT_EXERCISED)) for n in names]
    head = f"{'rule':<{width}}  " + "  ".join(f"{n:<{w}}" for n, w in zip(names, col, strict=True))
    lines = [head, "-" * len(head)]
    for rule in RULES:
        cells = (f"{columns[n].status(rule):<{w}}" for n, w in zip(names, col, strict=True))
        lines.append(f"{rule:<{width}}  " + "  ".join(cells))
    return "\n".join(line.rstrip() for line in lines)
