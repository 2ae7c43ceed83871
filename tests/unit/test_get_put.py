"""The public allocator: dmaengine_get / dmaengine_put and the reference invariants
(docs/kernel-model.md, R6-R11, R14)."""

from __future__ import annotations

import errno

import pytest

from pydriver import dmaengine as de
from pydriver.dmaengine.device import ModuleState
from pydriver.errors import DmaBug
from pydriver.runtime import Context, get_runtime
from pydriver.soft import SoftDmaDevice
from tests.support.engines import counts, register

MEMCPY = de.dma_cap_mask_t(de.DMA_MEMCPY)


def test_client_count_equals_outstanding_gets(profile: str, run, make_soft) -> None:
    a, b = make_soft(2), make_soft(1)

    async def body() -> None:
        await register(a, b)
        for n in (1, 2, 3):
            await de.dmaengine_get()
            assert counts(a) == [n, n] and counts(b) == [n] and de.state().ref_count == n
        for n in (2, 1, 0):
            await de.dmaengine_put()
            assert counts(a) == [n, n] and counts(b) == [n] and de.state().ref_count == n

    run(body())


def test_alloc_and_free_exactly_on_first_and_last_reference(profile: str, run, make_soft) -> None:
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        allocs = lambda: [c.alloc_calls for c in a.channels]  # noqa: E731
        frees = lambda: [c.free_calls for c in a.channels]  # noqa: E731
        await de.dmaengine_get()
        assert allocs() == [1, 1] and frees() == [0, 0]
        await de.dmaengine_get()
        await de.dmaengine_get()
        await de.dmaengine_put()
        await de.dmaengine_put()
        assert allocs() == [1, 1] and frees() == [0, 0]
        await de.dmaengine_put()
        assert allocs() == [1, 1] and frees() == [1, 1]
        assert not any(c.resources for c in a.channels)

    run(body())


def test_module_refcount_is_the_sum_of_client_counts(profile: str, run, mem) -> None:
    # one driver module providing two devices, one of which also serves a private channel
    a = SoftDmaDevice(mem, 2, name="a")
    b = SoftDmaDevice(mem, 1, name="b", owner=a.owner)
    c = SoftDmaDevice(mem, 2, name="c")

    def check() -> None:
        assert a.owner.refcount == sum(counts(a)) + sum(counts(b))
        assert c.owner.refcount == sum(counts(c))

    async def body() -> None:
        await register(a, b, c)
        chan = await de.dma_request_channel(MEMCPY, lambda ch, p: ch.device is c)
        check()
        await de.dmaengine_get()
        check()
        await de.dmaengine_get()
        check()
        assert a.owner.refcount == 6 and c.owner.refcount == 1
        await de.dmaengine_put()
        await de.dma_release_channel(chan)
        check()
        await de.dmaengine_put()
        check()
        assert a.owner.refcount == 0 and c.owner.refcount == 0

    run(body())


def test_rebalance_only_on_the_first_get(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        st = de.state()
        n = st.rebalances
        await de.dmaengine_get()
        assert st.rebalances == n + 1
        await de.dmaengine_get()
        await de.dmaengine_put()
        await de.dmaengine_put()
        assert st.rebalances == n + 1  # neither later gets nor puts rebuild the table
        await de.dmaengine_get()  # 0 -> 1 again
        assert st.rebalances == n + 2

    run(body())


def test_stale_table_after_the_last_put(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        assert de.dma_find_channel(de.DMA_MEMCPY) is None  # table empty without references
        await de.dmaengine_get()
        chan = de.dma_find_channel(de.DMA_MEMCPY)
        assert chan is a.channels[0]
        await de.dmaengine_put()
        # R10: the table still names the channel, although it holds no reference
        assert de.dma_find_channel(de.DMA_MEMCPY) is chan and chan.client_count == 0
        assert not a.channels[0].resources

    run(body())


def test_stale_entry_can_point_at_a_channel_taken_privately(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        await de.dmaengine_put()
        chan = await de.dma_request_channel(MEMCPY)  # no rebalance on request
        assert de.dma_find_channel(de.DMA_MEMCPY) is chan  # the quirk the checker reports

    run(body())


def test_put_without_get_is_refused_and_changes_nothing(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        with pytest.raises(DmaBug, match="without a matching dmaengine_get") as e:
            await de.dmaengine_put()
        assert e.value.rule == "put-without-get"
        assert de.state().ref_count == 0 and counts(a) == [0]
        await de.dmaengine_get()
        await de.dmaengine_put()
        with pytest.raises(DmaBug):
            await de.dmaengine_put()
        assert de.state().ref_count == 0 and a.channels[0].free_calls == 1

    run(body())


def test_failed_allocation_stays_out_until_the_next_rebalance(profile: str, run, make_soft) -> None:
    a = make_soft(2)
    a.channels[0].alloc_error = -errno.ENOMEM

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        assert counts(a) == [0, 1] and a.owner.refcount == 1
        assert de.dma_channel_table()[de.DMA_MEMCPY] == [a.channels[1]]
        a.channels[0].alloc_error = 0
        await de.dmaengine_get()  # allocates now and catches up with both gets...
        assert counts(a) == [2, 2] and a.owner.refcount == 4
        # ...but is not in the table: later gets do not rebalance (R9)
        assert de.dma_channel_table()[de.DMA_XOR] == [a.channels[1]]
        await de.dmaengine_put()
        await de.dmaengine_put()
        assert counts(a) == [0, 0] and a.owner.refcount == 0
        assert [c.free_calls for c in a.channels] == [1, 1]

    run(body())


def test_put_ignores_channels_whose_allocation_failed(profile: str, run, make_soft) -> None:
    a = make_soft(1, alloc_error=-errno.EIO)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        await de.dmaengine_put()
        assert counts(a) == [0] and a.channels[0].free_calls == 0

    run(body())


def test_module_going_away_drops_the_device(profile: str, run, make_soft) -> None:
    a, b = make_soft(1), make_soft(1)

    async def body() -> None:
        await register(a, b)
        a.owner.state = ModuleState.GOING
        await de.dmaengine_get()
        assert a not in de.state().devices and counts(a) == [0]
        assert counts(b) == [1] and de.dma_find_channel(de.DMA_MEMCPY) is b.channels[0]

    run(body())


def test_private_devices_are_untouched(profile: str, run, make_soft) -> None:
    a = make_soft(1, caps=(de.DMA_MEMCPY, de.DMA_PRIVATE))
    b = make_soft(1)

    async def body() -> None:
        await register(a, b)
        chan = await de.dma_request_channel(MEMCPY)
        assert chan is a.channels[0]
        await de.dmaengine_get()
        await de.dmaengine_get()
        assert counts(a) == [1] and counts(b) == [2]
        await de.dmaengine_put()
        await de.dmaengine_put()
        assert counts(a) == [1] and a.channels[0].free_calls == 0

    run(body())


def test_provider_exception_propagates_after_the_scan(profile: str, run, mem) -> None:
    class Broken(SoftDmaDevice):
        async def device_alloc_chan_resources(self, chan: de.DmaChan) -> int:
            if chan is self.channels[0]:
                raise RuntimeError("driver bug")
            return await super().device_alloc_chan_resources(chan)

    a = Broken(mem, 2, name="broken")

    async def body() -> None:
        await register(a)
        with pytest.raises(RuntimeError, match="driver bug"):
            await de.dmaengine_get()
        # the reference was taken (the get happened), the broken channel holds nothing
        assert de.state().ref_count == 1 and counts(a) == [0, 1] and a.owner.refcount == 1
        assert not de.state().mutex.locked()

    run(body())


def test_alloc_hook_must_return_an_int(profile: str, run, mem) -> None:
    class Sloppy(SoftDmaDevice):
        async def device_alloc_chan_resources(self, chan: de.DmaChan) -> int:
            return None  # type: ignore[return-value]

    a = Sloppy(mem, 1, name="sloppy")

    async def body() -> None:
        await register(a)
        with pytest.raises(TypeError, match="must return an int"):
            await de.dma_request_channel(MEMCPY)
        assert counts(a) == [0] and a.owner.refcount == 0
        assert not de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask) and a.privatecnt == 0

    run(body())


def test_sleeping_calls_are_refused_in_atomic_context(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        rt = get_runtime()
        for ctx in (Context.TASKLET, Context.HARDIRQ):
            with rt.in_context(ctx):
                for call in (de.dmaengine_get, de.dmaengine_put):
                    coro = call()
                    with pytest.raises(DmaBug, match=f"called from {ctx.value} context"):
                        await coro
                with pytest.raises(DmaBug, match="may sleep"):
                    await de.dma_request_channel(MEMCPY)
        assert de.state().ref_count == 0 and counts(a) == [0]

    run(body())
