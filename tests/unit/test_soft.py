"""SoftDmaDevice: data path, asynchronous completion through the IRQ/tasklet seam, ordering,
descriptor lifetime and argument checks (docs/kernel-model.md, R58-R66, Bad input)."""

from __future__ import annotations

import asyncio
import errno

import pytest

from pydriver import dmaengine as de
from pydriver.errors import DmaError
from pydriver.memory import PAGE_SIZE
from pydriver.runtime import Context, get_runtime
from pydriver.soft import SoftDmaDevice
from tests.support.engines import register
from tests.support.waiting import settle, wait_for


async def _setup(dev: SoftDmaDevice, mask=de.DMA_MEMCPY) -> de.DmaChan:
    await register(dev)
    chan = await de.dma_request_channel(de.dma_cap_mask_t(mask))
    assert chan is not None
    return chan


def test_memcpy_memset_xor_and_interrupt(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        chan = await _setup(a)
        p = mem.alloc_pages(4)
        p[0].write(0, bytes(range(256)) * 16)
        p[1].fill(0x0F)
        p[2].fill(0xF0)
        txs = [
            a.device_prep_dma_memcpy(chan, p[3].addr, p[0].addr, PAGE_SIZE, 0),
            a.device_prep_dma_memset(chan, p[0].addr + 10, 0xAA, 5, 0),
            a.device_prep_dma_xor(chan, p[1].addr, [p[1].addr, p[2].addr], 2, 8, 0),
            a.device_prep_dma_interrupt(chan, 0),
        ]
        cookies = [tx.tx_submit() for tx in txs]
        assert await de.dma_sync_wait(chan, cookies[-1]) == de.DMA_SUCCESS
        assert p[3].read() == bytes(range(256)) * 16
        assert p[0].read(8, 9) == bytes([8, 9]) + b"\xaa" * 5 + bytes([15, 16])
        assert p[1].read(0, 9) == b"\xff" * 8 + b"\x0f"  # in place: dest is also a source

    run(body())


def test_xor_of_four_sources_and_xor_val(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1, caps=(de.DMA_XOR, de.DMA_XOR_VAL, de.DMA_MEMSET))

    async def body() -> None:
        chan = await _setup(a, de.DMA_XOR)
        srcs = mem.alloc_pages(4)
        dest = mem.alloc_page()
        for page, byte in zip(srcs, (1, 2, 4, 8), strict=True):
            page.fill(byte)
        addrs = [s.addr for s in srcs]
        tx = a.device_prep_dma_xor(chan, dest.addr, addrs, 4, PAGE_SIZE, 0)
        assert await de.dma_sync_wait(chan, tx.tx_submit()) == de.DMA_SUCCESS
        assert dest.read() == b"\x0f" * PAGE_SIZE
        ok, bad = de.SumCheck(1), de.SumCheck(0)
        t1 = a.device_prep_dma_xor_val(chan, [*addrs, dest.addr], 5, PAGE_SIZE, ok, 0)
        t1.tx_submit()
        tm = a.device_prep_dma_memset(chan, dest.addr, 0, PAGE_SIZE, 0)
        tm.tx_submit()
        t2 = a.device_prep_dma_xor_val(chan, [*addrs, dest.addr], 5, PAGE_SIZE, bad, 0)
        assert await de.dma_sync_wait(chan, t2.tx_submit()) == de.DMA_SUCCESS
        assert ok.value == 0 and bad.value == de.SUM_CHECK_P_RESULT

    run(body())


def test_completion_is_asynchronous_and_waits_for_issue_pending(
    profile: str, run, make_soft, mem
) -> None:
    a = make_soft(1)

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        src.fill(1)
        tx = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 32, 0)
        cookie = tx.tx_submit()
        assert tx.state is de.DescState.SUBMITTED
        await asyncio.sleep(0.002)
        assert dst.read(0, 32) == bytes(32) and not tx.hw_done  # queued only
        de.dma_async_issue_pending(chan)
        assert dst.read(0, 32) == bytes(32)  # not inline: the engine runs later
        await wait_for(lambda: tx.state is de.DescState.COMPLETE)
        assert dst.read(0, 32) == b"\x01" * 32
        assert de.dma_async_is_tx_complete(chan, cookie)[0] == de.DMA_SUCCESS

    run(body())


class ContextSpy(SoftDmaDevice):
    def interrupt_handler(self, chan) -> None:
        self.irq_contexts.append(get_runtime().current_context())
        super().interrupt_handler(chan)


def test_callbacks_run_once_in_tasklet_context_in_submission_order(profile: str, run, mem) -> None:
    a = ContextSpy(mem, 1, name="spy")
    a.irq_contexts = []
    log: list[tuple[str, object, Context]] = []

    def cb(param: object) -> None:
        log.append(("cb", param, get_runtime().current_context()))

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        txs = []
        for i, delay in enumerate((3_000_000, 1_000_000, 0)):  # later ones are quicker
            tx = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, de.DMA_PREP_INTERRUPT)
            tx.delay_ns = delay
            tx.callback, tx.callback_param = cb, i
            txs.append(tx)
        cookie = [tx.tx_submit() for tx in txs][-1]
        assert await de.dma_sync_wait(chan, cookie) == de.DMA_SUCCESS
        await settle()

    run(body())
    assert [(p, c) for _, p, c in log] == [(0, Context.TASKLET), (1, Context.TASKLET),
                                           (2, Context.TASKLET)]  # fmt: skip
    assert a.irq_contexts and set(a.irq_contexts) == {Context.HARDIRQ}


def test_callback_runs_before_dependencies_are_released(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)
    order: list[str] = []

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        parent = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0)
        child = a.device_prep_dma_interrupt(chan, 0)
        parent.callback = lambda p: order.append(f"callback child={child.cookie}")
        child.callback = lambda p: order.append("child")
        parent.next, child.parent = child, parent
        parent.tx_submit()
        await de.dma_sync_wait(chan, parent.cookie)
        await wait_for(lambda: child.state is de.DescState.COMPLETE)

    run(body())
    assert order == [f"callback child={de.EBUSY_COOKIE}", "child"]


def test_dependencies_same_channel_run_released_at_once(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        root = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0)
        b = a.device_prep_dma_interrupt(chan, 0)
        c = a.device_prep_dma_interrupt(chan, 0)
        root.next, b.parent, b.next, c.parent = b, root, c, b
        root.tx_submit()
        de.dma_async_issue_pending(chan)
        await wait_for(lambda: root.state is de.DescState.COMPLETE)
        # both dependents were submitted by one dma_run_dependencies call
        assert (b.cookie, c.cookie) == (root.cookie + 1, root.cookie + 2)
        assert b.parent is None and c.parent is None and root.next is None and b.next is None
        await wait_for(lambda: c.state is de.DescState.COMPLETE)

    run(body())


def test_dependencies_cross_channel_wait_for_their_own_parent(
    profile: str, run, make_soft, mem
) -> None:
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        ch0 = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        ch1 = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        src, dst = mem.alloc_pages(2)
        root = a.device_prep_dma_memcpy(ch0, dst.addr, src.addr, 8, 0)
        irq = a.device_prep_dma_interrupt(ch0, 0)  # the channel-switch interrupt descriptor
        other = a.device_prep_dma_interrupt(ch1, 0)
        root.next, irq.parent, irq.next, other.parent = irq, root, other, irq
        a.stall(ch0)
        root.tx_submit()
        de.dma_async_issue_pending(ch0)
        de.dma_run_dependencies(root)  # as a cleanup would, before irq has run
        assert irq.cookie > 0 and irq.next is other  # the cross-channel child stays linked
        assert other.cookie == de.EBUSY_COOKIE
        a.resume(ch0)
        await wait_for(lambda: other.state is de.DescState.COMPLETE)
        assert other.cookie == 1 and ch1.completed_cookie == 1

    run(body())


def test_tx_status_runs_cleanup_when_the_interrupt_is_lost(profile: str, run, mem) -> None:
    class Deaf(SoftDmaDevice):
        def interrupt_handler(self, chan) -> None:
            chan.irq_count += 1  # never schedules the tasklet

    a = Deaf(mem, 1, name="deaf")
    seen: list[Context] = []

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        tx = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, de.DMA_PREP_INTERRUPT)
        tx.callback = lambda p: seen.append(get_runtime().current_context())
        cookie = tx.tx_submit()
        de.dma_async_issue_pending(chan)
        await wait_for(lambda: tx.hw_done)
        await settle()
        assert tx.state is de.DescState.SUBMITTED and seen == []  # nobody cleaned up
        assert de.dma_async_is_tx_complete(chan, cookie)[0] == de.DMA_SUCCESS  # poll cleans
        assert seen == [Context.TASKLET] and chan.irq_count >= 1

    run(body())


def test_descriptors_live_until_complete_and_acked(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1, ring_slots=2)

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        t1 = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0)
        t2 = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, de.DMA_CTRL_ACK)
        assert a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0) is None  # ring full
        t1.tx_submit()
        await de.dma_sync_wait(chan, t2.tx_submit())
        await settle()
        assert t2.state is de.DescState.FREED  # complete and acked: recycled
        assert t1.state is de.DescState.COMPLETE  # complete, not acked: still held
        assert chan.live == 1
        de.async_tx_ack(t1)
        assert a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0) is not None
        assert a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0) is None
        await settle()  # the failed prep scheduled the cleanup tasklet: t1 reclaimed now
        assert t1.state is de.DescState.FREED
        assert a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0) is not None
        with pytest.raises(DmaError, match="recycled") as e:
            de.async_tx_ack(t1)
        assert e.value.rule == "use-after-ack"

    run(body())


def test_submit_misuse(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        tx = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0)
        cookie = tx.tx_submit()
        with pytest.raises(DmaError, match="submitted exactly once") as e:
            tx.tx_submit()
        assert e.value.rule == "submit-once" and chan.cookie == cookie
        late = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0)
        await de.dma_sync_wait(chan, cookie)
        await de.dma_release_channel(chan)
        with pytest.raises(DmaError, match="released channel"):
            late.tx_submit()
        assert chan.cookie == cookie
        bare = de.DmaAsyncTxDescriptor(a.channels[0])
        with pytest.raises(DmaError, match="no tx_submit"):
            bare.tx_submit()

    run(body())


def test_ack_helpers(profile: str) -> None:
    tx = de.DmaAsyncTxDescriptor(de.DmaChan(), de.DMA_PREP_INTERRUPT)
    assert not de.async_tx_test_ack(tx) and not tx.acked
    de.async_tx_ack(tx)
    assert de.async_tx_test_ack(tx) and tx.flags == de.DMA_PREP_INTERRUPT | de.DMA_CTRL_ACK
    de.async_tx_clear_ack(tx)
    assert not de.async_tx_test_ack(tx) and tx.flags == de.DMA_PREP_INTERRUPT
    with pytest.raises(TypeError):
        de.async_tx_ack(None)  # type: ignore[arg-type]
    other = de.DmaChan()
    de.dma_async_tx_descriptor_init(tx, other)
    assert tx.chan is other


def _bad_calls(a: SoftDmaDevice, chan, src: int, dst: int, profile: str):
    big = a.max_len + 1
    calls = [
        ("foreign channel", lambda: a.device_prep_dma_memcpy(de.DmaChan(a), dst, src, 8, 0)),
        ("length 0 must be > 0", lambda: a.device_prep_dma_memcpy(chan, dst, src, 0, 0)),
        ("exceeds the hardware limit", lambda: a.device_prep_dma_memcpy(chan, dst, src, big, 0)),
        ("dest .* outside DMA memory", lambda: a.device_prep_dma_memcpy(chan, 0, src, 8, 0)),
        ("src .* outside DMA memory",
         lambda: a.device_prep_dma_memcpy(chan, dst, a.mem.size - 4, 8, 0)),
        ("unknown control flags 0x1000",
         lambda: a.device_prep_dma_memcpy(chan, dst, src, 8, 1 << 12)),
        ("dest must be an int", lambda: a.device_prep_dma_memcpy(chan, str(dst), src, 8, 0)),
        ("at least two sources", lambda: a.device_prep_dma_xor(chan, dst, [src], 1, 8, 0)),
        ("9 sources exceed max_xor 8",
         lambda: a.device_prep_dma_xor(chan, dst, [src] * 9, 9, 8, 0)),
        ("src_cnt 3 but 2 sources", lambda: a.device_prep_dma_xor(chan, dst, [src, src], 3, 8, 0)),
        ("sequence", lambda: a.device_prep_dma_xor(chan, dst, src, 2, 8, 0)),
        ("SumCheck", lambda: a.device_prep_dma_xor_val(chan, [src, dst], 2, 8, 0, 0)),
        ("not a byte", lambda: a.device_prep_dma_memset(chan, dst, 256, 8, 0)),
        ("unknown control flags", lambda: a.device_prep_dma_interrupt(chan, -1)),
    ]  # fmt: skip
    if profile == "2.6.29":  # the fence flag does not exist there
        calls.append(
            (
                "unknown control flags 0x200",
                lambda: a.device_prep_dma_memcpy(chan, dst, src, 8, de.DMA_PREP_FENCE),
            )
        )
    return calls


def test_prep_argument_checks(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        for message, call in _bad_calls(a, chan, src.addr, dst.addr, profile):
            with pytest.raises(DmaError, match=message):
                call()
        assert chan.live == 0 and chan.cookie == 0  # nothing was allocated or queued
        if profile == "2.6.32":
            tx = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, de.DMA_PREP_FENCE)
            assert tx is not None and tx.flags == de.DMA_PREP_FENCE
        await de.dma_release_channel(chan)
        with pytest.raises(DmaError, match="released channel"):
            a.device_prep_dma_interrupt(chan, 0)

    run(body())


def test_alignment_is_enforced_when_set(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)
    a.copy_align = 3

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        with pytest.raises(ValueError, match="8-byte aligned"):
            a.device_prep_dma_memcpy(chan, dst.addr + 1, src.addr, 8, 0)
        with pytest.raises(ValueError, match="8-byte aligned"):
            a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 12, 0)
        assert a.device_prep_dma_memcpy(chan, dst.addr + 8, src.addr, 16, 0) is not None

    run(body())


def test_alloc_failure_injection(profile: str, run, make_soft) -> None:
    a = make_soft(2, alloc_error=-errno.EIO)

    async def body() -> None:
        await register(a)
        assert await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY)) is None
        # R19e: after a failed get the scan moves to the next device, not the next channel
        assert [c.alloc_calls for c in a.channels] == [1, 0] and a.owner.refcount == 0
        a.channels[1].alloc_error = 0  # per-channel override
        mask = de.dma_cap_mask_t(de.DMA_MEMCPY)
        assert await de.dma_request_channel(mask) is None  # chan0 is still the candidate
        assert await de.dma_request_channel(mask, lambda c, p: c.chan_id == 1) is a.channels[1]

    run(body())


def test_stall_and_resume(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        a.stall(chan)
        cookie = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0).tx_submit()
        de.dma_async_issue_pending(chan)
        await asyncio.sleep(0.003)
        assert de.dma_async_is_tx_complete(chan, cookie)[0] == de.DMA_IN_PROGRESS
        a.resume(chan)
        assert await de.dma_sync_wait(chan, cookie) == de.DMA_SUCCESS

    run(body())


def test_pending_threshold_issues_automatically(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1, pending_threshold=2)

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        t1 = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0)
        t1.tx_submit()
        await settle()
        assert len(chan.pending) == 1 and not t1.hw_done
        a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0).tx_submit()
        assert not chan.pending  # the second submit crossed the threshold
        await wait_for(lambda: t1.state is de.DescState.COMPLETE)

    run(body())


def test_free_resources_drops_in_flight_work(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        a.stall(chan)
        tx = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0)
        tx.tx_submit()
        de.dma_async_issue_pending(chan)
        await de.dma_release_channel(chan)
        assert tx.state is de.DescState.FREED and chan.live == 0 and not chan.active
        a.resume(chan)
        await settle()
        assert not tx.hw_done  # the engine saw the queue vanish

    run(body())


def test_constructor_checks(mem) -> None:
    with pytest.raises(TypeError):
        SoftDmaDevice(bytearray(10))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot do DMA_SLAVE"):
        SoftDmaDevice(mem, caps=(de.DMA_SLAVE,))
    with pytest.raises(ValueError):
        SoftDmaDevice(mem, nr_channels=0)
    with pytest.raises(ValueError):
        SoftDmaDevice(mem, max_xor=1)
    with pytest.raises(ValueError):
        SoftDmaDevice(mem, ring_slots=0)
    with pytest.raises(ValueError):
        SoftDmaDevice(mem, alloc_error=5)
    d = SoftDmaDevice(mem, 3, caps=(de.DMA_MEMCPY,), max_xor=4)
    assert len(d.channels) == 3 and d.max_xor == 4 and d.mem is mem
    assert d.cap_mask == de.dma_cap_mask_t(de.DMA_MEMCPY)


def test_memcpy_helpers_count_in_sysfs(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1, ring_slots=1)

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        src.write(0, b"0123456789")
        cookie = de.dma_async_memcpy_pg_to_pg(chan, dst, 4, src, 2, 6)
        assert cookie == 1 and chan.dev.memcpy_count == 1 and chan.dev.bytes_transferred == 6
        # the single slot is taken until the acked copy completes: prep NULL -> -ENOMEM
        assert de.dma_async_memcpy_buf_to_buf(chan, dst.addr, src.addr, 1) == -errno.ENOMEM
        assert chan.memcpy_count == 1
        de.dma_async_memcpy_issue_pending(chan)
        await wait_for(lambda: de.dma_async_memcpy_complete(chan, cookie)[0] == de.DMA_SUCCESS)
        assert dst.read(0, 12) == bytes(4) + b"234567" + bytes(2)
        with pytest.raises(ValueError, match="outside the page"):
            de.dma_async_memcpy_pg_to_pg(chan, dst, PAGE_SIZE - 2, src, 0, 6)
        with pytest.raises(TypeError, match="Page"):
            de.dma_async_memcpy_pg_to_pg(chan, dst.addr, 0, src, 0, 6)

    run(body())


def test_free_resources_harvests_finished_work_in_tasklet_context(profile: str, run, mem) -> None:
    class Deaf(SoftDmaDevice):
        def interrupt_handler(self, chan) -> None:
            pass  # the interrupt is lost: only the free path will clean up

    a = Deaf(mem, 1, name="deaf")
    seen: list[Context] = []

    async def body() -> None:
        chan = await _setup(a)
        src, dst = mem.alloc_pages(2)
        tx = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 8, 0)
        tx.callback = lambda p: seen.append(get_runtime().current_context())
        tx.tx_submit()
        de.dma_async_issue_pending(chan)
        await wait_for(lambda: tx.hw_done)
        await de.dma_release_channel(chan)
        assert seen == [Context.TASKLET] and tx.state is de.DescState.FREED

    run(body())
