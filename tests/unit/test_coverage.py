"""The coverage tooling without a simulator: descriptor classification, the DONE-reason tracker,
the functional report's goal check with exclusions, and the Verilator coverage.dat reader,
merge, waivers and goal (tb/coverage, docs/coverage.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pydriver.drivers.dmasim.hw import STATUS_XOR_NONZERO_MASK, Op, RawDescriptor
from tb.coverage import code, report, space
from tb.coverage.collector import _DoneTracker
from tb.coverage.descriptors import classify
from tb.coverage.goal import AT_LEAST


def test_length_classes_and_alignment() -> None:
    assert [space.length_class(n, 8) for n in (1, 7, 8, 32, 33, 128, 129)] == \
        ["lt_word", "lt_word", "words", "words", "burst", "burst", "bursts"]
    assert space.alignment([0x100, 0x208], 8) == "aligned"
    assert space.alignment([0x100, 0x209], 8) == "unaligned"
    assert space.alignment([], 8) == space.NONE


def test_classify_in_place_xor_and_xor_val() -> None:
    xor = RawDescriptor(Op.XOR, 40, 0x1003, (0x1003, 0x2000, 0x3000), 3, int_en=True)
    s = classify(2, xor, 0x8000_0000, False, 8)
    assert (s.op, s.channel, s.length, s.src_align, s.dst_align, s.nsrc, s.in_place,
            s.int_en, s.fence, s.cmpl_wb) == ("xor", 2, "burst", "unaligned", "unaligned", 3,
                                              "in_place", "on", "off", "off")
    val = RawDescriptor(Op.XOR_VAL, 4, 0, (0x10, 0x20), 2)
    s = classify(0, val, 0x8000_0000 | STATUS_XOR_NONZERO_MASK, True, 8)
    assert (s.length, s.dst_align, s.xor_val_result, s.in_place) == \
        ("lt_word", space.NONE, "nonzero", None)
    s = classify(0, RawDescriptor(Op.INTERRUPT), 0x8000_0000, True, 8)
    assert (s.length, s.src_align, s.dst_align) == (space.NONE,) * 3


def test_done_reasons() -> None:
    every = _DoneTracker()
    assert every.reason(1, done=True) == "every"
    assert every.reason(1, done=True) is None  # still set: not raised anew
    by_count = _DoneTracker(count=4)
    assert by_count.reason(3, done=False) is None
    assert by_count.reason(1, done=True) == "count"
    by_timeout = _DoneTracker(count=255, timeout=100)
    assert by_timeout.reason(1, done=False) is None
    assert by_timeout.reason(0, done=True) == "timeout"


def test_report_goal_and_exclusions(monkeypatch) -> None:
    merged = {"dma": {"size": 3},
              "dma.x.cp": {"bins:_hits": {"a": AT_LEAST, "b": AT_LEAST - 1, "c": 0}}}
    text, met = report.summary(report.evaluate(merged), 2)
    assert not met and "dma.x.cp  b" in text and "dma.x.cp  c" in text
    monkeypatch.setitem(report.EXCLUDED, ("dma.x.cp", "b"), "because")
    monkeypatch.setitem(report.EXCLUDED, ("dma.x.cp", "c"), "because too")
    text, met = report.summary(report.evaluate(merged), 2)
    assert met and "GOAL MET" in text and "because too" in text


def _dat(path: Path, points: list[tuple[str, int]]) -> Path:
    path.write_text("# SystemC::Coverage-3\n" + "".join(f"C '{k}' {n}\n" for k, n in points))
    return path


def _key(kind: str, line: int, comment: str, page: str, lines: str = "") -> str:
    fields = {"f": str(code.RTL_DIR / "dma_fifo.v"), "l": str(line), "n": "3", "t": kind,
              "page": page, "o": comment, "h": "dma_top.u_fifo"}
    if lines:
        fields["S"] = lines
    return "".join(f"\x01{k}\x02{v}" for k, v in fields.items())


def test_code_merge_waivers_and_goal(tmp_path: Path) -> None:
    # The same points from two builds with different generated module names add up.
    a = _dat(tmp_path / "a.dat", [(_key("line", 10, "block", "v_line/dma_fifo__W8", "10-12"), 0),
                                  (_key("branch", 11, "if", "v_branch/dma_fifo__W8"), 0),
                                  (_key("toggle", 5, "q[0]:0->1", "v_toggle/dma_fifo__W8"), 1)])
    b = _dat(tmp_path / "b.dat", [(_key("line", 10, "block", "v_line/dma_fifo__W16", "10-12"), 3),
                                  (_key("branch", 11, "if", "v_branch/dma_fifo__W16"), 0)])
    counts, _keys = code.merge([a, b])
    assert sorted(counts.values()) == [0, 1, 3]
    line = next(p for p in counts if p.kind == "line")
    assert line.file == "rtl/dma_fifo.v" and line.lines == (10, 11, 12)
    results, used = code.evaluate(counts, [])
    assert [p.kind for p in results["rtl/dma_fifo.v"].missed] == ["branch"]
    assert code.summary(results, used, 2)[1] is False
    waiver = code.Waiver("rtl/dma_fifo.v", 11, 11, "cannot happen")
    results, used = code.evaluate(counts, [waiver])
    text, met = code.summary(results, used, 2)
    assert met and used[waiver] and "cannot happen" in text
    files = code.annotate(counts, [waiver], tmp_path)
    assert files and any(row.startswith("~") for row in files[0].read_text().splitlines())


def test_code_waiver_file_errors(tmp_path: Path) -> None:
    good = tmp_path / "w.txt"
    good.write_text("# comment\nrtl/dma_fifo.v:3-5 a reason\n")
    assert code.load_waivers(good) == [code.Waiver("rtl/dma_fifo.v", 3, 5, "a reason")]
    bad = tmp_path / "bad.txt"
    bad.write_text("rtl/dma_fifo.v:three no line number\n")
    with pytest.raises(ValueError, match="bad.txt:1"):
        code.load_waivers(bad)


def test_the_project_waivers_parse() -> None:
    for w in code.load_waivers():
        assert (code.REPO / w.file).is_file(), f"waiver names a missing file: {w.file}"
