"""The exclusive allocator: dma_request_channel / dma_release_channel
(docs/kernel-model.md, R19-R23)."""

from __future__ import annotations

import errno
import warnings

import pytest

from pydriver import dmaengine as de
from pydriver.dmaengine.device import ModuleState
from pydriver.errors import DmaBug, DmaError, DmaRefcountWarning
from pydriver.soft import SoftDmaDevice
from tests.support.engines import counts, register

MEMCPY = de.dma_cap_mask_t(de.DMA_MEMCPY)


class Recorder:
    """A filter that records what it was offered and accepts one channel name."""

    def __init__(self, accept: str | None = None) -> None:
        self.offered: list[str | None] = []
        self.params: list[object] = []
        self.accept = accept

    def __call__(self, chan: de.DmaChan, param: object) -> bool:
        self.offered.append(chan.name)
        self.params.append(param)
        return chan.name == self.accept


class PrivacySpy(SoftDmaDevice):
    """Records whether the device was DMA_PRIVATE and the ref count when resources were
    allocated."""

    async def device_alloc_chan_resources(self, chan: de.DmaChan) -> int:
        self.seen = (de.dma_has_cap(de.DMA_PRIVATE, self.cap_mask), de.state().ref_count)
        return await super().device_alloc_chan_resources(chan)


def test_without_filter_returns_first_free_channel_in_registration_order(
    profile: str, run, make_soft
) -> None:
    a, b = make_soft(2), make_soft(1)

    async def body() -> None:
        await register(a, b)
        first = await de.dma_request_channel(MEMCPY)
        second = await de.dma_request_channel(MEMCPY)
        third = await de.dma_request_channel(MEMCPY)
        assert [first, second, third] == [a.channels[0], a.channels[1], b.channels[0]]
        assert await de.dma_request_channel(MEMCPY) is None  # nothing left
        assert counts(a) == [1, 1] and counts(b) == [1]

    run(body())


def test_filter_sees_every_free_channel_in_order(profile: str, run, make_soft) -> None:
    a, xor_only, b = make_soft(2), make_soft(2, caps=(de.DMA_XOR,)), make_soft(1)

    async def body() -> None:
        await register(a, xor_only, b)
        f = Recorder()
        assert await de.dma_request_channel(MEMCPY, f, "param") is None
        # the device without MEMCPY is never offered; both channels of a are (e2346677af8)
        assert f.offered == ["dma0chan0", "dma0chan1", "dma2chan0"]
        assert f.params == ["param"] * 3
        f2 = Recorder(accept="dma0chan1")
        chan = await de.dma_request_channel(MEMCPY, f2)
        assert chan is a.channels[1] and f2.offered == ["dma0chan0", "dma0chan1"]

    run(body())


def test_busy_channels_are_never_offered(profile: str, run, make_soft) -> None:
    a = make_soft(3)

    async def body() -> None:
        await register(a)
        taken = await de.dma_request_channel(MEMCPY, Recorder("dma0chan1"))
        assert taken is a.channels[1]
        f = Recorder()
        assert await de.dma_request_channel(MEMCPY, f) is None
        assert f.offered == ["dma0chan0", "dma0chan2"]  # dma0chan1 is busy

    run(body())


def test_public_multichannel_device_with_a_channel_in_use_is_skipped_whole(
    profile: str, run, make_soft
) -> None:
    a, b = make_soft(2), make_soft(1)
    a.channels[1].alloc_error = -errno.ENOMEM  # a's chan1 stays free under dmaengine_get

    async def body() -> None:
        await register(a, b)
        await de.dmaengine_get()
        assert counts(a) == [1, 0] and counts(b) == [1]
        f = Recorder()
        assert await de.dma_request_channel(MEMCPY, f) is None
        # a is public with chan0 in use: chan1, although free, is not offered (caveat 2)
        assert f.offered == []
        assert not de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)
        assert counts(a) == [1, 0]

    run(body())


def test_public_device_none_of_whose_channels_is_referenced_can_be_taken(
    profile: str, run, make_soft
) -> None:
    a = make_soft(2, alloc_error=-errno.ENOMEM)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()  # every allocation fails: no channel holds a reference
        assert counts(a) == [0, 0]
        for c in a.channels:
            c.alloc_error = 0
        chan = await de.dma_request_channel(MEMCPY)
        assert chan is a.channels[0] and counts(a) == [1, 0]
        assert de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)

    run(body())


def test_private_is_set_before_the_reference_so_the_get_is_not_balanced(
    profile: str, run, mem
) -> None:
    spy = PrivacySpy(mem, 1, name="spy")
    spy.channels[0].alloc_error = -errno.ENOMEM

    async def body() -> None:
        await register(spy)
        await de.dmaengine_get()
        await de.dmaengine_get()  # two outstanding public references
        spy.channels[0].alloc_error = 0
        chan = await de.dma_request_channel(MEMCPY)
        assert chan is spy.channels[0]
        assert spy.seen == (True, 2)  # DMA_PRIVATE already set during alloc_chan_resources
        assert chan.client_count == 1  # not raised to the 2 outstanding gets
        assert spy.owner.refcount == 1

    run(body())


def test_alloc_failure_moves_on_to_the_next_device(profile: str, run, make_soft) -> None:
    a, b = make_soft(1, alloc_error=-errno.ENOMEM), make_soft(1)

    def stash(chan: de.DmaChan, param: object) -> bool:
        chan.private = param
        return True

    async def body() -> None:
        await register(a, b)
        chan = await de.dma_request_channel(MEMCPY, stash, "cookie-jar")
        assert chan is b.channels[0] and chan.private == "cookie-jar"
        assert a.channels[0].private is None  # cleared after the failed get
        assert a.channels[0].client_count == 0 and a.owner.refcount == 0
        assert a.channels[0].alloc_calls == 1
        # 2.6.29 leaves a marked private after the failure; 2.6.32 undoes it
        assert de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask) is (profile == "2.6.29")
        assert a.privatecnt == 0

    run(body())


def test_none_when_nothing_qualifies(profile: str, run, make_soft) -> None:
    a = make_soft(1, caps=(de.DMA_MEMCPY,))

    async def body() -> None:
        assert await de.dma_request_channel(MEMCPY) is None  # no devices at all
        await register(a)
        rebalances = de.state().rebalances
        assert await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_XOR)) is None
        assert await de.dma_request_channel(MEMCPY, lambda c, p: False) is None
        assert counts(a) == [0] and not de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)
        assert await de.dma_request_channel(MEMCPY) is a.channels[0]
        assert de.state().rebalances == rebalances  # request never rebalances (R14)

    run(body())


def test_module_going_away_drops_the_device_from_the_list(profile: str, run, make_soft) -> None:
    a, b = make_soft(1), make_soft(1)

    async def body() -> None:
        await register(a, b)
        a.owner.state = ModuleState.GOING  # rmmod has started on a's driver
        chan = await de.dma_request_channel(MEMCPY)
        assert chan is b.channels[0]
        assert a not in de.state().devices and a in de.state().registered
        assert a.channels[0].alloc_calls == 0

    run(body())


def test_mask_with_private_only_matches_private_devices(profile: str, run, make_soft) -> None:
    pub = make_soft(1)
    priv = make_soft(1, caps=(de.DMA_MEMCPY, de.DMA_PRIVATE))

    async def body() -> None:
        await register(pub, priv)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY, de.DMA_PRIVATE))
        assert chan is priv.channels[0]

    run(body())


def test_release_frees_the_channel(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(MEMCPY)
        chan.private = object()
        await de.dma_release_channel(chan)
        assert chan.client_count == 0 and chan.private is None and not chan.exclusive
        assert a.channels[0].free_calls == 1 and a.owner.refcount == 0

    run(body())


def test_29_once_private_the_device_stays_private(run, make_soft) -> None:
    de.reset("2.6.29")
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(MEMCPY)
        await de.dma_release_channel(chan)
        assert de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)  # caveat 1
        await de.dmaengine_get()
        assert counts(a) == [0]  # never reconsidered by the general-purpose allocator
        assert de.dma_find_channel(de.DMA_MEMCPY) is None
        assert await de.dma_request_channel(MEMCPY) is chan  # still available privately

    run(body())


def test_29_privacy_is_per_device(run, make_soft) -> None:
    de.reset("2.6.29")
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        await de.dma_request_channel(MEMCPY)
        await de.dmaengine_get()
        # the other channel of the same device is private too: no public reference, no table
        assert counts(a) == [1, 0]
        assert de.dma_find_channel(de.DMA_MEMCPY) is None

    run(body())


def test_32_privatecnt_counts_holders_and_clears_private(run, make_soft) -> None:
    de.reset("2.6.32")
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        c0 = await de.dma_request_channel(MEMCPY)
        c1 = await de.dma_request_channel(MEMCPY)
        assert a.privatecnt == 2 and de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)
        await de.dma_release_channel(c0)
        assert a.privatecnt == 1 and de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)
        await de.dma_release_channel(c1)
        assert a.privatecnt == 0 and not de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)
        await de.dmaengine_get()  # public again: taken by the shared allocator
        assert counts(a) == [1, 1]
        assert de.dma_find_channel(de.DMA_MEMCPY) is a.channels[0]

    run(body())


def test_32_cleared_device_waits_for_the_next_get_and_rebalance(run, make_soft) -> None:
    de.reset("2.6.32")
    a, b = make_soft(1), make_soft(1)

    async def body() -> None:
        await register(a, b)
        chan = await de.dma_request_channel(MEMCPY)  # a becomes private
        await de.dmaengine_get()
        assert counts(b) == [1] and de.dma_find_channel(de.DMA_MEMCPY) is b.channels[0]
        await de.dma_release_channel(chan)
        assert not de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)
        # public again, but no shared reference and not in the table until later
        assert counts(a) == [0] and de.dma_channel_table()[de.DMA_MEMCPY] == [b.channels[0]]
        await de.dmaengine_get()
        assert counts(a) == [2] and counts(b) == [2]
        assert de.dma_channel_table()[de.DMA_MEMCPY] == [b.channels[0]]  # no rebalance yet

    run(body())


def test_32_device_registered_private_stays_private(run, make_soft) -> None:
    de.reset("2.6.32")
    a = make_soft(1, caps=(de.DMA_MEMCPY, de.DMA_PRIVATE))

    async def body() -> None:
        await register(a)
        assert a.privatecnt == 1
        chan = await de.dma_request_channel(MEMCPY)
        assert a.privatecnt == 2
        await de.dma_release_channel(chan)
        assert a.privatecnt == 1 and de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)

    run(body())


def _snapshot(dev: SoftDmaDevice) -> tuple:
    return (counts(dev), dev.privatecnt, dev.cap_mask.bits, dev.owner.refcount,
            [c.free_calls for c in dev.channels])  # fmt: skip


def test_double_release_is_refused_and_changes_nothing(profile: str, run, make_soft) -> None:
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(MEMCPY)
        await de.dma_request_channel(MEMCPY)
        await de.dma_release_channel(chan)
        before = _snapshot(a)
        with pytest.raises(DmaBug, match="already released") as e:
            await de.dma_release_channel(chan)
        assert e.value.rule == "release-held-channel" and e.value.errno == errno.EINVAL
        assert _snapshot(a) == before

    run(body())


def test_releasing_a_channel_nobody_holds_is_refused(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        before = _snapshot(a)
        with pytest.raises(DmaBug, match="nobody holds it"):
            await de.dma_release_channel(a.channels[0])
        assert _snapshot(a) == before

    run(body())


def test_releasing_a_shared_channel_is_refused(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        before = _snapshot(a)
        with pytest.raises(DmaBug, match="shared channel"):
            await de.dma_release_channel(a.channels[0])
        assert _snapshot(a) == before

    run(body())


def test_release_warns_when_the_count_is_not_one(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(MEMCPY)
        chan.client_count += 1  # a stray extra reference
        a.owner.get()
        with pytest.warns(DmaRefcountWarning, match="2 != 1"):
            await de.dma_release_channel(chan)
        assert chan.client_count == 1 and a.channels[0].free_calls == 0

    run(body())


def test_release_warning_is_once_per_boot(profile: str, run, make_soft) -> None:
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        for _ in range(2):
            chan = await de.dma_request_channel(MEMCPY)
            chan.client_count += 1
            a.owner.get()
            with warnings.catch_warnings(record=True) as got:
                warnings.simplefilter("always")
                await de.dma_release_channel(chan)
            n = len([w for w in got if issubclass(w.category, DmaRefcountWarning)])
            chan.exclusive = True  # release the stray reference too
            await de.dma_release_channel(chan)
            results.append(n)

    results: list[int] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run(body())
    assert results == [1, 0]  # WARN_ONCE


def test_bad_arguments(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def coro_filter(chan: de.DmaChan, param: object) -> bool:
        return True

    async def body() -> None:
        await register(a)
        with pytest.raises(DmaError, match="dma_cap_mask_t") as e:
            await de.dma_request_channel(de.DMA_MEMCPY)  # type: ignore[arg-type]
        assert isinstance(e.value, TypeError)
        with pytest.raises(TypeError, match="callable"):
            await de.dma_request_channel(MEMCPY, "not a function")  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="coroutine"):
            await de.dma_request_channel(MEMCPY, coro_filter)
        with pytest.raises(TypeError, match="DmaChan"):
            await de.dma_release_channel("dma0chan0")  # type: ignore[arg-type]
        assert counts(a) == [0] and not de.dma_has_cap(de.DMA_PRIVATE, a.cap_mask)

    run(body())


def test_type_missing_from_the_profile_is_refused(run) -> None:
    de.reset("2.6.29")

    async def body() -> None:
        with pytest.raises(ValueError, match="DMA_PQ does not exist under profile 2.6.29"):
            await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_PQ))

    run(body())
