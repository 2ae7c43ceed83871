"""The conformance checker on SoftDmaDevice: every rule kept and exercised, the report's
three renderings, the instrumentation undone on detach, and bad arguments."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pydriver import dmaengine as de
from pydriver.conformance import (
    FAIL,
    NOT_EXERCISED,
    PASS,
    RULES,
    ConformanceChecker,
    ConformanceReport,
    Violation,
    format_table,
    run_conformance,
)
from pydriver.errors import DmaError
from pydriver.memory import SystemMemory
from pydriver.runtime import Context, get_runtime
from pydriver.soft import SoftChan, SoftDescriptor, SoftDmaDevice

ITERATIONS = 60


@pytest.mark.parametrize("nr_channels", [1, 2])
def test_soft_keeps_every_rule(profile: str, run, make_soft, mem, nr_channels: int) -> None:
    dev = make_soft(nr_channels)
    report = run(run_conformance(dev, mem, seed=nr_channels, iterations=ITERATIONS))
    assert report.ok, report.to_text()
    assert report.all_pass, report.to_text()
    assert report.exercised == set(RULES)
    assert set(report.results.values()) == {PASS}
    assert not any("cookie wrap not exercised" in n for n in report.notes)


def test_pending_threshold_allows_start_at_threshold(run, make_soft, mem) -> None:
    """A device declaring pending_threshold may start at N pending (iop-adma style)."""
    dev = make_soft(1, pending_threshold=3)
    report = run(run_conformance(dev, mem, iterations=ITERATIONS))
    assert report.all_pass, report.to_text()


def test_device_without_interrupt_or_xor(run, make_soft, mem) -> None:
    """Only memcpy and memset: chains cross channels by waiting; every rule still exercised."""
    dev = make_soft(2, caps=(de.DMA_MEMCPY, de.DMA_MEMSET))
    report = run(run_conformance(dev, mem, iterations=ITERATIONS))
    assert report.all_pass, report.to_text()


def test_device_already_held_by_dmaengine_get(run, make_soft, mem) -> None:
    """A public device whose channels async_tx already references is used as it is."""
    dev = make_soft(2)

    async def body():
        await de.dma_async_device_register(dev)
        await de.dmaengine_get()
        report = await run_conformance(dev, mem, iterations=30)
        assert [c.client_count for c in dev.channels] == [1, 1]
        await de.dmaengine_put()
        return report

    report = run(body())
    assert report.all_pass, report.to_text()


def test_report_renderings(tmp_path) -> None:
    v = Violation("tx-status", "dma0chan1", 7, Context.PROCESS, 1234, "expected A; happened: B")
    rep = ConformanceReport("softX (dma0)", [v], {"tx-status", "cookie-order"}, {"tx-status": 3})
    assert not rep.ok
    assert rep.status("tx-status") == FAIL
    assert rep.status("cookie-order") == PASS
    assert rep.status("progress") == NOT_EXERCISED
    assert rep.failed_rules == ["tx-status"] and rep.count("tx-status") == 3
    text = rep.to_text()
    assert "tx-status" in text and "(3 violations)" in text
    assert "dma0chan1, cookie 7, process context, t=1234 ns: expected A; happened: B" in text
    md = rep.to_markdown()
    assert "| `tx-status` | FAIL | 3 |" in md and "| `progress` | not exercised | 0 |" in md
    path = rep.write_junit(tmp_path / "sub" / "conf.xml")
    suite = ET.parse(path).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("tests") == str(len(RULES)) and suite.get("failures") == "1"
    assert suite.get("skipped") == str(len(RULES) - 2)
    failing = [c for c in suite if c.find("failure") is not None]
    assert [c.get("name") for c in failing] == ["tx-status"]
    assert "expected A" in failing[0].find("failure").get("message")
    table = format_table({"a": rep, "b": ConformanceReport("b")})
    assert table.splitlines()[2].split() == ["callback-context", "not", "exercised", "not",
                                             "exercised"]  # fmt: skip
    with pytest.raises(ValueError, match="unknown conformance rule 'nope'"):
        rep.status("nope")


def test_checker_by_hand_and_detach_restores(run, make_soft, mem) -> None:
    """attach/detach around the client's own workload; detach undoes every patch."""
    dev = make_soft(1)
    rt = get_runtime()

    async def body():
        await de.dma_async_device_register(dev)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        ck = ConformanceChecker(watchdog_ns=10_000_000)
        ck.attach(dev)
        assert "device_issue_pending" in vars(dev) and "write" in vars(mem)
        src, dst = mem.alloc_page(), mem.alloc_page()
        src.fill(0x5A)
        tx = dev.device_prep_dma_memcpy(chan, dst.addr, src.addr, 512, de.DMA_PREP_INTERRUPT)
        seen = []
        tx.callback, tx.callback_param = seen.append, "done"
        cookie = tx.tx_submit()
        de.dma_async_issue_pending(chan)
        assert await de.dma_sync_wait(chan, cookie) == de.DMA_SUCCESS
        assert await ck.settle()
        ck.detach()
        assert seen == ["done"] and dst.read(0, 512) == bytes([0x5A]) * 512
        assert not {"device_issue_pending", "device_prep_dma_memcpy"} & set(vars(dev))
        assert "write" not in vars(mem) and "in_context" not in vars(rt)
        assert type(tx).__mro__[:2] == (SoftDescriptor, de.DmaAsyncTxDescriptor)
        assert type(chan).__mro__[:2] == (SoftChan, de.DmaChan)
        await de.dma_release_channel(chan)
        return ck.report()

    report = run(body())
    assert report.ok, report.to_text()
    assert {"callback-context", "callback-once", "callback-after-data", "prep-atomic",
            "progress"} <= report.exercised  # fmt: skip
    assert report.status("run-dependencies") == NOT_EXERCISED


def test_checker_catches_a_provider_it_has_never_seen(run, mem) -> None:
    """A user's provider built from the blocks, whose tasklet runs callbacks before it
    records the completed cookie and writes data only afterwards."""

    class Sloppy(SoftDmaDevice):
        def execute(self, desc):  # the "hardware" does nothing ...
            pass

        def cleanup(self, chan):  # ... and the driver copies at cleanup, after the callback
            done = [d for d in chan.active if d.hw_done]
            super().cleanup(chan)
            for d in done:
                SoftDmaDevice.execute(self, d)

    dev = Sloppy(mem, 1, name="sloppy")
    report = run(run_conformance(dev, mem, iterations=20))
    assert "callback-after-data" in report.failed_rules
    v = report.first("callback-after-data")
    assert v.chan == "dma0chan0" and v.context is Context.TASKLET and v.cookie >= 1
    assert "does not hold the" in v.happened


def test_bad_arguments(run, make_soft, mem) -> None:
    dev = make_soft(1)
    with pytest.raises(TypeError, match="device must be a DmaDevice, got str"):
        run(run_conformance("dma0", mem))
    with pytest.raises(TypeError, match="mem must be a SystemMemory, got NoneType"):
        run(run_conformance(dev, None))
    with pytest.raises(ValueError, match="iterations must be >= 1, got 0"):
        run(run_conformance(dev, mem, iterations=0))
    with pytest.raises(TypeError, match="seed must be an int, got str"):
        run(run_conformance(dev, mem, seed="1"))
    with pytest.raises(ValueError, match="not the memory the device works on"):
        run(run_conformance(dev, SystemMemory(16 * 4096)))
    with pytest.raises(DmaError, match="needs 10 free pages of DMA memory, 3 are left"):
        small = SystemMemory(4 * 4096)
        run(run_conformance(SoftDmaDevice(small, 1), small))
    ck = ConformanceChecker()
    with pytest.raises(TypeError, match="attach expects a DmaDevice, got int"):
        ck.attach(3)
    with pytest.raises(ValueError, match="watchdog_ns must be a positive int"):
        ConformanceChecker(watchdog_ns=0)
    ck.attach(dev)
    with pytest.raises(RuntimeError, match="already attached to soft.*detach it first"):
        ck.attach(dev)
    ck.detach()
    ck.detach()  # twice is harmless
    assert ck.report().ok and ck.report().exercised == set()
