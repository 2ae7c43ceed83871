"""scripts/merge_junit.py: shard reports merged into one, counts recomputed, names kept apart."""

from __future__ import annotations

import importlib.util
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "merge_junit.py"
_spec = importlib.util.spec_from_file_location("merge_junit", SCRIPT)
assert _spec and _spec.loader
merge_junit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(merge_junit)


def shard(path: Path, suite: str, cases: list[tuple[str, str | None]]) -> Path:
    """A pytest-style report: one suite, cases as (name, None | 'failure' | 'skipped')."""
    root = ET.Element("testsuites")
    s = ET.SubElement(root, "testsuite", name=suite, tests="999")  # stale counts are ignored
    for name, outcome in cases:
        c = ET.SubElement(s, "testcase", classname="tests.rtl.test_rtl", name=name, time="1.5")
        if outcome:
            ET.SubElement(c, outcome, message="x")
    path.parent.mkdir(parents=True, exist_ok=True)
    ET.ElementTree(root).write(path)
    return path


def test_shards_merge_into_one_report(tmp_path: Path, capsys) -> None:
    shard(tmp_path / "s1" / "cocotb.xml", "dmasim shard 1/2",
          [("test_rtl[icarus-default-memcpy_tests]", None),
           ("test_rtl[icarus-c2_dw32-memcpy_tests]", "skipped")])
    shard(tmp_path / "s2" / "cocotb.xml", "dmasim shard 2/2",
          [("test_rtl[verilator-default-memcpy_tests]", None)])
    shard(tmp_path / "s2" / "icarus-ch4_dw64_aw32_x8-failing_tests.xml", "failing_tests",
          [("always_fails", "failure")])
    out = tmp_path / "merged.xml"
    assert merge_junit.main([str(tmp_path / "s1"), str(tmp_path / "s2"), "-o", str(out),
                             "--exclude", "*-failing_tests.xml"]) == 0
    root = ET.parse(out).getroot()
    assert [s.get("name") for s in root] == ["dmasim shard 1/2", "dmasim shard 2/2"]
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("3", "0", "1")
    assert root[0].get("tests") == "2" and float(root.get("time")) == 4.5
    assert "3 tests in 2 suites from 2 files: 0 failed" in capsys.readouterr().out


def test_failures_set_the_exit_status_and_duplicate_suites_stay_apart(tmp_path: Path) -> None:
    a = shard(tmp_path / "a.xml", "memcpy_tests", [("smoke", "failure")])
    b = shard(tmp_path / "b.xml", "memcpy_tests", [("smoke", None)])
    out = tmp_path / "merged.xml"
    assert merge_junit.main([str(a), str(b), "-o", str(out)]) == 1
    names = [s.get("name") for s in ET.parse(out).getroot()]
    assert names[0] == "memcpy_tests" and names[1].startswith("memcpy_tests (")


@pytest.mark.parametrize("content, message", [
    (None, "no JUnit report at"),
    ("not xml <", "is not XML"),
    ("<html/>", "is not a JUnit report"),
])
def test_bad_input_is_a_one_line_error(tmp_path: Path, capsys, content, message) -> None:
    path = tmp_path / "r.xml"
    if content is not None:
        path.write_text(content)
    assert merge_junit.main([str(path), "-o", str(tmp_path / "out.xml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
