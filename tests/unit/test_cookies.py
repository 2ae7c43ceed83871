"""Cookies, completion tests and the polling waits (docs/kernel-model.md, R55, R56, R60-R62)."""

from __future__ import annotations

import pytest

from pydriver import dmaengine as de
from pydriver.errors import DmaSpeculativeWaitWarning
from pydriver.runtime import get_runtime
from tests.support.engines import register

S, P = de.DMA_SUCCESS, de.DMA_IN_PROGRESS
MAX = de.COOKIE_MAX


def _tx(chan: de.DmaChan) -> de.DmaAsyncTxDescriptor:
    return de.DmaAsyncTxDescriptor(chan, 0, de.dma_cookie_assign)


def test_assignment_counts_up_and_wraps_to_one(profile: str) -> None:
    chan = de.DmaChan()
    a, b = _tx(chan), _tx(chan)
    assert a.cookie == de.EBUSY_COOKIE == -16
    assert de.dma_cookie_assign(a) == 1 and de.dma_cookie_assign(b) == 2
    assert (a.cookie, b.cookie, chan.cookie) == (1, 2, 2)
    chan.cookie = MAX - 1
    c, d, e = _tx(chan), _tx(chan), _tx(chan)
    assert [de.dma_cookie_assign(x) for x in (c, d, e)] == [MAX, 1, 2]  # never 0 or negative
    assert chan.cookie == 2


@pytest.mark.parametrize(
    "cookie, last, used, want",
    [
        (5, 5, 9, S), (3, 5, 9, S), (6, 5, 9, P), (9, 5, 9, P),
        (10, 5, 9, S),  # never issued reads as done
        (0, 5, 9, S), (-16, 5, 9, S), (-5, 5, 9, S),  # not a real cookie: done
        (7, 7, 7, S),
        # wrapped: used restarted at 1 while last is still high
        (MAX, MAX - 1, 3, P), (1, MAX - 1, 3, P), (3, MAX - 1, 3, P),
        (MAX - 1, MAX - 1, 3, S), (100, MAX - 1, 3, S), (4, MAX - 1, 3, S),
        (-16, MAX - 1, 3, P),  # the wrapped rule does not treat negatives as done
    ],
)  # fmt: skip
def test_is_complete(cookie: int, last: int, used: int, want: de.DmaStatus) -> None:
    assert de.dma_async_is_complete(cookie, last, used) == want


def test_is_complete_and_submit_error_check_types() -> None:
    with pytest.raises(TypeError):
        de.dma_async_is_complete("1", 0, 0)  # type: ignore[arg-type]
    assert de.dma_submit_error(-5) and not de.dma_submit_error(1)
    with pytest.raises(TypeError):
        de.dma_submit_error(None)  # type: ignore[arg-type]


def test_is_tx_complete_reports_last_and_used(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        chan = de.dma_find_channel(de.DMA_MEMCPY)
        src, dst = mem.alloc_pages(2)
        txs = [a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 16, 0) for _ in range(3)]
        cookies = [tx.tx_submit() for tx in txs]
        assert cookies == [1, 2, 3]
        assert de.dma_async_is_tx_complete(chan, 2) == (P, 0, 3)
        assert await de.dma_sync_wait(chan, 3) == S
        assert de.dma_async_is_tx_complete(chan, 2) == (S, 3, 3)
        with pytest.raises(TypeError):
            de.dma_async_is_tx_complete("chan", 1)  # type: ignore[arg-type]

    run(body())


def test_sync_wait_issues_pending_itself(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMSET))
        dst = mem.alloc_page()
        tx = a.device_prep_dma_memset(chan, dst.addr, 0xEE, 4096, de.DMA_CTRL_ACK)
        cookie = tx.tx_submit()
        assert await de.dma_sync_wait(chan, cookie) == S
        assert dst.read() == b"\xee" * 4096

    run(body())


def test_sync_wait_times_out_with_dma_error(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        a.stall(chan)
        src, dst = mem.alloc_pages(2)
        cookie = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0).tx_submit()
        rt = get_runtime()
        t0 = rt.now_ns()
        assert await de.dma_sync_wait(chan, cookie, timeout_ns=5_000_000) == de.DMA_ERROR
        assert 5_000_000 <= rt.now_ns() - t0 < 500_000_000
        de.set_timeouts(sync_wait_ns=2_000_000)
        assert await de.dma_sync_wait(chan, cookie) == de.DMA_ERROR  # configured default
        a.resume(chan)
        # real time: a generous limit, so a busy machine cannot turn completion into a timeout
        assert await de.dma_sync_wait(chan, cookie, timeout_ns=10_000_000_000) == S

    run(body())


def test_sync_wait_checks_the_deadline_before_the_status(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        # cookie 0 was never issued, so it reads as done; with a zero limit the kernel's
        # loop still reports the timeout first
        assert await de.dma_sync_wait(chan, 0, timeout_ns=0) == de.DMA_ERROR
        assert await de.dma_sync_wait(chan, 0) == S

    run(body())


def test_timeout_configuration_is_checked() -> None:
    with pytest.raises(ValueError):
        de.reset(sync_wait_timeout_ns=-1)
    with pytest.raises(ValueError):
        de.set_timeouts(poll_ns=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown profile"):
        de.reset("2.6.30")
    de.set_timeouts(sync_wait_ns=7, poll_ns=3)
    assert (de.state().sync_wait_ns, de.state().poll_ns) == (7, 3)


def test_wait_for_async_tx_none_is_success(profile: str, run) -> None:
    assert run(de.dma_wait_for_async_tx(None)) == S


def test_wait_for_async_tx_on_a_submitted_descriptor(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        src, dst = mem.alloc_pages(2)
        src.fill(7)
        tx = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 100, 0)
        tx.tx_submit()
        assert await de.dma_wait_for_async_tx(tx) == S
        assert dst.read(0, 100) == bytes([7]) * 100

    run(body())


def test_wait_for_async_tx_never_submitted_times_out(profile: str, run, make_soft) -> None:
    a = make_soft(1)
    de.set_timeouts(sync_wait_ns=3_000_000)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_INTERRUPT))
        tx = a.device_prep_dma_interrupt(chan, 0)  # cookie stays -EBUSY: nobody submits it
        assert await de.dma_wait_for_async_tx(tx) == de.DMA_ERROR

    run(body())


def _chain(a, chan, mem):
    """parent (submitted) -> child (waiting, -EBUSY) on the same channel."""
    src, dst, dst2 = mem.alloc_pages(3)
    src.fill(3)
    parent = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 64, 0)
    child = a.device_prep_dma_memcpy(chan, dst2.addr, dst.addr, 64, 0)
    child.parent, parent.next = parent, child
    return parent, child, dst2


def test_29_wait_walks_to_the_root_and_warns(run, make_soft, mem) -> None:
    de.reset("2.6.29", sync_wait_timeout_ns=50_000_000)
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        parent, child, dst2 = _chain(a, chan, mem)
        parent_cookie = parent.tx_submit()
        with pytest.warns(DmaSpeculativeWaitWarning, match="speculatively walking"):
            assert await de.dma_wait_for_async_tx(child) == S
        assert child.cookie == parent_cookie + 1 and child.parent is None
        assert dst2.read(0, 64) == bytes([3]) * 64

    run(body())


def test_32_wait_spins_until_the_dependency_submits(run, make_soft, mem) -> None:
    de.reset("2.6.32", sync_wait_timeout_ns=50_000_000)
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        parent, child, dst2 = _chain(a, chan, mem)
        parent.tx_submit()
        de.dma_async_issue_pending(chan)  # 32 relies on the dependency attach issuing
        assert await de.dma_wait_for_async_tx(child) == S
        assert dst2.read(0, 64) == bytes([3]) * 64

    run(body())


def test_29_wait_gives_up_on_a_stuck_ancestor(run, make_soft, mem) -> None:
    de.reset("2.6.29", sync_wait_timeout_ns=3_000_000)
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        parent, child, _ = _chain(a, chan, mem)
        parent.tx_submit()
        a.stall(chan)
        with pytest.warns(DmaSpeculativeWaitWarning):
            assert await de.dma_wait_for_async_tx(child) == de.DMA_ERROR
        assert child.cookie == de.EBUSY_COOKIE

    run(body())
