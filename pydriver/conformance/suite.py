"""The conformance suite behind ``make conformance``: our providers must keep every rule
(each exercised), and every mutant must be caught by the rule it breaks.

:func:`run_conformance` (our providers must give ``report.all_pass``) and
:func:`check_mutants` work on any provider and any runtime (a cocotb bench calls them for the
simulated controller); :func:`run_soft_suite` is the
SoftDmaDevice part under asyncio, and :func:`main` the command line (``python -m
pydriver.conformance``).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import dmaengine as de
from ..dmaengine import DmaDevice
from ..memory import SystemMemory
from ..runtime import AsyncioRuntime, set_runtime
from ..soft import SoftDmaDevice
from .mutants import MUTANTS, Mutant, make_soft_mutant, mutant
from .report import FAIL, NOT_EXERCISED, PASS, ConformanceReport, format_table, write_junit_suites
from .rules import RULES
from .run import run_conformance

__all__ = [
    "MutantOutcome",
    "SuiteResult",
    "check_mutants",
    "run_soft_suite",
    "main",
]

SOFT_CHANNELS = 2
SOFT_MEMORY = 64 * 4096
DEFAULT_WATCHDOG_NS = 100_000_000  # asyncio runs in real time: generous against a loaded host


@dataclass
class MutantOutcome:
    mutant: Mutant
    report: ConformanceReport

    @property
    def caught(self) -> bool:
        return self.mutant.rule in self.report.failed_rules

    @property
    def also(self) -> list[str]:
        """Other rules the broken provider failed (consequences of the same bug)."""
        return [r for r in self.report.failed_rules if r != self.mutant.rule]


@dataclass
class SuiteResult:
    providers: dict[str, ConformanceReport] = field(default_factory=dict)
    mutants: list[MutantOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.all_pass for r in self.providers.values()) and all(
            m.caught for m in self.mutants
        )

    def verdict(self) -> str:
        kept = sum(r.all_pass for r in self.providers.values())
        caught = sum(m.caught for m in self.mutants)
        word = "PASS" if self.ok else "FAIL"
        return (
            f"RESULT: {word} ({kept}/{len(self.providers)} providers keep every rule, "
            f"{caught}/{len(self.mutants)} mutants caught by the rule they break)"
        )

    def matrix(self) -> str:
        """Rules × mutants: X = caught by its rule, ! = its rule missed, f = another rule
        failed too, . = PASS, - = not exercised."""
        width = max(len(r) for r in RULES)
        head = f"{'rule':<{width}}  " + " ".join(f"{i + 1:>2}" for i in range(len(self.mutants)))
        lines = [head]
        for rule in RULES:
            cells = []
            for m in self.mutants:
                status = m.report.status(rule)
                if rule == m.mutant.rule:
                    cells.append(" X" if status == FAIL else " !")
                else:
                    cells.append({FAIL: " f", PASS: " .", NOT_EXERCISED: " -"}[status])
            lines.append(f"{rule:<{width}}  " + " ".join(cells))
        return "\n".join(lines)

    def mutant_table(self) -> str:
        w = max([len(m.mutant.name) for m in self.mutants] + [6])
        lines = [f"{'#':>2}  {'mutant':<{w}}  {'breaks':<20}  verdict  also failed"]
        for i, m in enumerate(self.mutants, 1):
            verdict = "CAUGHT" if m.caught else "MISSED"
            lines.append(
                f"{i:>2}  {m.mutant.name:<{w}}  {m.mutant.rule:<20}  {verdict:<7}  "
                f"{', '.join(m.also) or '-'}"
            )
        return "\n".join(lines)

    def to_text(self) -> str:
        parts = []
        if self.providers:
            parts += ["Providers (every rule must PASS):", format_table(self.providers), ""]
            for name, rep in self.providers.items():
                if not rep.all_pass:
                    parts += [f"{name}:", rep.to_text(), ""]
        if self.mutants:
            parts += [
                "Mutation suite (each mutant must FAIL the rule it breaks):",
                self.mutant_table(),
                "",
                "Rules x mutants (X caught by its rule, ! missed, f other rule failed, "
                ". PASS, - not exercised):",
                self.matrix(),
                "",
                "Evidence (first violation of the broken rule):",
            ]
            for m in self.mutants:
                v = m.report.first(m.mutant.rule)
                parts.append(f"  {m.mutant.name}: {v if v else 'none: MISSED'}")
            parts.append("")
        parts.append(self.verdict())
        return "\n".join(parts)

    def to_markdown(self) -> str:
        lines = ["# Conformance suite", "", self.verdict().removeprefix("RESULT: "), ""]
        for rep in self.providers.values():
            lines.append(rep.to_markdown())
        if self.mutants:
            lines += ["## Mutation suite", "", "| mutant | breaks | verdict | also failed | "
                      "evidence |", "| --- | --- | --- | --- | --- |"]  # fmt: skip
            for m in self.mutants:
                v = m.report.first(m.mutant.rule)
                lines.append(
                    f"| `{m.mutant.name}` | `{m.mutant.rule}` | "
                    f"{'CAUGHT' if m.caught else 'MISSED'} | {', '.join(m.also) or '-'} | "
                    f"{(str(v) if v else '').replace('|', '/')} |"
                )
        return "\n".join(lines) + "\n"

    def junit_suites(self) -> list[ET.Element]:
        suites = [r.junit_suite() for r in self.providers.values()]
        if self.mutants:
            missed = sum(not m.caught for m in self.mutants)
            name = "conformance.mutants"
            suite = ET.Element(
                "testsuite",
                name=name,
                tests=str(len(self.mutants)),
                failures=str(missed),
                errors="0",
                skipped="0",
            )
            for m in self.mutants:
                case = ET.SubElement(
                    suite, "testcase", classname=name, name=f"{m.mutant.name} -> {m.mutant.rule}"
                )
                if not m.caught:
                    fail = ET.SubElement(case, "failure", message=f"not caught by {m.mutant.rule}")
                    fail.text = m.report.to_text()
            suites.append(suite)
        return suites

    def write(self, out_dir: str | os.PathLike[str]) -> list[Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        md = out / "conformance.md"
        md.write_text(self.to_markdown())
        return [write_junit_suites(self.junit_suites(), out / "conformance.xml"), md]


MakeDevice = Callable[[Mutant], Awaitable[tuple[DmaDevice, SystemMemory]]]


async def check_mutants(
    make_device: MakeDevice,
    mutants: Sequence[Mutant] = MUTANTS,
    *,
    seed: int = 0,
    iterations: int = 200,
    watchdog_ns: int | None = None,
) -> list[MutantOutcome]:
    """Run the checker on each mutant; ``make_device(mutant)`` builds (and may probe) the
    broken provider on a fresh core and returns it with its memory."""
    outcomes = []
    for m in mutants:
        device, mem = await make_device(m)
        report = await run_conformance(
            device, mem, seed=seed, iterations=iterations, watchdog_ns=watchdog_ns
        )
        outcomes.append(MutantOutcome(m, report))
    return outcomes


async def run_soft_suite(
    *,
    profiles: Sequence[str] = de.PROFILES,
    mutants: Sequence[Mutant] = MUTANTS,
    seed: int = 0,
    iterations: int = 200,
    watchdog_ns: int = DEFAULT_WATCHDOG_NS,
) -> SuiteResult:
    """SoftDmaDevice under each profile, then every mutant of it (under the first profile).

    Mutants run with a quarter of the watchdog: most of them hang somewhere, and a late but
    healthy completion can only add a rule to a verdict that must fail anyway."""
    result = SuiteResult()

    def fresh_core(profile: str) -> SystemMemory:
        de.reset(profile, sync_wait_timeout_ns=watchdog_ns)
        return SystemMemory(SOFT_MEMORY)

    for profile in profiles:
        mem = fresh_core(profile)
        dev = SoftDmaDevice(mem, SOFT_CHANNELS, name="soft")
        result.providers[f"soft {profile}"] = await run_conformance(
            dev, mem, seed=seed, iterations=iterations, watchdog_ns=watchdog_ns
        )

    async def make(m: Mutant) -> tuple[DmaDevice, SystemMemory]:
        mem = fresh_core(profiles[0] if profiles else de.P29)
        de.set_timeouts(sync_wait_ns=max(watchdog_ns // 4, 1))
        return make_soft_mutant(m, mem, SOFT_CHANNELS), mem

    result.mutants = await check_mutants(
        make, mutants, seed=seed, iterations=iterations, watchdog_ns=max(watchdog_ns // 4, 1)
    )
    return result


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not a positive integer")
    return value


def _mutant_name(text: str) -> Mutant:
    try:
        return mutant(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m pydriver.conformance",
        description="Run the conformance checker on SoftDmaDevice and on every mutant of the "
        "mutation suite; exit 0 only if SoftDmaDevice keeps every rule (each exercised) and "
        "every mutant is caught by the rule it breaks.",
    )
    p.add_argument("--seed", type=int, default=0, help="workload seed (default 0)")
    p.add_argument("--iterations", type=_positive, default=200, help="scenarios per run")
    p.add_argument(
        "--profile", choices=[*de.PROFILES, "all"], default="all", help="kernel profile(s)"
    )
    p.add_argument(
        "--mutant",
        type=_mutant_name,
        action="append",
        metavar="NAME",
        help="run only this mutant (repeatable); see --list",
    )
    p.add_argument("--no-mutants", action="store_true", help="check the providers only")
    p.add_argument(
        "--watchdog-ms",
        type=_positive,
        default=DEFAULT_WATCHDOG_NS // 1_000_000,
        help="how long work may take before it counts as hung (default 100)",
    )
    p.add_argument("--out", metavar="DIR", help="write conformance.xml (JUnit) and .md here")
    p.add_argument("--list", action="store_true", help="list the rules and the mutants")
    return p


def _listing() -> str:
    from .rules import RULE_TEXT

    lines = ["rules:"] + [f"  {r:<22} {t}" for r, t in RULE_TEXT.items()]
    lines.append("mutants:")
    lines += [f"  {m.name:<30} breaks {m.rule}: {m.bug}" for m in MUTANTS]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.list:
        print(_listing())
        return 0
    profiles = list(de.PROFILES) if args.profile == "all" else [args.profile]
    mutants = [] if args.no_mutants else (args.mutant or list(MUTANTS))
    logging.disable(logging.CRITICAL)  # the mutants' deliberate failures are in the report
    set_runtime(AsyncioRuntime())
    try:
        result = asyncio.run(
            run_soft_suite(
                profiles=profiles,
                mutants=mutants,
                seed=args.seed,
                iterations=args.iterations,
                watchdog_ns=args.watchdog_ms * 1_000_000,
            )
        )
    finally:
        set_runtime(None)
        logging.disable(logging.NOTSET)
    print(
        f"dmasim conformance: SoftDmaDevice ({SOFT_CHANNELS} channels) under "
        f"{', '.join(profiles)}, {len(mutants)} mutants; seed {args.seed}, "
        f"{args.iterations} scenarios per run\n"
    )
    print(result.to_text())
    if args.out:
        for path in result.write(args.out):
            print(f"wrote {path}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
