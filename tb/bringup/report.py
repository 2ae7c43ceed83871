"""The rehearsal's reports: report.json (the list of steps), report.md, JUnit XML, and the table
on the terminal. Pure Python plus rich; written by the CLI from what the simulator reported."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from rich.table import Table

from tb.bringup.result import FAIL, PASS, SKIP, StepResult
from tb.runner import REPO, format_params

STYLE = {PASS: "green", FAIL: "bold red", SKIP: "yellow"}


@dataclass
class RunInfo:
    """What ran: shown above the table and in report.md, and as JUnit properties."""

    simulator: str
    params: dict[str, int]
    seed: int | None = None
    wall_s: float = 0.0
    log: Path | None = None
    waves: Path | None = None
    gtkw: Path | None = None
    step_wall_s: dict[str, float] = field(default_factory=dict)

    @property
    def params_text(self) -> str:
        return format_params(self.params)

    def properties(self) -> dict[str, str]:
        props = {"simulator": self.simulator, "params": self.params_text,
                 "seed": "" if self.seed is None else str(self.seed),
                 "wall_s": f"{self.wall_s:.1f}"}
        for name in ("log", "waves", "gtkw"):
            value = getattr(self, name)
            if value is not None:
                props[name] = str(value)
        return props


def shown(path: Path) -> str:
    """A path as a reader wants it: relative to the repository when inside it."""
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


def summary(results: list[StepResult]) -> str:
    counts = {r: sum(s.result == r for s in results) for r in (PASS, FAIL, SKIP)}
    cycles = sum(s.cycles for s in results)
    text = f"{counts[PASS]} of {len(results)} steps passed"
    extra = [f"{counts[r]} {r}" for r in (FAIL, SKIP) if counts[r]]
    return text + (f" ({', '.join(extra)})" if extra else "") + f", {cycles:,} simulated cycles"


def write_json(path: Path, results: list[StepResult]) -> None:
    path.write_text(json.dumps([r.to_dict() for r in results], indent=1) + "\n")


def read_json(path: Path) -> list[StepResult]:
    return [StepResult.from_dict(d) for d in json.loads(path.read_text())]


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def write_markdown(path: Path, results: list[StepResult], info: RunInfo) -> None:
    lines = [
        "# dmasim bring-up report",
        "",
        f"- dma_top {info.params_text} on {info.simulator}"
        + (f", seed {info.seed}" if info.seed is not None else ""),
        f"- {summary(results)}; wall time {info.wall_s:.0f} s",
    ]
    if info.log:
        lines.append(f"- simulator log: `{shown(info.log)}`")
    if info.waves and info.gtkw:
        lines.append(f"- waves: `{shown(info.waves)}` (GTKWave: `gtkwave -a {shown(info.gtkw)} "
                     f"{shown(info.waves)}`)")
    lines += ["", "| step | result | cycles | detail |", "| --- | --- | ---: | --- |"]
    lines += [f"| {_md_cell(r.name)} | {r.result} | {r.cycles} | {_md_cell(r.detail)} |"
              for r in results]
    path.write_text("\n".join(lines) + "\n")


def write_junit(path: Path, results: list[StepResult], info: RunInfo) -> None:
    suite = ET.Element("testsuite", name="dmasim.bringup", tests=str(len(results)),
                       failures=str(sum(r.result == FAIL for r in results)),
                       skipped=str(sum(r.result == SKIP for r in results)),
                       time=f"{info.wall_s:.3f}")
    props = ET.SubElement(suite, "properties")
    for name, value in info.properties().items():
        ET.SubElement(props, "property", name=name, value=value)
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"bringup.{info.simulator}",
                             name=r.name, time=f"{info.step_wall_s.get(r.name, 0.0):.3f}")
        ET.SubElement(ET.SubElement(case, "properties"), "property", name="cycles",
                      value=str(r.cycles))
        if r.result == FAIL:
            ET.SubElement(case, "failure", message=r.detail).text = r.detail
        elif r.result == SKIP:
            ET.SubElement(case, "skipped", message=r.detail)
        else:
            ET.SubElement(case, "system-out").text = r.detail
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def table(results: list[StepResult], title: str, pending: list[str] = (),
          running: str | None = None) -> Table:
    """The steps so far (and the ones still to come, while the rehearsal runs)."""
    t = Table(title=title, title_justify="left", expand=False)
    t.add_column("step", no_wrap=True)
    t.add_column("result", no_wrap=True)
    t.add_column("cycles", justify="right", no_wrap=True)
    t.add_column("detail", overflow="fold")
    for r in results:
        t.add_row(r.name, f"[{STYLE[r.result]}]{r.result}[/]", f"{r.cycles:,}", r.detail)
    for name in pending:
        state = "[cyan]running[/]" if name == running else "[dim]pending[/]"
        t.add_row(f"[dim]{name}[/]" if name != running else name, state, "", "")
    return t
