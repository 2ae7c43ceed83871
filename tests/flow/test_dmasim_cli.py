"""`dmasim` as users call it: bad usage answered with exit 2 and a one-line message, and the
bring-up rehearsal's failure reporting: an injected wrong expectation and an unexpected bus
fault fail exactly their steps, with messages naming what was read, while every later step
still runs; report.json has the documented shape; --waves leaves an FST and its GTKWave save
file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pydriver.conformance import RULES
from tb import runner
from tb.bringup import plan

# The command, not the simulator, is under test: one run, on the first simulator SIM selects.
SIM = (os.environ.get("SIM", "").split() or ["icarus"])[0]


def dmasim(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tb.cli", *args], cwd=runner.REPO,
                          capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, message", [
    (("bringup", "--sim", "questa"), "argument --sim: invalid choice: 'questa'"),
    (("bringup", "--params", "CHANELS=2"), "unknown RTL parameter 'CHANELS'"),
    (("bringup", "--params", "CHANNELS=17"), "CHANNELS=17 is not supported: dma_top takes"),
    (("bringup", "--params", "DATA_WIDTH=wide"), "DATA_WIDTH needs an integer"),
    (("bringup", "--seed", "x"), "argument --seed: invalid int value: 'x'"),
    (("bench", "--sim", "modelsim"), "invalid choice: 'modelsim'"),
    (("bringup", "--inject", "bus-fault=no such step"), "bus-fault: no step named"),
    (("frobnicate",), "invalid choice: 'frobnicate'"),
    ((), "the following arguments are required: COMMAND"),
])
def test_bad_usage_exits_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    proc = dmasim(*args, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


def test_every_subcommand_has_help() -> None:
    for cmd in ("bringup", "dmatest", "conformance", "bench"):
        proc = dmasim(cmd, "--help", timeout=60)
        assert proc.returncode == 0
        for opt in ("--sim", "--params", "--seed", "--waves", "--report", "-v"):
            assert opt in proc.stdout, f"dmasim {cmd} --help lacks {opt}"
        assert "--inject" not in proc.stdout  # a test hook, not a user option


def test_injected_faults_fail_their_steps_and_later_steps_run(tmp_path: Path) -> None:
    target = "all channels at once"
    proc = dmasim("bringup", "--sim", SIM, "--seed", "1", "--report", str(tmp_path),
                  "--waves", "--inject", f"expect-id=0x12345678;bus-fault={target}")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "error:" not in out  # the failures are the steps', the rehearsal itself finished
    assert "cocotbext" not in out and "AxiRam" not in out  # library chatter stays in the log
    steps = json.loads((tmp_path / "report.json").read_text())
    assert isinstance(steps, list)
    assert [s["name"] for s in steps] == plan.steps(runner.DEFAULT_PARAMS["CHANNELS"])
    for s in steps:
        assert set(s) == {"name", "result", "cycles", "detail"}
        assert s["result"] in ("PASS", "FAIL", "SKIP") and isinstance(s["cycles"], int)
        assert s["detail"] and "\n" not in s["detail"]
    by_name = {s["name"]: s for s in steps}
    ident = by_name["reset and identity"]
    assert ident["result"] == "FAIL"
    assert "ID reads 0x444D4153" in ident["detail"] and "expected 0x12345678" in ident["detail"]
    faulted = by_name[target]
    assert faulted["result"] == "FAIL" and "halted" in faulted["detail"], faulted
    assert "ERR_CODE=0x10(DESC_READ)" in faulted["detail"], faulted  # what the channel said
    # Every other register-level step ran and passed: the failures did not leak into them.
    for name in plan.HARDWARE_STEPS:
        if name not in ("reset and identity", target):
            assert by_name[name]["result"] == "PASS", by_name[name]
    # The steps after the faulted one ran (none is "not run").
    later = steps[steps.index(faulted) + 1:]
    assert later and not any(s["detail"].startswith("not run") for s in later)
    # The other reports say the same.
    md = (tmp_path / "report.md").read_text()
    assert f"| {target} | FAIL |" in md
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    failed = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert {"reset and identity", target} <= failed
    assert (tmp_path / "bringup.log").stat().st_size > 0
    # --waves: the FST, and a GTKWave save file opening it on the AXI channels, irq and
    # channel 0's state.
    gtkw = (tmp_path / "bringup.gtkw").read_text()
    fst = Path(gtkw.split('"')[1])
    assert fst.suffix == ".fst" and fst.stat().st_size > 0 and "waves: " in proc.stdout
    for signal in ("dma_top.m_axi_awvalid", "dma_top.m_axi_araddr[31:0]",
                   "dma_top.m_axi_rdata[63:0]", "dma_top.irq[3:0]",
                   "dma_top.gen_ch[0].u_chan.head[15:0]"):
        assert f"\n{signal}\n" in gtkw, signal


def test_dmatest_and_conformance_on_the_driver(tmp_path: Path) -> None:
    proc = dmasim("dmatest", "--sim", SIM, "--channel", "dma0chan1", "--iterations", "3", "--tests",
                  "copy,xor", "--report", str(tmp_path / "dmatest"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for thread in ("dma0chan1-copy0", "dma0chan1-xor0"):
        assert f"{thread}: summary 3 tests, 0 failures" in proc.stdout
    assert "dma0chan0" not in proc.stdout  # test_channel picked one channel
    proc = dmasim("conformance", "--sim", SIM, "--iterations", "1", "--report",
                  str(tmp_path / "conf"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(RULES)} rules, {len(RULES)} PASS, 0 FAIL, 0 not exercised" in proc.stdout
    assert ET.parse(tmp_path / "conf" / "junit.xml").getroot() is not None
