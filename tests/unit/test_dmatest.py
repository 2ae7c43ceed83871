"""dmatest on SoftDmaDevice: no failures on a correct provider, the kernel's patterns, thread
names and summary line; providers that corrupt memory in each way the kernel tells apart are
counted as failures with that classification; timeouts; bad arguments."""

from __future__ import annotations

import re

import pytest

from pydriver import dmaengine as de
from pydriver.conformance.mutants import make_soft_mutant
from pydriver.dmatest import (
    DESTINATION_MISMATCH,
    GUARD_OVERWRITTEN,
    NOT_COPIED,
    PATTERN_COPY,
    PATTERN_OVERWRITE,
    SOURCE_OVERWRITTEN,
    dmatest,
)
from pydriver.dmatest.patterns import init_dst, init_src, pattern_bytes
from pydriver.dmatest.result import dmatest_kbs, dmatest_persec
from pydriver.errors import NoDeviceError
from pydriver.memory import SystemMemory
from pydriver.soft import SoftDmaDevice

BUF = 2048  # one page per buffer (plus its guards) keeps the unit memory small
SUMMARY = re.compile(r"^(dma\d+chan\d+-\w+\d+): summary (\d+) tests, (\d+) failures "
                     r"(\d+) iops (\d+) KB/s \((-?\d+)\)$")  # fmt: skip


def _run(run, *devices, **kw):
    kw.setdefault("test_buf_size", BUF)

    async def body():
        for d in devices:
            await de.dma_async_device_register(d)
        return await dmatest(**kw)

    return run(body())


def test_soft_copy_memset_xor_pass(profile: str, run, make_soft) -> None:
    dev = make_soft(2)
    results = _run(run, dev, tests=("xor", "copy", "memset"), iterations=25)
    assert [r.thread for r in results] == [
        "dma0chan0-copy0", "dma0chan0-set0", "dma0chan0-xor0",
        "dma0chan1-copy0", "dma0chan1-set0", "dma0chan1-xor0",
    ]  # fmt: skip
    for r in results:
        m = SUMMARY.match(r.summary)
        assert m, r.summary
        assert m.group(1) == r.thread and int(m.group(2)) == r.tests == 25
        assert r.failures == 0 and r.status == 0 and r.ok, r.messages
        assert r.iops > 0 and r.kbps >= 0 and r.total_len > 0 and not r.mismatches
    assert [c.client_count for c in dev.channels] == [0, 0]  # released again


def test_defaults_threads_and_filters(run, make_soft) -> None:
    a, b = make_soft(2, name="alpha"), make_soft(1, name="beta")
    results = _run(run, a, b, threads_per_chan=2, test_device="beta", iterations=0)
    assert [r.thread for r in results] == ["dma1chan0-copy0", "dma1chan0-copy1"]
    assert all(r.tests == 100 for r in results)  # iterations=0 means 100
    de.reset()
    a, b = make_soft(2, name="alpha"), make_soft(1, name="beta")
    results = _run(run, a, b, test_channel="dma0chan1", iterations=3)
    assert [r.thread for r in results] == ["dma0chan1-copy0"]
    de.reset()
    a = make_soft(3)
    assert len(_run(run, a, max_channels=2, iterations=2)) == 2


def test_xor_source_count_is_odd(run, make_soft) -> None:
    """xor_sources=4 gives 5 sources, cut to the device's max_xor and made odd (3)."""
    seen = []

    class Spy(SoftDmaDevice):
        def device_prep_dma_xor(self, chan, dest, srcs, src_cnt, length, flags):
            seen.append(src_cnt)
            return super().device_prep_dma_xor(chan, dest, srcs, src_cnt, length, flags)

    dev = Spy(make_soft(1).mem, 1, max_xor=4, name="spy")
    (r,) = _run(run, dev, tests=("xor",), xor_sources=4, iterations=4)
    assert r.ok and set(seen) == {3}


def test_patterns() -> None:
    assert init_src(2, 3, 8, 0, False) == bytes([0x9F, 0x9E, 0xDD, 0xDC, 0xDB, 0x9A, 0x99, 0x98])
    assert init_dst(1, 2, 4, 0, False) == bytes([0x1F, 0x3E, 0x3D, 0x1C])
    assert init_dst(0, 2, 2, 1, True) == bytes([0x1E, 0x3E, 0x3E, 0x1E])  # memset: counter 1
    assert pattern_bytes(0x80, 31, 3, False) == bytes([0x80, 0x9F, 0x9E])
    assert init_src(0, 4, 4, 2, False)[:2] == bytes([0x81, 0x80])  # guard: counter -2, -1
    assert dmatest_persec(0, 5) == 0 and dmatest_persec(1_000_000, 5) == 5
    assert dmatest_persec(3_000_000, 10) == 3  # integer steps, as the kernel's do_div
    assert dmatest_kbs(2_000_000, 10 << 10) == 5


class _Corrupt(SoftDmaDevice):
    """A provider whose data path gets memcpy wrong in one way."""

    how = ""

    def execute(self, desc):
        n, dst, src = desc.length, desc.dest, desc.srcs[0]
        mem = self.mem
        if self.how == "source":
            super().execute(desc)
            mem.write(src + n - 1, bytes([mem.read(src + n - 1, 1)[0] ^ 0x01]))
        elif self.how == "short":
            mem.write(dst, mem.read(src, n - 1))
        elif self.how == "long":
            mem.write(dst, mem.read(src, n + 8))
        elif self.how == "shifted":
            mem.write(dst, mem.read(src + 1, n))


@pytest.mark.parametrize(
    "how, kind",
    [("source", SOURCE_OVERWRITTEN), ("short", NOT_COPIED), ("long", GUARD_OVERWRITTEN),
     ("shifted", DESTINATION_MISMATCH)],
)  # fmt: skip
def test_corrupting_providers_are_classified(run, mem, how: str, kind: str) -> None:
    dev = type(f"Corrupt_{how}", (_Corrupt,), {"how": how})(mem, 1, name=how)
    (r,) = _run(run, dev, iterations=6)
    assert r.tests == 6 and r.failures > 0 and not r.ok
    assert kind in r.kinds(), r.messages[:6]
    assert any("'data error'" in line for line in r.messages)
    m = next(m for m in r.mismatches if m.kind == kind)
    assert m.expected != m.actual and -64 <= m.offset < BUF + 64
    if how == "short":
        assert m.buffer == "dstbuf" and m.expected & PATTERN_COPY
        assert m.actual & PATTERN_OVERWRITE and f"dstbuf[{m.offset:#x}] not copied!" in m.message(
            "t"
        )
    if how == "source":
        assert r.kinds() == {SOURCE_OVERWRITTEN} and m.buffer == "srcbuf"
        assert f"srcbuf[{m.offset:#x}] overwritten! Expected {m.expected:02x}" in m.message("t")


def test_many_wrong_bytes_are_counted_and_suppressed(run, mem) -> None:
    class Nothing(SoftDmaDevice):
        def execute(self, desc):
            pass  # reports completion, copies nothing

    (r,) = _run(run, Nothing(mem, 1, name="lazy"), iterations=3)
    assert r.failures == 3 and r.kinds() == {NOT_COPIED}
    data = [int(m.group(1)) for line in r.messages if (m := re.search(r"\((\d+)\)$", line))
            and "data error" in line]  # fmt: skip
    assert len(data) == 3 and all(d >= 1 for d in data) and max(data) > 32  # seed 0
    assert any("errors suppressed" in line for line in r.messages)


def test_timeout_and_prep_error(run, fresh_core, mem) -> None:
    dev = make_soft_mutant("doorbell-never-rung", mem, 1)
    (r,) = _run(run, dev, iterations=2, timeout_ms=5)
    assert r.failures == 2 and sum("'test timed out'" in m for m in r.messages) == 2
    de.reset()

    class NoSlots(SoftDmaDevice):
        def device_prep_dma_memcpy(self, *args):
            return None

    (r,) = _run(run, NoSlots(mem, 1, name="full"), iterations=1)
    assert r.failures == 1 and "'prep error'" in r.messages[0]


def test_not_enough_memory(run) -> None:
    small = SystemMemory(4 * 4096)
    (r,) = _run(run, SoftDmaDevice(small, 1, name="tiny"), test_buf_size=16384)
    assert r.status == -12 and r.tests == 0 and r.summary.endswith("(-12)")
    assert "buffer allocation failed" in r.messages[0]


def test_no_channel(run, make_soft) -> None:
    dev = make_soft(1)

    async def body():
        await de.dma_async_device_register(dev)
        await de.dmaengine_get()  # async_tx holds every public channel: dmatest finds none
        try:
            await dmatest(iterations=1)
        finally:
            await de.dmaengine_put()

    with pytest.raises(NoDeviceError, match="no free channel for DMA_MEMCPY matches any"):
        run(body())
    with pytest.raises(NoDeviceError, match="matches channel 'dma7chan0'"):
        run(dmatest(test_channel="dma7chan0"))


@pytest.mark.parametrize(
    "kw, exc, msg",
    [
        ({"tests": ("pq",)}, ValueError, "unknown test 'pq' \\(dmasim has no DMA_PQ engine\\)"),
        ({"tests": "copy"}, TypeError, "tests must be a sequence of names"),
        ({"tests": ()}, ValueError, "tests is empty; choose from copy, memset, xor"),
        ({"threads_per_chan": 0}, ValueError, "threads_per_chan must be >= 1, got 0"),
        ({"test_channel": 3}, TypeError, "test_channel must be a str, got int"),
        ({"xor_sources": 1}, ValueError, "xor_sources must be >= 2"),
        ({"timeout_ms": -2}, ValueError, "timeout_ms must be >= -1"),
        ({"iterations": 1.5}, TypeError, "iterations must be an int, got float"),
        ({"noverify": 1}, TypeError, "noverify must be a bool"),
    ],
)
def test_bad_arguments(run, kw, exc, msg) -> None:
    with pytest.raises(exc, match=msg):
        run(dmatest(**kw))


def test_noverify(run, make_soft) -> None:
    (r,) = _run(run, make_soft(1), noverify=True, iterations=5)
    assert r.ok and r.total_len == 5 * BUF and not r.mismatches
