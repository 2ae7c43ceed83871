"""async_tx_submit (docs/kernel-model.md, R36-R41): append, direct submit, channel switch through an
interrupt descriptor or a wait, the 1:1 rule, the ACK rules of each profile, dma_run_dependencies
releasing same-channel runs, and ASYNC_TX_FENCE."""

from __future__ import annotations

import pytest

from pydriver import dmaengine as de
from pydriver.async_tx import (
    ASYNC_TX_ACK,
    ASYNC_TX_DEP_ACK,
    ASYNC_TX_FENCE,
    ASYNC_TX_XOR_DROP_DST,
    ASYNC_TX_XOR_ZERO_DST,
    async_memcpy,
    async_memset,
    async_tx_test_ack,
    async_xor,
    async_xor_val,
    init_async_submit,
)
from pydriver.errors import DmaBug, DmaError
from pydriver.runtime import Context
from tests.support.callbacks import Calls
from tests.support.engines import engines, soft
from tests.support.pages import LEN, filled, pattern, xor_bytes
from tests.support.waiting import settle, wait_done

EBUSY = de.EBUSY_COOKIE
ZERO = ASYNC_TX_XOR_ZERO_DST


def ctl(flags=0, depend=None, cb=(None, None)):
    return init_async_submit(flags, depend, *cb)


def test_direct_submit_on_the_same_channel(profile, run, mem) -> None:
    async def body() -> None:
        await engines(soft(mem))
        a, b, p, q = filled(mem, 1, 2, 3, 4)
        tx1 = await async_xor(p, [a, b], 0, 2, LEN, ctl(ZERO))
        tx2 = await async_memcpy(q, p, 0, 0, LEN, ctl(0, tx1))
        # the engine runs a channel in order: no link needed
        assert tx2.cookie == tx1.cookie + 1
        assert tx2.parent is None and tx1.next is None
        # 2.6.32 acks a dependency implicitly, 2.6.29 only with ASYNC_TX_DEP_ACK (R33)
        assert async_tx_test_ack(tx1) == (profile == "2.6.32")
        assert not async_tx_test_ack(tx2)
        await wait_done(tx2)
        assert q.read(0, LEN) == xor_bytes(pattern(1), pattern(2))

    run(body())


def test_dep_ack_under_29(run, mem) -> None:
    async def body() -> None:
        await engines(soft(mem))
        a, b, p, q = filled(mem, 1, 2, 3, 4)
        tx1 = await async_xor(p, [a, b], 0, 2, LEN, ctl(ZERO))
        tx2 = await async_memcpy(q, p, 0, 0, LEN, ctl(ASYNC_TX_DEP_ACK, tx1))
        assert async_tx_test_ack(tx1) and not async_tx_test_ack(tx2)

    run(body())


@pytest.mark.parametrize("flags, acked", [(0, False), (ASYNC_TX_ACK, True)])
def test_async_tx_ack_acks_the_new_descriptor(profile, run, mem, flags, acked) -> None:
    async def body() -> None:
        await engines(soft(mem))
        src, dst = filled(mem, 1, 2)
        tx = await async_memcpy(dst, src, 0, 0, LEN, ctl(flags))
        assert async_tx_test_ack(tx) is acked
        await wait_done(tx)

    run(body())


def test_channel_switch_through_an_interrupt_descriptor(profile, run, mem) -> None:
    async def body() -> None:
        xorer = soft(mem, de.DMA_XOR, de.DMA_INTERRUPT)
        copier = soft(mem, de.DMA_MEMCPY)
        await engines(xorer, copier)
        a, b, p, q = filled(mem, 1, 2, 3, 4)
        calls = Calls()
        tx1 = await async_xor(p, [a, b], 0, 2, LEN, ctl(ZERO, None, calls.cb("xor")))
        tx2 = await async_memcpy(
            q, p, 0, 0, LEN, ctl(0, tx1, calls.cb("copy", lambda: q.read(0, LEN)))
        )
        assert tx2.chan is copier.channels[0]
        intr = tx2.parent  # R39: an interrupt descriptor on the xor's channel
        assert intr is not None and intr.chan is tx1.chan
        assert intr.next is tx2 and intr.callback is None
        assert intr.cookie == tx1.cookie + 1 and intr.parent is None  # submitted behind tx1
        assert async_tx_test_ack(intr)  # nobody but async_tx ever holds it
        assert tx2.cookie == EBUSY  # submitted only when intr completes
        assert tx1.next is None
        await settle()
        # 2.6.32 kicks the dependency's channel right away; 2.6.29 waits for issue_pending
        ran = p.read(0, LEN) == xor_bytes(pattern(1), pattern(2))
        assert ran == (profile == "2.6.32")
        await wait_done(tx2)
        assert tx2.cookie > 0
        assert calls.names == ["xor", "copy"]
        assert calls.log[1].seen == xor_bytes(pattern(1), pattern(2))
        assert calls.contexts() == [Context.TASKLET, Context.TASKLET]

    run(body())


def test_channel_switch_waits_when_the_device_has_no_interrupt(profile, run, mem) -> None:
    async def body() -> None:
        xorer = soft(mem, de.DMA_XOR)
        copier = soft(mem, de.DMA_MEMCPY)
        await engines(xorer, copier)
        a, b, p, q = filled(mem, 1, 2, 3, 4)
        tx1 = await async_xor(p, [a, b], 0, 2, LEN, ctl(ZERO))
        # R40: the call itself waits for the xor, then submits the copy directly
        tx2 = await async_memcpy(q, p, 0, 0, LEN, ctl(0, tx1))
        assert tx1.state in (de.DescState.COMPLETE, de.DescState.FREED)
        assert p.read(0, LEN) == xor_bytes(pattern(1), pattern(2))
        assert tx2.parent is None and tx2.cookie == 1 and tx2.chan is copier.channels[0]
        await wait_done(tx2)
        assert q.read(0, LEN) == xor_bytes(pattern(1), pattern(2))

    run(body())


async def _three_hop_chain(mem, calls):
    """tx0 xor on A, tx1 copy on B after tx0, tx2 xor on A after tx1 (two channel hops)."""
    a_dev = soft(mem, de.DMA_XOR, de.DMA_INTERRUPT)
    b_dev = soft(mem, de.DMA_MEMCPY, de.DMA_MEMSET, de.DMA_INTERRUPT)
    await engines(a_dev, b_dev)
    a, b, p, q = filled(mem, 1, 2, 3, 4)
    tx0 = await async_xor(p, [a, b], 0, 2, LEN, ctl(ZERO, None, calls.cb("tx0")))
    return a_dev, b_dev, (a, b, p, q), tx0


def test_interrupt_descriptor_appended_to_an_unsubmitted_dependency(profile, run, mem) -> None:
    async def body() -> None:
        calls = Calls()
        a_dev, b_dev, (a, b, p, q), tx0 = await _three_hop_chain(mem, calls)
        holder: dict[str, de.DmaAsyncTxDescriptor] = {}
        tx1 = await async_memcpy(
            q,
            p,
            0,
            0,
            LEN,
            ctl(0, tx0, calls.cb("tx1", lambda: (holder["i2"].cookie, holder["tx2"].cookie))),
        )
        assert tx1.chan is b_dev.channels[0] and tx1.cookie == EBUSY
        tx2 = await async_xor(
            p, [p, q], 0, 2, LEN, ctl(ASYNC_TX_XOR_DROP_DST, tx1, calls.cb("tx2"))
        )
        assert tx2.chan is a_dev.channels[0]
        i2 = tx2.parent
        holder.update(i2=i2, tx2=tx2)
        # R39: tx1 is not submitted yet, so the interrupt descriptor waits behind it
        assert i2.chan is tx1.chan and i2.parent is tx1 and tx1.next is i2 and i2.next is tx2
        assert i2.cookie == EBUSY and async_tx_test_ack(i2)
        await wait_done(tx2)
        assert calls.names == ["tx0", "tx1", "tx2"]
        # R41: tx0's interrupt released tx1 and i2 (same channel) together and stopped at
        # the hop: when tx1's callback ran, i2 had a cookie but tx2 still waited for it
        i2_cookie, tx2_cookie = calls.log[1].seen
        assert i2_cookie == tx1.cookie + 1 and tx2_cookie == EBUSY
        x = xor_bytes(pattern(1), pattern(2))
        assert q.read(0, LEN) == x and p.read(0, LEN) == bytes(LEN)  # x ^ copy of x

    run(body())


def test_same_channel_run_released_at_once(profile, run, mem) -> None:
    async def body() -> None:
        calls = Calls()
        a_dev, b_dev, (a, b, p, q), tx0 = await _three_hop_chain(mem, calls)
        r, s = filled(mem, 5, 6)
        txs: list[de.DmaAsyncTxDescriptor] = []
        tx1 = await async_memcpy(
            q, p, 0, 0, LEN, ctl(0, tx0, calls.cb("tx1", lambda: [t.cookie for t in txs]))
        )
        tx2 = await async_memcpy(r, q, 0, 0, LEN, ctl(0, tx1, calls.cb("tx2")))
        tx3 = await async_memset(s, 0x77, 0, LEN, ctl(0, tx2, calls.cb("tx3")))
        txs += [tx1, tx2, tx3]
        # R36: tx1 is unsubmitted and on the same channel, so tx2 and tx3 are appended
        assert tx2.parent is tx1 and tx1.next is tx2 and tx3.parent is tx2 and tx2.next is tx3
        assert tx2.cookie == tx3.cookie == EBUSY
        assert tx2.chan is tx3.chan is b_dev.channels[0]
        await wait_done(tx3)
        assert calls.names == ["tx0", "tx1", "tx2", "tx3"]
        c1 = tx1.cookie
        assert calls.log[1].seen == [c1, c1 + 1, c1 + 2]  # all three submitted in one go
        assert r.read(0, LEN) == xor_bytes(pattern(1), pattern(2))
        assert s.read(0, LEN) == b"\x77" * LEN

    run(body())


def test_dependencies_are_one_to_one(profile, run, mem) -> None:
    async def body() -> None:
        calls = Calls()
        a_dev, b_dev, (a, b, p, q), tx0 = await _three_hop_chain(mem, calls)
        r, s = filled(mem, 5, 6)
        tx1 = await async_memcpy(q, p, 0, 0, LEN, ctl(0, tx0))
        await async_memcpy(r, q, 0, 0, LEN, ctl(0, tx1))  # tx1.next is now set
        before = [(c.cookie, len(c.pending)) for c in (*a_dev.channels, *b_dev.channels)]
        # 29 leaves tx1 unacked, so the 1:1 rule catches it; 32 already acked it
        rule = "depend-one-to-one" if profile == "2.6.29" else "depend-not-acked"
        with pytest.raises(DmaBug) as err:
            await async_memset(s, 1, 0, LEN, ctl(0, tx1))
        assert err.value.rule == rule
        assert [(c.cookie, len(c.pending)) for c in (*a_dev.channels, *b_dev.channels)] == before
        assert s.read(0, LEN) == pattern(6)

    run(body())


def test_fence_becomes_dma_prep_fence_under_32(run, mem) -> None:
    de.reset("2.6.32", sync_wait_timeout_ns=50_000_000)

    async def body() -> None:
        await engines(soft(mem))
        a, b, p, q = filled(mem, 1, 2, 3, 4)
        fence = ctl(ASYNC_TX_FENCE)
        txs = [
            await async_memcpy(q, a, 0, 0, LEN, fence),
            await async_memset(q, 1, 0, LEN, ctl(ASYNC_TX_FENCE)),
            await async_xor(p, [a, b], 0, 2, LEN, ctl(ASYNC_TX_FENCE | ZERO)),
            await async_xor_val(p, [p, a, b], 0, 3, LEN, de.SumCheck(), ctl(ASYNC_TX_FENCE)),
        ]
        assert all(tx.flags & de.DMA_PREP_FENCE for tx in txs)
        plain = await async_memcpy(q, a, 0, 0, LEN, ctl())
        assert not plain.flags & de.DMA_PREP_FENCE
        assert not plain.flags & de.DMA_PREP_INTERRUPT  # no callback, no interrupt
        await wait_done(*txs, plain)

    run(body())


def test_waiting_on_a_stuck_engine_is_an_error_not_a_hang(profile, run, mem) -> None:
    # R40's wait panics on DMA_ERROR in the kernel; here the stuck engine is reported
    async def body() -> None:
        xorer = soft(mem, de.DMA_XOR)
        copier = soft(mem, de.DMA_MEMCPY)
        await engines(xorer, copier)
        a, b, p, q = filled(mem, 1, 2, 3, 4)
        tx1 = await async_xor(p, [a, b], 0, 2, LEN, ctl(ZERO))
        xorer.stall(xorer.channels[0])
        with pytest.raises(DmaError, match="DMA_ERROR") as err:
            await async_memcpy(q, p, 0, 0, LEN, ctl(0, tx1))
        assert err.value.rule == "dependency-completes"
        assert q.read(0, LEN) == pattern(4) and copier.channels[0].cookie == 0
        xorer.resume(xorer.channels[0])
        await wait_done(tx1)

    run(body())
