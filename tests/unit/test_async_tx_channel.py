"""async_tx channel choice (docs/kernel-model.md, R35, R42-R44, R64): the dependency's channel
when its device can do the job, else the per-CPU table, else the CPU."""

from __future__ import annotations

import pytest

from pydriver import dmaengine as de
from pydriver.async_tx import (
    ASYNC_TX_XOR_ZERO_DST,
    async_memcpy,
    async_memset,
    async_tx_test_ack,
    async_xor,
    async_xor_val,
    init_async_submit,
)
from pydriver.errors import DmaWarning
from pydriver.runtime import Context
from tests.support.callbacks import Calls
from tests.support.engines import engines, soft
from tests.support.pages import LEN, filled, pattern, xor_bytes
from tests.support.waiting import settle, wait_done


def test_no_engine_means_cpu_in_callers_context(profile, run, mem) -> None:
    async def body() -> None:
        src, dst = filled(mem, 1, 2)
        calls = Calls()
        submit = init_async_submit(0, None, *calls.cb("copy", lambda: dst.read(0, LEN)))
        tx = await async_memcpy(dst, src, 0, 0, LEN, submit)
        assert tx is None
        assert dst.read(0, LEN) == pattern(1)
        # the callback already ran, here, with the data in place
        assert calls.names == ["copy"]
        assert calls.log[0].context is Context.PROCESS
        assert calls.log[0].seen == pattern(1)

    run(body())


def test_registered_engine_without_reference_is_not_used(profile, run, mem) -> None:
    # async_tx only sees channels through the table, which needs a dmaengine reference (R64)
    async def body() -> None:
        dev = soft(mem)
        await engines(dev, get=False)
        src, dst = filled(mem, 1, 2)
        tx = await async_memcpy(dst, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        assert tx is None and dst.read(0, LEN) == pattern(1)
        assert dev.channels[0].cookie == 0

    run(body())


def test_engine_queues_until_issue_pending(profile, run, mem) -> None:
    async def body() -> None:
        dev = soft(mem)
        await engines(dev)
        src, dst = filled(mem, 1, 2)
        calls = Calls()
        submit = init_async_submit(0, None, *calls.cb("copy", lambda: dst.read(0, LEN)))
        tx = await async_memcpy(dst, src, 0, 0, LEN, submit)
        assert tx is not None and tx.chan is dev.channels[0]
        assert tx.cookie == 1 and tx.parent is None
        assert tx.flags & de.DMA_PREP_INTERRUPT  # a callback asks for an interrupt
        await settle()
        assert dst.read(0, LEN) == pattern(2) and calls.log == []  # submitted, not issued
        await wait_done(tx)
        assert dst.read(0, LEN) == pattern(1)
        assert calls.names == ["copy"]
        assert calls.log[0].context is Context.TASKLET
        assert calls.log[0].seen == pattern(1)  # never before the data is in memory

    run(body())


def test_stays_on_the_dependency_channel(profile, run, mem) -> None:
    async def body() -> None:
        copier = soft(mem, de.DMA_MEMCPY)
        allround = soft(mem, de.DMA_XOR, de.DMA_MEMCPY, de.DMA_INTERRUPT)
        await engines(copier, allround)
        # the table would give the copy to the first device...
        assert de.dma_find_channel(de.DMA_MEMCPY) is copier.channels[0]
        a, b, p, q = filled(mem, 1, 2, 3, 4)
        tx1 = await async_xor(
            p, [a, b], 0, 2, LEN, init_async_submit(ASYNC_TX_XOR_ZERO_DST, None, None, None)
        )
        assert tx1.chan is allround.channels[0]
        # ...but the chain stays where its dependency is, because that device can copy
        tx2 = await async_memcpy(q, p, 0, 0, LEN, init_async_submit(0, tx1, None, None))
        assert tx2.chan is tx1.chan
        assert tx2.cookie == tx1.cookie + 1 and tx2.parent is None  # direct submit
        await wait_done(tx2)
        assert q.read(0, LEN) == xor_bytes(pattern(1), pattern(2))

    run(body())


def test_dependency_device_without_the_capability_uses_the_table(profile, run, mem) -> None:
    async def body() -> None:
        xorer = soft(mem, de.DMA_XOR, de.DMA_INTERRUPT)
        copier = soft(mem, de.DMA_MEMCPY)
        await engines(xorer, copier)
        a, b, p, q = filled(mem, 1, 2, 3, 4)
        tx1 = await async_xor(
            p, [a, b], 0, 2, LEN, init_async_submit(ASYNC_TX_XOR_ZERO_DST, None, None, None)
        )
        tx2 = await async_memcpy(q, p, 0, 0, LEN, init_async_submit(0, tx1, None, None))
        assert tx1.chan is xorer.channels[0]
        assert tx2.chan is copier.channels[0] is de.dma_find_channel(de.DMA_MEMCPY)
        await wait_done(tx2)
        assert q.read(0, LEN) == xor_bytes(pattern(1), pattern(2))

    run(body())


def test_channel_of_the_current_cpu(profile, run, mem) -> None:
    # R16's worked example: 2 CPUs, 3 channels: MEMCPY cpu0 -> ch0, cpu1 -> ch1
    de.reset(profile, nr_cpus=2, sync_wait_timeout_ns=50_000_000)

    async def body() -> None:
        dev = soft(mem, de.DMA_MEMCPY, de.DMA_XOR, nr_channels=3)
        await engines(dev)
        src, d0, d1 = filled(mem, 1, 2, 3)
        with de.on_cpu(0):
            tx0 = await async_memcpy(d0, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        with de.on_cpu(1):
            tx1 = await async_memcpy(d1, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        assert tx0.chan is dev.channels[0]
        assert tx1.chan is dev.channels[1]
        await wait_done(tx0, tx1)
        assert d0.read(0, LEN) == d1.read(0, LEN) == pattern(1)

    run(body())


def test_misaligned_work_goes_to_the_cpu_under_32(run, mem) -> None:
    # 2.6.32 only (commit 83544ae9f39): misalignment is not an error, the CPU does it
    de.reset("2.6.32", sync_wait_timeout_ns=50_000_000)

    async def body() -> None:
        dev = soft(mem)
        dev.copy_align = dev.xor_align = dev.fill_align = 3  # 8-byte units
        await engines(dev)
        src, dst, a, b = filled(mem, 1, 2, 3, 4)
        ctl = init_async_submit(0, None, None, None)
        assert await async_memcpy(dst, src, 4, 0, 64, ctl) is None
        assert dst.read(4, 64) == pattern(1)[:64]
        assert await async_memset(dst, 0xAB, 0, 12, ctl) is None
        assert dst.read(0, 12) == b"\xab" * 12
        zero = init_async_submit(ASYNC_TX_XOR_ZERO_DST, None, None, None)
        with pytest.warns(DmaWarning, match="dma address conversion"):
            assert await async_xor(dst, [a, b], 0, 2, 20, zero) is None
        assert dst.read(0, 20) == xor_bytes(pattern(3)[:20], pattern(4)[:20])
        result = de.SumCheck(7)
        with pytest.warns(DmaWarning, match="async_xor_val"):
            val = await async_xor_val(a, [a, b], 4, 2, 16, result, ctl)
        assert val is None and result.value == de.SUM_CHECK_P_RESULT
        assert a.read(4, 16) == xor_bytes(pattern(3)[4:20], pattern(4)[4:20])  # fallback
        # aligned work still goes to the engine
        tx = await async_memcpy(dst, src, 8, 0, 64, ctl)
        assert tx is not None
        await wait_done(tx)
        assert dev.channels[0].cookie == 1

    run(body())


def test_memcpy_without_a_descriptor_falls_back_to_cpu(profile, run, mem) -> None:
    # prep None (ring full) makes memcpy/memset do the work on the CPU, no retry (R42)
    async def body() -> None:
        dev = soft(mem, ring_slots=1)
        await engines(dev)
        src, mid, dst = filled(mem, 1, 2, 3)
        tx1 = await async_memcpy(mid, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        assert tx1 is not None
        tx2 = await async_memcpy(dst, mid, 0, 0, LEN, init_async_submit(0, tx1, None, None))
        assert tx2 is None
        # the dependency was waited for (and acked) before the CPU copied its result
        assert async_tx_test_ack(tx1)
        assert dst.read(0, LEN) == pattern(1)
        assert dev.channels[0].cookie == 1

    run(body())


@pytest.mark.parametrize("caps", [(de.DMA_MEMCPY,), (de.DMA_MEMCPY, de.DMA_INTERRUPT)])
def test_cpu_operation_after_engine_dependency_waits_for_it(profile, run, mem, caps) -> None:
    # no MEMSET engine: the memset waits for the copy it depends on, acks it, then fills
    async def body() -> None:
        dev = soft(mem, *caps)
        await engines(dev)
        src, dst = filled(mem, 1, 2)
        tx1 = await async_memcpy(dst, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        calls = Calls()
        tx2 = await async_memset(dst, 0x5A, 16, 32, init_async_submit(0, tx1, *calls.cb("fill")))
        assert tx2 is None and async_tx_test_ack(tx1)
        assert calls.contexts() == [Context.PROCESS]
        expect = bytearray(pattern(1))
        expect[16:48] = b"\x5a" * 32
        assert dst.read(0, LEN) == bytes(expect)
        await settle()
        assert dst.read(0, LEN) == bytes(expect)

    run(body())
