"""Audit of pydriver against docs/kernel-model.md (R1-R67, Conventions, Bad input): the rules (or
the parts of rules) that no other unit test pinned down with a real assertion. Each test names
its rule."""

from __future__ import annotations

import errno
import inspect
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from pydriver import dmaengine as de
from pydriver.async_tx import (
    ASYNC_TX_ACK,
    ASYNC_TX_DEP_ACK,
    ASYNC_TX_XOR_ZERO_DST,
    async_memcpy,
    async_trigger_callback,
    async_tx_exit,
    async_tx_init,
    async_tx_issue_pending,
    async_tx_issue_pending_all,
    async_tx_test_ack,
    async_xor,
    init_async_submit,
)
from pydriver.dmaengine.device import ModuleState
from pydriver.errors import DmaError, DmaTypeError, DmaValueError
from pydriver.runtime import Context
from pydriver.soft import SoftDmaDevice
from tests.support.callbacks import Calls
from tests.support.engines import counts, engines, register, soft, table_names
from tests.support.pages import LEN, filled, pattern
from tests.support.waiting import settle, wait_done

MEMCPY = de.dma_cap_mask_t(de.DMA_MEMCPY)


def ctl(flags=0, depend=None, cb=(None, None)):
    return init_async_submit(flags, depend, *cb)


# --------------------------------------------------------------------------- §1 allocator


@pytest.mark.parametrize(
    "profile_name, columns",
    [
        ("2.6.29", ["MEMCPY", "XOR", "PQ_XOR", "DUAL_XOR", "PQ_UPDATE", "XOR_VAL", "PQ_ZERO_SUM",
                    "MEMSET", "MEMCPY_CRC32C"]),
        ("2.6.32", ["MEMCPY", "XOR", "PQ", "XOR_VAL", "PQ_VAL", "MEMSET", "ASYNC_TX"]),
    ],
)  # fmt: skip
def test_item4_table_columns_in_enum_order(profile_name: str, columns: list[str]) -> None:
    # R4, R15: a column for every type except INTERRUPT, PRIVATE, SLAVE, in the kernel's order
    de.reset(profile_name, nr_cpus=3)
    table = de.dma_channel_table()
    assert [t.name for t in table] == columns
    assert all(row == [None, None, None] for row in table.values())


def test_item6_enodev_changes_nothing(profile: str, run, make_soft) -> None:
    # R6: a driver module that is going away: -ENODEV, no count, no module ref, no alloc
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        a.owner.state = ModuleState.GOING
        await de.dmaengine_get()
        assert counts(a) == [0, 0] and a.owner.refcount == 0
        assert [c.alloc_calls for c in a.channels] == [0, 0]
        assert de.state().ref_count == 1 and a not in de.state().devices

    run(body())


def test_item6_balance_takes_one_module_ref_per_increment(profile: str, run, make_soft) -> None:
    # R6: a channel allocated while 3 gets are outstanding is raised straight to 3
    a = make_soft(1, alloc_error=-errno.ENOMEM)
    b = make_soft(1)

    async def body() -> None:
        await register(a, b)
        for _ in range(3):
            await de.dmaengine_get()
        assert counts(a) == [0] and a.owner.refcount == 0 and counts(b) == [3]
        a.channels[0].alloc_error = 0
        await de.dmaengine_get()
        assert counts(a) == [4] and a.owner.refcount == 4 and a.channels[0].alloc_calls == 4
        assert counts(b) == [4] and b.channels[0].alloc_calls == 1

    run(body())


def test_item9_device_dropped_by_enodev_stays_dropped(profile: str, run, make_soft) -> None:
    # R9: the device is taken off the global list; later gets, puts and the table skip it
    a, b = make_soft(1), make_soft(1)

    async def body() -> None:
        await register(a, b)
        a.owner.state = ModuleState.GOING
        await de.dmaengine_get()
        a.owner.state = ModuleState.LIVE  # even if the module came back, a is off the list
        await de.dmaengine_get()
        assert counts(a) == [0] and counts(b) == [2]
        assert table_names(de.DMA_MEMCPY) == ["dma1chan0"]
        await de.dmaengine_put()
        await de.dmaengine_put()
        assert counts(b) == [0] and a in de.state().registered

    run(body())


def test_item12_find_channel_takes_no_reference(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        before = (counts(a), a.owner.refcount, a.channels[0].table_count)
        for _ in range(3):
            assert de.dma_find_channel(de.DMA_MEMCPY) is a.channels[0]
        assert (counts(a), a.owner.refcount, a.channels[0].table_count) == before

    run(body())


def test_item15_smp_counter_walks_across_devices(profile: str, run, make_soft) -> None:
    # R15, R16: 2 CPUs; A (1 chan, MEMCPY), B (2 chans, MEMCPY+XOR).
    # MEMCPY: n=0 -> A.0, n=1 -> B.0.  XOR (only B): n=2 misses -> least used B.1,
    # n=3 misses -> B.0 and B.1 tie at 1 -> first in walk order, B.0.
    de.reset(profile, nr_cpus=2)
    a = make_soft(1, caps=(de.DMA_MEMCPY,))
    b = make_soft(2, caps=(de.DMA_MEMCPY, de.DMA_XOR))

    async def body() -> None:
        await register(a, b)
        await de.dmaengine_get()
        assert table_names(de.DMA_MEMCPY) == ["dma0chan0", "dma1chan0"]
        assert table_names(de.DMA_XOR) == ["dma1chan1", "dma1chan0"]

    run(body())


@pytest.mark.parametrize(
    "profile_name, nr_cpus, memset",
    [
        # possible CPUs > 1 (one of them offline): n counts MEMCPY(0), then every column up to
        # MEMSET, including the columns nobody offers: 29 -> n=7, 32 -> n=5
        ("2.6.29", 2, ["dma0chan7", None]),
        ("2.6.32", 2, ["dma0chan5", None]),
        # uniprocessor: nth_chan(cap, -1) never matches: the least used channel, chan1
        ("2.6.29", 1, ["dma0chan1"]),
        ("2.6.32", 1, ["dma0chan1"]),
    ],
)
def test_item15_possible_not_online_cpus_decide_smp(
    run, make_soft, profile_name: str, nr_cpus: int, memset: list
) -> None:
    de.reset(profile_name, nr_cpus=nr_cpus, online_cpus=(0,))
    a = make_soft(8, caps=(de.DMA_MEMCPY, de.DMA_MEMSET))

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        assert table_names(de.DMA_MEMCPY)[0] == "dma0chan0"
        assert table_names(de.DMA_MEMSET) == memset

    run(body())


class PrivSpy(SoftDmaDevice):
    """Records what the core had done to the device when alloc_chan_resources ran."""

    async def device_alloc_chan_resources(self, chan: de.DmaChan) -> int:
        self.seen = (de.dma_has_cap(de.DMA_PRIVATE, self.cap_mask), self.privatecnt)
        return await super().device_alloc_chan_resources(chan)


def test_item19d_privatecnt_raised_before_the_get(profile: str, run, mem) -> None:
    spy = PrivSpy(mem, 1, name="spy")

    async def body() -> None:
        await register(spy)
        chan = await de.dma_request_channel(MEMCPY)
        assert chan is spy.channels[0]
        # 29 has no privatecnt; 32 counts the new holder before taking the reference
        assert spy.seen == (True, 1 if profile == "2.6.32" else 0)

    run(body())


def test_item19e_enodev_drops_the_device_and_29_leaves_it_private(
    profile: str, run, make_soft
) -> None:
    a, b = make_soft(1), make_soft(1)

    def stash(chan: de.DmaChan, param: object) -> bool:
        chan.private = param
        return True

    async def body() -> None:
        await register(a, b)
        a.owner.state = ModuleState.GOING
        chan = await de.dma_request_channel(MEMCPY, stash, "p")
        assert chan is b.channels[0]  # the scan went on to the next device
        assert a not in de.state().devices and a.channels[0].private is None
        assert counts(a) == [0] and a.owner.refcount == 0
        assert de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask) is (profile == "2.6.29")
        assert a.privatecnt == 0

    run(body())


def test_item19e_29_failed_request_hides_the_device_from_the_shared_pool(run, make_soft) -> None:
    de.reset("2.6.29")
    a = make_soft(1, alloc_error=-errno.ENOMEM)

    async def body() -> None:
        await register(a)
        assert await de.dma_request_channel(MEMCPY) is None
        a.channels[0].alloc_error = 0  # the driver would now succeed...
        await de.dmaengine_get()
        # ...but the failed request left DMA_PRIVATE set: dmaengine_get skips the device
        assert counts(a) == [0] and de.dma_find_channel(de.DMA_MEMCPY) is None
        assert await de.dma_request_channel(MEMCPY) is a.channels[0]

    run(body())


def test_item22_32_release_of_one_of_two_holders(run, make_soft) -> None:
    # R22 (32): the device turns public only with the last holder, and even then the
    # table is not rebuilt by the release
    de.reset("2.6.32")
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        c0 = await de.dma_request_channel(MEMCPY)
        c1 = await de.dma_request_channel(MEMCPY)
        n = de.state().rebalances
        await de.dma_release_channel(c1)
        assert de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask) and a.privatecnt == 1
        await de.dma_release_channel(c0)
        assert not de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask) and a.privatecnt == 0
        assert de.state().rebalances == n and counts(a) == [0, 0]

    run(body())


def test_item27_ids_lowest_free_and_never_a_live_one(profile: str, run, make_soft) -> None:
    devs = [make_soft(1) for _ in range(6)]

    async def body() -> None:
        await register(*devs[:3])
        assert [d.dev_id for d in devs[:3]] == [0, 1, 2]
        await de.dma_async_device_unregister(devs[2])
        await de.dma_async_device_unregister(devs[0])
        await register(devs[3], devs[4], devs[5])
        # 0 and 2 were released; 1 is still live and is never handed out
        assert [d.dev_id for d in devs[3:]] == [0, 2, 3]
        assert de.state().ids == {0, 1, 2, 3}
        assert [d.channels[0].name for d in devs[3:]] == ["dma0chan0", "dma2chan0", "dma3chan0"]

    run(body())


def test_item28_alloc_failure_at_registration_is_not_fatal(profile: str, run, make_soft) -> None:
    # R28: only -ENODEV aborts; another error leaves that channel unreferenced
    a = make_soft(2)
    a.channels[0].alloc_error = -errno.ENOMEM
    b = make_soft(1, caps=(de.DMA_XOR,))

    async def body() -> None:
        await register(b)
        await de.dmaengine_get()
        await de.dmaengine_get()
        assert await de.dma_async_device_register(a) == 0
        assert a in de.state().devices and counts(a) == [0, 2] and a.owner.refcount == 2
        assert table_names(de.DMA_MEMCPY) == ["dma1chan1"]  # rebalanced at registration

    run(body())


def test_item30_buf_to_pg_helper(profile: str, run, make_soft, mem) -> None:
    class FlagSpy(SoftDmaDevice):
        def device_prep_dma_memcpy(self, chan, dest, src, length, flags):
            self.flags = flags
            return super().device_prep_dma_memcpy(chan, dest, src, length, flags)

    a = FlagSpy(mem, 1, name="spy")

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(MEMCPY)
        src, dst = mem.alloc_pages(2)
        src.write(0, b"abcdef")
        cookie = de.dma_async_memcpy_buf_to_pg(chan, dst, 10, src.addr + 1, 4)
        want = de.DMA_CTRL_ACK
        if profile == "2.6.32":
            want |= de.DMA_COMPL_SRC_UNMAP_SINGLE
        assert cookie == 1 and a.flags == want
        assert chan.dev.memcpy_count == 1 and chan.dev.bytes_transferred == 4
        assert await de.dma_sync_wait(chan, cookie) == de.DMA_SUCCESS
        assert dst.read(8, 8) == bytes(2) + b"bcde" + bytes(2)
        with pytest.raises(ValueError, match="outside the page"):
            de.dma_async_memcpy_buf_to_pg(chan, dst, 4094, src.addr, 4)
        with pytest.raises(DmaTypeError, match="registered DmaChan"):
            de.dma_async_memcpy_buf_to_buf("dma0chan0", dst.addr, src.addr, 4)
        assert chan.memcpy_count == 1 and chan.cookie == 1

    run(body())


class IssueCounter(SoftDmaDevice):
    def device_issue_pending(self, chan: de.DmaChan) -> None:
        self.issues = getattr(self, "issues", 0) + 1
        super().device_issue_pending(chan)


def test_item56_sync_wait_issues_once_then_only_polls(profile: str, run, mem) -> None:
    a = IssueCounter(mem, 1, name="ctr")

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(MEMCPY)
        a.stall(chan)
        src, dst = mem.alloc_pages(2)
        cookie = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0).tx_submit()
        a.issues = 0
        assert await de.dma_sync_wait(chan, cookie, timeout_ns=3_000_000) == de.DMA_ERROR
        assert a.issues == 1

    run(body())


def test_item56_bad_arguments_change_nothing(profile: str, run, mem) -> None:
    # bad input: the arguments are checked before issue_pending touches the channel
    a = IssueCounter(mem, 1, name="ctr")

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(MEMCPY)
        src, dst = mem.alloc_pages(2)
        a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0).tx_submit()
        a.issues = 0
        with pytest.raises(DmaTypeError, match="cookie must be an int"):
            await de.dma_sync_wait(chan, "1")  # type: ignore[arg-type]
        with pytest.raises(DmaTypeError, match="timeout_ns must be an int"):
            await de.dma_sync_wait(chan, 1, timeout_ns=0.5)  # type: ignore[arg-type]
        with pytest.raises(DmaValueError, match="negative"):
            await de.dma_sync_wait(chan, 1, timeout_ns=-1)
        with pytest.raises(DmaTypeError, match="DmaChan of a provider"):
            await de.dma_sync_wait(de.DmaChan(), 1)
        with pytest.raises(DmaTypeError, match="DmaChan of a provider"):
            de.dma_async_is_tx_complete(de.DmaChan(), 1)
        assert a.issues == 0 and len(chan.pending) == 1 and dst.read(0, 8) == bytes(8)

    run(body())


# --------------------------------------------------------------------------- §2 async_tx


def test_item11_async_tx_init_exit_and_the_stale_table(profile: str, run, mem) -> None:
    # R11: async_tx holds one dmaengine reference for its lifetime.  R10: after the
    # last put the table still names the channel; using it is refused (it has no resources)
    # and nothing is queued or written.
    async def body() -> None:
        dev = soft(mem)
        await de.dma_async_device_register(dev)
        await async_tx_init()
        assert de.state().ref_count == 1 and counts(dev) == [1]
        await async_tx_exit()
        assert de.state().ref_count == 0 and counts(dev) == [0]
        assert de.dma_find_channel(de.DMA_MEMCPY) is dev.channels[0]  # stale
        src, dst = filled(mem, 1, 2)
        with pytest.raises(DmaError, match="released channel") as err:
            await async_memcpy(dst, src, 0, 0, LEN, ctl())
        assert err.value.rule == "chan-referenced"
        assert dst.read(0, LEN) == pattern(2) and dev.channels[0].cookie == 0

    run(body())


def test_item35_privacy_is_not_checked_and_13_private_channels_are_not_flushed(
    profile: str, run, mem
) -> None:
    async def body() -> None:
        pub = soft(mem, de.DMA_MEMCPY)
        priv = soft(mem, de.DMA_MEMCPY, de.DMA_INTERRUPT)
        await engines(pub, priv, get=False)
        chan = await de.dma_request_channel(MEMCPY, lambda c, p: c.device is priv)
        await async_tx_init()  # after the request: priv's channels would be busy otherwise
        assert chan is priv.channels[0] and de.dma_find_channel(de.DMA_MEMCPY) is pub.channels[0]
        src, mid, dst = filled(mem, 1, 2, 3)
        dep = priv.device_prep_dma_memcpy(chan, mid.addr, src.addr, LEN, 0)
        dep.tx_submit()
        # the chain stays on the dependency's (private) channel: R35 does not look at privacy
        tx = await async_memcpy(dst, mid, 0, 0, LEN, ctl(0, dep))
        assert tx.chan is chan and tx.cookie == dep.cookie + 1
        async_tx_issue_pending_all()  # R13, R57: public, referenced channels only
        await settle()
        assert len(chan.pending) == 2 and dst.read(0, LEN) == pattern(3)
        async_tx_issue_pending(tx)  # 2.6.32's per-channel kick reaches it
        await wait_done(tx)
        assert dst.read(0, LEN) == pattern(1)

    run(body())


def test_item40_interrupt_prep_null_falls_back_to_waiting(profile: str, run, mem) -> None:
    # R40: "No DMA_INTERRUPT (or prep returned NULL)": the caller waits for the dependency
    # and submits directly on the other channel
    async def body() -> None:
        xorer = soft(mem, de.DMA_XOR, de.DMA_INTERRUPT, ring_slots=1)
        copier = soft(mem, de.DMA_MEMCPY)
        await engines(xorer, copier)
        a, b, p, q = filled(mem, 1, 2, 3, 4)
        tx1 = await async_xor(p, [a, b], 0, 2, LEN, ctl(ASYNC_TX_XOR_ZERO_DST))
        assert xorer.device_prep_dma_interrupt(xorer.channels[0], 0) is None  # ring full
        tx2 = await async_memcpy(q, p, 0, 0, LEN, ctl(0, tx1))
        assert tx1.state is de.DescState.COMPLETE  # waited for inside the call
        assert tx2.chan is copier.channels[0] and tx2.parent is None and tx2.cookie == 1
        assert xorer.channels[0].cookie == 1  # no interrupt descriptor was queued
        assert async_tx_test_ack(tx1) == (profile == "2.6.32")
        await wait_done(tx2)
        assert (
            q.read(0, LEN)
            == p.read(0, LEN)
            == bytes(x ^ y for x, y in zip(pattern(1), pattern(2), strict=True))
        )

    run(body())


def test_item53_trigger_callback_prep_null_runs_now(profile: str, run, mem) -> None:
    async def body() -> None:
        dev = soft(mem, de.DMA_MEMCPY, de.DMA_INTERRUPT, ring_slots=1)
        await engines(dev)
        src, dst = filled(mem, 1, 2)
        tx1 = await async_memcpy(dst, src, 0, 0, LEN, ctl())
        calls = Calls()
        tx = await async_trigger_callback(ctl(0, tx1, calls.cb("cb", lambda: dst.read(0, LEN))))
        # the slot is taken by tx1: no interrupt descriptor -> quiesce tx1, callback here
        assert tx is None and async_tx_test_ack(tx1) and tx1.state is not de.DescState.SUBMITTED
        assert calls.contexts() == [Context.PROCESS] and calls.log[0].seen == pattern(1)
        assert dev.channels[0].cookie == 1

    run(body())


class XorCapture(SoftDmaDevice):
    """Keeps every descriptor its xor prep hook hands out."""

    def __init__(self, *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.txs: list[de.DmaAsyncTxDescriptor] = []

    def device_prep_dma_xor(self, chan, dest, srcs, src_cnt, length, flags):
        tx = super().device_prep_dma_xor(chan, dest, srcs, src_cnt, length, flags)
        self.txs.append(tx)
        return tx


@pytest.mark.parametrize("max_xor", [2, 3, 5])
@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 9, 12])
def test_item47_chunk_count_formula(profile: str, run, mem, n: int, max_xor: int) -> None:
    expected = 1 if n <= max_xor else 1 + -(-(n - max_xor) // (max_xor - 1))

    async def body() -> None:
        dev = XorCapture(mem, 1, max_xor=max_xor, name="cap")
        await engines(dev)
        dest, *srcs = filled(mem, 100, *range(1, n + 1))
        tx = await async_xor(dest, srcs, 0, n, LEN, ctl(ASYNC_TX_XOR_ZERO_DST))
        assert len(dev.txs) == expected and tx is dev.txs[-1]
        assert [t.cookie for t in dev.txs] == list(range(1, expected + 1))  # one channel, in order
        await wait_done(tx)
        assert dest.read(0, LEN) == bytes(_xor_all([pattern(i) for i in range(1, n + 1)]))

    run(body())


def _xor_all(blocks: list[bytes]) -> bytes:
    acc = 0
    for b in blocks:
        acc ^= int.from_bytes(b, "little")
    return acc.to_bytes(len(blocks[0]), "little")


def test_item47_hidden_chunks_acked_by_their_successor(profile: str, run, mem) -> None:
    # 29: DEP_ACK is ORed in from the second chunk on; 32: the implicit ack.  Either way every
    # hidden chunk is acked as soon as its successor is attached (before anything completed),
    # the returned last chunk is not (no ASYNC_TX_ACK), and the caller's dependency is acked
    # under 29 only with the caller's own DEP_ACK.
    async def body() -> None:
        dev = XorCapture(mem, 1, max_xor=2, name="cap")
        await engines(dev)
        dest, a, b, c, d, src = filled(mem, 100, 1, 2, 3, 4, 5)
        dep = await async_memcpy(a, src, 0, 0, LEN, ctl())
        tx = await async_xor(dest, [a, b, c, d], 0, 4, LEN, ctl(ASYNC_TX_XOR_ZERO_DST, dep))
        assert all(t.state is de.DescState.SUBMITTED for t in (dep, *dev.txs))
        assert [async_tx_test_ack(t) for t in dev.txs] == [True, True, False]
        assert async_tx_test_ack(dep) == (profile == "2.6.32")
        await wait_done(tx)
        assert dest.read(0, LEN) == _xor_all([pattern(5), pattern(2), pattern(3), pattern(4)])

    run(body())


def test_item47_29_caller_flags_reach_only_the_last_chunk(run, mem) -> None:
    # ACK is stripped from the hidden chunks and put on the last; the caller's DEP_ACK acks the
    # caller's dependency through the first chunk
    de.reset("2.6.29", sync_wait_timeout_ns=50_000_000)

    async def body() -> None:
        dev = XorCapture(mem, 1, max_xor=3, name="cap")
        await engines(dev)
        dest, *srcs = filled(mem, 100, *range(1, 6))
        dep = await async_memcpy(srcs[0], srcs[1], 0, 0, LEN, ctl())
        flags = ASYNC_TX_XOR_ZERO_DST | ASYNC_TX_ACK | ASYNC_TX_DEP_ACK
        tx = await async_xor(dest, srcs, 0, 5, LEN, ctl(flags, dep))
        assert len(dev.txs) == 2 and async_tx_test_ack(dep)
        assert [async_tx_test_ack(t) for t in dev.txs] == [True, True]
        await wait_done(tx)

    run(body())


def _chain_on_one_channel(dev: SoftDmaDevice, chan: de.DmaChan, mem):
    src, mid, dst = filled(mem, 1, 2, 3)
    parent = dev.device_prep_dma_memcpy(chan, mid.addr, src.addr, LEN, 0)
    child = dev.device_prep_dma_memcpy(chan, dst.addr, mid.addr, LEN, 0)
    child.parent, parent.next = parent, child
    return parent, child, dst


def test_item55_29_walks_and_issues_32_only_spins(profile: str, run, mem) -> None:
    # parent submitted but never issued, child waiting on it.  29 waits for the root of the
    # chain with dma_sync_wait, which issues it, so the child gets released; 32 only spins on
    # the child's -EBUSY and relies on someone having issued the parent: it times out.
    de.reset(profile, sync_wait_timeout_ns=20_000_000)

    async def body() -> None:
        dev = soft(mem, de.DMA_MEMCPY)
        await de.dma_async_device_register(dev)
        chan = await de.dma_request_channel(MEMCPY)
        parent, child, dst = _chain_on_one_channel(dev, chan, mem)
        parent.tx_submit()
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            status = await de.dma_wait_for_async_tx(child)
        if profile == "2.6.29":
            assert status == de.DMA_SUCCESS and dst.read(0, LEN) == pattern(1)
            assert [w.category.__name__ for w in got] == ["DmaSpeculativeWaitWarning"]
        else:
            assert status == de.DMA_ERROR and child.cookie == de.EBUSY_COOKIE
            assert got == [] and len(chan.pending) == 1  # nobody issued the parent

    run(body())


def test_contract_async_tx_issue_pending_checks_its_argument(profile: str) -> None:
    async_tx_issue_pending(None)  # nothing to do
    with pytest.raises(DmaTypeError, match="DmaAsyncTxDescriptor"):
        async_tx_issue_pending("tx")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the public API


def test_contract_names_and_coroutine_split() -> None:
    import pydriver.async_tx as at
    from pydriver import errors, memory
    from pydriver import soft as softmod

    coroutines = {
        de: ["dma_request_channel", "dma_release_channel", "dmaengine_get", "dmaengine_put",
             "dma_async_device_register", "dma_async_device_unregister", "dma_driver_unload",
             "dma_sync_wait"],
        at: ["async_memcpy", "async_xor", "async_xor_val", "async_memset",
             "async_trigger_callback", "async_tx_quiesce"],
    }  # fmt: skip
    plain = {
        de: ["reset", "dma_cap_zero", "dma_cap_set", "dma_cap_clear", "dma_has_cap",
             "dma_find_channel", "on_cpu", "dma_issue_pending_all", "dma_async_is_tx_complete",
             "dma_async_is_complete"],
        at: ["init_async_submit", "async_tx_issue_pending_all", "async_tx_ack",
             "async_tx_test_ack"],
    }  # fmt: skip
    for mod, names in coroutines.items():
        for name in names:
            assert inspect.iscoroutinefunction(getattr(mod, name)), name
    for mod, names in plain.items():
        for name in names:
            fn = getattr(mod, name)
            assert callable(fn) and not inspect.iscoroutinefunction(fn), name
    for name in ["DMA_MEMCPY", "DMA_XOR", "DMA_XOR_VAL", "DMA_MEMSET", "DMA_INTERRUPT",
                 "DMA_PRIVATE", "DMA_PREP_INTERRUPT", "DMA_CTRL_ACK", "DMA_PREP_FENCE",
                 "DMA_SUCCESS", "DMA_COMPLETE", "DMA_IN_PROGRESS", "DMA_ERROR", "dma_cap_mask_t",
                 "DmaDevice", "DmaChan", "DmaAsyncTxDescriptor", "SumCheck",
                 "SUM_CHECK_P_RESULT"]:  # fmt: skip
        assert hasattr(de, name), name
    for name in ["ASYNC_TX_XOR_ZERO_DST", "ASYNC_TX_XOR_DROP_DST", "ASYNC_TX_ACK",
                 "ASYNC_TX_FENCE", "ASYNC_TX_DEP_ACK", "AsyncSubmitCtl"]:  # fmt: skip
        assert hasattr(at, name), name
    assert list(inspect.signature(at.init_async_submit).parameters) == [
        "flags", "depend_tx", "cb_fn", "cb_param", "scribble"]  # fmt: skip
    assert list(inspect.signature(at.async_xor_val).parameters) == [
        "dest", "src_list", "offset", "src_cnt", "length", "result", "submit"]  # fmt: skip
    sig = inspect.signature(softmod.SoftDmaDevice)
    assert list(sig.parameters)[:4] == ["mem", "nr_channels", "caps", "max_xor"]
    assert sig.parameters["nr_channels"].default == 1 and sig.parameters["max_xor"].default == 8
    assert tuple(sig.parameters["caps"].default) == (de.DMA_MEMCPY, de.DMA_XOR, de.DMA_XOR_VAL,
                                                     de.DMA_MEMSET, de.DMA_INTERRUPT)  # fmt: skip
    dev = softmod.SoftDmaDevice(memory.SystemMemory(4 * 4096))
    for hook in ("device_alloc_chan_resources", "device_free_chan_resources"):
        assert inspect.iscoroutinefunction(getattr(dev, hook)), hook
    for hook in ("device_prep_dma_memcpy", "device_prep_dma_xor", "device_prep_dma_xor_val",
                 "device_prep_dma_memset", "device_prep_dma_interrupt", "device_issue_pending",
                 "device_tx_status"):  # fmt: skip
        assert not inspect.iscoroutinefunction(getattr(dev, hook)), hook
    assert errors.DeviceBusyError("x").errno == errno.EBUSY
    assert issubclass(errors.DeviceBusyError, errors.DmaError)
    assert memory.PAGE_SIZE == 4096
    # the values of the Python constants do not depend on the profile
    assert (at.ASYNC_TX_XOR_ZERO_DST, at.ASYNC_TX_XOR_DROP_DST, at.ASYNC_TX_ACK,
            at.ASYNC_TX_FENCE, at.ASYNC_TX_DEP_ACK) == (1, 2, 4, 8, 16)  # fmt: skip


def test_contract_pydriver_does_not_import_cocotb() -> None:
    code = (
        "import sys, pydriver, pydriver.dmaengine, pydriver.async_tx, pydriver.soft, "
        "pydriver.runtime, pydriver.memory, pydriver.errors\n"
        "sys.exit(any(m == 'cocotb' or m.startswith('cocotb.') for m in sys.modules))"
    )
    root = Path(__file__).resolve().parents[2]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
