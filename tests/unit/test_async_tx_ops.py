"""async_memcpy, async_memset, async_trigger_callback, async_tx_quiesce and
async_tx_issue_pending_all (docs/kernel-model.md, R42-R44, R53-R57, R63): bytes, callbacks (once, in
order, after the data, in the right context)."""

from __future__ import annotations

import pytest

from pydriver import dmaengine as de
from pydriver.async_tx import (
    ASYNC_TX_ACK,
    ASYNC_TX_XOR_ZERO_DST,
    async_memcpy,
    async_memset,
    async_trigger_callback,
    async_tx_issue_pending,
    async_tx_issue_pending_all,
    async_tx_quiesce,
    async_tx_test_ack,
    async_xor,
    init_async_submit,
)
from pydriver.errors import DmaBug
from pydriver.runtime import Context, get_runtime
from tests.support.callbacks import Calls
from tests.support.engines import engines, soft
from tests.support.pages import LEN, filled, pattern, xor_bytes
from tests.support.waiting import settle, wait_done


@pytest.mark.parametrize("path", ["engine", "cpu"])
def test_memcpy_and_memset_bytes(profile, run, mem, path) -> None:
    async def body() -> None:
        if path == "engine":
            await engines(soft(mem))
        src, dst = filled(mem, 1, 2)
        calls = Calls()
        tx1 = await async_memcpy(
            dst, src, 100, 40, 64, init_async_submit(0, None, *calls.cb("copy"))
        )
        tx2 = await async_memset(dst, 0xC3, 120, 8, init_async_submit(0, tx1, *calls.cb("set")))
        assert (tx1 is None, tx2 is None) == (path == "cpu", path == "cpu")
        await wait_done(tx1, tx2)
        expect = bytearray(pattern(2))
        expect[100:164] = pattern(1)[40:104]
        expect[120:128] = b"\xc3" * 8
        assert dst.read(0, LEN) == bytes(expect)
        assert src.read(0, LEN) == pattern(1)
        ctx = Context.TASKLET if path == "engine" else Context.PROCESS
        assert calls.names == ["copy", "set"] and calls.contexts() == [ctx, ctx]

    run(body())


def test_memcpy_at_page_edges(profile, run, mem) -> None:
    async def body() -> None:
        await engines(soft(mem))
        src, dst = mem.alloc_page(), mem.alloc_page()
        src.write(0, pattern(1, 4096))
        tx = await async_memcpy(dst, src, 0, 0, 4096, init_async_submit(0, None, None, None))
        tx2 = await async_memcpy(dst, src, 4095, 0, 1, init_async_submit(0, tx, None, None))
        await wait_done(tx, tx2)
        assert dst.read(0, 4095) == pattern(1, 4096)[:4095]
        assert dst.read(4095, 1) == pattern(1, 4096)[:1]

    run(body())


def test_callbacks_once_in_submission_order_after_the_data(profile, run, mem) -> None:
    async def body() -> None:
        await engines(soft(mem))
        pages = filled(mem, *range(1, 9))
        calls = Calls()
        expected: list[tuple[str, bytes]] = []
        txs = []
        for i in range(0, 8, 2):
            src, dst = pages[i], pages[i + 1]
            name = f"copy{i}"
            txs.append(
                await async_memcpy(
                    dst,
                    src,
                    0,
                    0,
                    LEN,
                    init_async_submit(0, None, *calls.cb(name, lambda dst=dst: dst.read(0, LEN))),
                )
            )
            expected.append((name, pattern(i + 1)))
            name = f"set{i}"
            txs.append(
                await async_memset(
                    src,
                    i,
                    0,
                    LEN,
                    init_async_submit(0, None, *calls.cb(name, lambda src=src: src.read(0, LEN))),
                )
            )
            expected.append((name, bytes([i]) * LEN))
        await wait_done(*txs)
        assert [(c.name, c.seen) for c in calls.log] == expected
        assert set(calls.contexts()) == {Context.TASKLET}
        await settle()
        assert len(calls.log) == len(expected)  # exactly once

    run(body())


def test_nothing_runs_before_issue_pending(profile, run, mem) -> None:
    async def body() -> None:
        dev = soft(mem, nr_channels=2)
        await engines(dev)
        src, d1, d2 = filled(mem, 1, 2, 3)
        tx = await async_memcpy(d1, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        await settle()
        assert d1.read(0, LEN) == pattern(2) and tx.state is de.DescState.SUBMITTED
        async_tx_issue_pending(tx)  # 2.6.32's per-channel kick (offered in both)
        await wait_done(tx)
        assert d1.read(0, LEN) == pattern(1)
        tx = await async_memcpy(d2, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        await settle()
        assert d2.read(0, LEN) == pattern(3)
        async_tx_issue_pending_all()
        await wait_done(tx)
        assert d2.read(0, LEN) == pattern(1)

    run(body())


# ------------------------------------------------------------------ async_trigger_callback


def test_trigger_callback_without_dependency_runs_now(profile, run) -> None:
    async def body() -> None:
        calls = Calls()
        assert await async_trigger_callback(init_async_submit(0, None, *calls.cb("cb"))) is None
        assert calls.names == ["cb"] and calls.contexts() == [Context.PROCESS]

    run(body())


@pytest.mark.parametrize("ack", [0, ASYNC_TX_ACK])
def test_trigger_callback_queues_an_interrupt_descriptor(profile, run, mem, ack) -> None:
    async def body() -> None:
        dev = soft(mem)
        await engines(dev)
        src, dst = filled(mem, 1, 2)
        tx1 = await async_memcpy(dst, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        calls = Calls()
        tx = await async_trigger_callback(
            init_async_submit(ack, tx1, *calls.cb("cb", lambda: dst.read(0, LEN)))
        )
        assert tx is not None and tx.chan is tx1.chan and tx.cookie == tx1.cookie + 1
        assert async_tx_test_ack(tx) == bool(ack)
        assert calls.log == []
        await wait_done(tx)
        assert calls.names == ["cb"] and calls.log[0].seen == pattern(1)
        assert calls.contexts() == [Context.TASKLET]

    run(body())


def test_trigger_callback_on_a_device_without_interrupt_waits(profile, run, mem) -> None:
    async def body() -> None:
        await engines(soft(mem, de.DMA_MEMCPY))
        src, dst = filled(mem, 1, 2)
        tx1 = await async_memcpy(dst, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        calls = Calls()
        tx = await async_trigger_callback(
            init_async_submit(0, tx1, *calls.cb("cb", lambda: dst.read(0, LEN)))
        )
        assert tx is None and async_tx_test_ack(tx1)
        assert calls.contexts() == [Context.PROCESS] and calls.log[0].seen == pattern(1)

    run(body())


# ------------------------------------------------------------------ async_tx_quiesce


def test_quiesce_waits_and_acks(profile, run, mem) -> None:
    async def body() -> None:
        await engines(soft(mem))
        a, b, p = filled(mem, 1, 2, 3)
        tx = await async_xor(
            p, [a, b], 0, 2, LEN, init_async_submit(ASYNC_TX_XOR_ZERO_DST, None, None, None)
        )
        await async_tx_quiesce(None)  # nothing to wait for
        await async_tx_quiesce(tx)  # issues the channel itself (dma_sync_wait)
        assert async_tx_test_ack(tx)
        assert p.read(0, LEN) == xor_bytes(pattern(1), pattern(2))
        with pytest.raises(DmaBug, match="already acked"):
            await async_tx_quiesce(tx)

    run(body())


def test_no_async_tx_from_hard_irq(profile, run, mem) -> None:
    async def body() -> None:
        src, dst = filled(mem, 1, 2)
        # the check fires before the coroutine's first await, so the atomic section holds
        with get_runtime().in_context(Context.HARDIRQ), pytest.raises(DmaBug, match="hard-IRQ"):
            await async_memcpy(dst, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        assert dst.read(0, LEN) == pattern(2)

    run(body())


def test_no_quiesce_from_hard_irq(profile, run) -> None:
    async def body() -> None:
        with get_runtime().in_context(Context.HARDIRQ), pytest.raises(DmaBug, match="hard-IRQ"):
            await async_tx_quiesce(None)

    run(body())
