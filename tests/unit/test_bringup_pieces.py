"""The bring-up rehearsal's pure-Python parts: the step plan, test hooks, the progress stream
and the reports (no simulator)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tb.bringup import inject, plan, report
from tb.bringup.progress import ProgressReader, ProgressWriter
from tb.bringup.result import StepResult, all_passed


def test_plan_has_one_dmatest_step_per_channel() -> None:
    names = plan.steps(3)
    assert names[:len(plan.HARDWARE_STEPS)] == list(plan.HARDWARE_STEPS)
    assert [n for n in names if n.startswith("dmatest")] == [
        "dmatest dma0chan0", "dmatest dma0chan1", "dmatest dma0chan2"]
    assert names[-1] == plan.CONFORMANCE_STEP and len(set(names)) == len(names)


def test_injection_spec() -> None:
    names = plan.steps(4)
    got = inject.parse("expect-id=0x1234; bus-fault=register walk", names)
    assert got == inject.Injection(0x1234, ("register walk",))
    assert inject.parse("", names) == inject.Injection()


@pytest.mark.parametrize("text, message", [
    ("expect-id", "expected KEY=VALUE"),
    ("expect-id=abc", "expect-id needs an integer"),
    ("bus-fault=nope", "no step named 'nope'"),
    ("melt=1", "unknown injection 'melt'"),
])
def test_bad_injection_is_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        inject.parse(text, plan.steps(4))


def test_progress_reader_leaves_a_partial_line_for_later(tmp_path: Path) -> None:
    path = tmp_path / "progress.jsonl"
    writer = ProgressWriter(path)
    reader = ProgressReader(path)
    assert list(reader.new_events()) == []
    writer.emit("plan", steps=["a"])
    with open(path, "a") as f:
        f.write('{"event": "sta')
    assert [e["event"] for e in reader.new_events()] == ["plan"]
    with open(path, "a") as f:
        f.write('rt", "name": "a"}\n')
    assert list(reader.new_events()) == [{"event": "start", "name": "a"}]


def test_step_result_refuses_an_unknown_result() -> None:
    with pytest.raises(ValueError, match="not one of PASS, FAIL, SKIP"):
        StepResult("x", "OK", 0, "")


def test_verdict_needs_every_step_passed() -> None:
    ok = StepResult("a", "PASS", 5, "fine")
    assert all_passed([ok])
    assert not all_passed([ok, StepResult("b", "SKIP", 0, "needs the driver")])
    assert not all_passed([])


def test_reports_agree(tmp_path: Path) -> None:
    results = [StepResult("identity", "PASS", 15, "ID 0x444D4153"),
               StepResult("walk | all", "FAIL", 300, "CH[1].TAIL: read 0x3, expected 0x0"),
               StepResult("dmatest", "SKIP", 0, "needs the driver")]
    info = report.RunInfo("icarus", {"CHANNELS": 4}, seed=3, wall_s=1.5,
                          step_wall_s={"identity": 0.25})
    report.write_json(tmp_path / "r.json", results)
    assert json.loads((tmp_path / "r.json").read_text()) == [r.to_dict() for r in results]
    assert report.read_json(tmp_path / "r.json") == results
    report.write_markdown(tmp_path / "r.md", results, info)
    md = (tmp_path / "r.md").read_text()
    assert "| walk \\| all | FAIL | 300 | CH[1].TAIL: read 0x3, expected 0x0 |" in md
    assert "1 of 3 steps passed (1 FAIL, 1 SKIP)" in md
    report.write_junit(tmp_path / "r.xml", results, info)
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "1")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert cases["identity"].get("time") == "0.250"
    failure = cases["walk | all"].find("failure")
    assert failure is not None and "expected 0x0" in failure.get("message", "")
    assert cases["dmatest"].find("skipped") is not None


def test_steps_the_simulator_never_reached_are_failures(tmp_path: Path) -> None:
    import io

    from rich.console import Console

    from tb.bringup import launch

    display = launch._Display(Console(file=io.StringIO()), "t", ["a", "b", "c"])
    display.event({"event": "end", "step": {"name": "a", "result": "PASS", "cycles": 3,
                                            "detail": "ok"}})
    results = launch._final_results(tmp_path, display, "not run: the simulator crashed")
    assert [(r.name, r.result) for r in results] == [("a", "PASS"), ("b", "FAIL"), ("c", "FAIL")]
    assert results[1].detail == "not run: the simulator crashed"
