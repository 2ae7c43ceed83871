"""The mutation suite: every deliberately broken provider is caught by the rule it breaks,
with evidence; a provider that hangs still gets a report; the suite's command line."""

from __future__ import annotations

import pytest

from pydriver import dmaengine as de
from pydriver.conformance import RULES, run_conformance
from pydriver.conformance.mutants import MUTANTS, Mutant, break_device, make_soft_mutant, mutant
from pydriver.conformance.suite import main
from pydriver.soft import SoftDmaDevice

WATCHDOG_NS = 20_000_000  # a hung provider costs a few of these (asyncio: real time)


@pytest.mark.parametrize("m", MUTANTS, ids=lambda m: m.name)
def test_mutant_caught_by_its_rule(run, fresh_core, mem, m: Mutant) -> None:
    dev = make_soft_mutant(m, mem)
    report = run(run_conformance(dev, mem, seed=1, iterations=40, watchdog_ns=WATCHDOG_NS))
    fresh_core.errors.clear()  # a broken provider may crash its own tasklets
    assert m.rule in report.failed_rules, report.to_text()
    v = report.first(m.rule)
    assert v.rule == m.rule and v.chan and v.chan.startswith("dma0chan")
    assert v.time_ns is not None and v.detail.startswith("expected ")
    assert v.expected and v.happened and not report.ok


def test_every_rule_has_a_mutant() -> None:
    assert {m.rule for m in MUTANTS} == set(RULES)
    assert len(MUTANTS) >= 12 and len({m.name for m in MUTANTS}) == len(MUTANTS)


def test_hung_provider_still_reported(run, mem) -> None:
    """Issued work never completes: the run ends on its watchdogs with a progress verdict."""
    dev = make_soft_mutant("doorbell-never-rung", mem)
    report = run(run_conformance(dev, mem, iterations=200, watchdog_ns=WATCHDOG_NS))
    assert report.failed_rules == ["progress"]
    assert any("timed out" in n for n in report.notes)
    assert "never completed" in report.first("progress").happened


def test_break_a_registered_device(run, make_soft, mem) -> None:
    """A probed (registered) provider gets the bug afterwards, past its self-tests."""
    dev = make_soft(2)

    async def body():
        await de.dma_async_device_register(dev)
        break_device(dev, "tx-status-lies")
        return await run_conformance(dev, mem, iterations=30, watchdog_ns=WATCHDOG_NS)

    report = run(body())
    assert report.failed_rules == ["tx-status"] and type(dev).__name__.startswith("TxStatusLies")
    with pytest.raises(TypeError, match="break_device expects a DmaDevice, got int"):
        break_device(3, "tx-status-lies")


def test_mutant_build_errors() -> None:
    class Bare(de.DmaDevice):
        pass

    with pytest.raises(TypeError, match="changes cleanup\\(\\), which Bare does not have"):
        mutant("dependencies-not-run").build(Bare)
    with pytest.raises(TypeError, match="base must be a DmaDevice class"):
        mutant("cookie-reuse").build(int)

    class Other(de.DmaDevice):
        def cleanup(self, chan):
            pass

    with pytest.raises(TypeError, match="works on SoftDmaDevice's channel queues"):
        mutant("double-callback").build(Other)
    with pytest.raises(ValueError, match="unknown mutant 'nope'; mutants are: callback-in-irq"):
        mutant("nope")
    broken = mutant("tx-status-lies").build(SoftDmaDevice)
    assert issubclass(broken, SoftDmaDevice) and broken.__name__ == "TxStatusLiesSoftDmaDevice"


def test_suite_command_line(capsys, tmp_path) -> None:
    assert main(["--list"]) == 0
    assert "lock-held-across-callbacks" in capsys.readouterr().out
    rc = main(["--profile", "2.6.29", "--mutant", "cookie-reuse", "--iterations", "30",
               "--watchdog-ms", "20", "--out", str(tmp_path)])  # fmt: skip
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "RESULT: PASS (1/1 providers keep every rule, 1/1 mutants caught" in out
    assert (tmp_path / "conformance.xml").exists() and (tmp_path / "conformance.md").exists()
    with pytest.raises(SystemExit) as exc:
        main(["--iterations", "0"])
    assert exc.value.code == 2
    assert "0 is not a positive integer" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["--mutant", "nope"])
    assert "unknown mutant 'nope'" in capsys.readouterr().err
