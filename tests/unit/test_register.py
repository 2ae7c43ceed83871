"""Device registration, unregistration and driver unload (docs/kernel-model.md, R8, R25-R29)."""

from __future__ import annotations

import errno
import warnings

import pytest

from pydriver import dmaengine as de
from pydriver.dmaengine.device import ModuleState
from pydriver.errors import (
    DeviceBusyError,
    DmaBug,
    DmaError,
    DmaUnregisterWarning,
    NoDeviceError,
    OutOfMemoryError,
)
from pydriver.soft import SoftDmaDevice
from tests.support.engines import counts, register


class Minimal(de.DmaDevice):
    """A provider with only the hooks every device needs."""

    def __init__(self, nr_channels: int = 1) -> None:
        super().__init__(dev="minimal")
        self.channels = [de.DmaChan(self) for _ in range(nr_channels)]

    async def device_alloc_chan_resources(self, chan: de.DmaChan) -> int:
        return 1

    async def device_free_chan_resources(self, chan: de.DmaChan) -> None:
        pass

    def device_issue_pending(self, chan: de.DmaChan) -> None:
        pass

    def device_tx_status(self, chan: de.DmaChan, cookie: int):
        return de.dma_cookie_status(chan, cookie)


def _prep(*args: object) -> None:
    return None


CAP_HOOKS = [
    (de.DMA_MEMCPY, "device_prep_dma_memcpy"),
    (de.DMA_XOR, "device_prep_dma_xor"),
    (de.DMA_XOR_VAL, "device_prep_dma_xor_val"),
    (de.DMA_MEMSET, "device_prep_dma_memset"),
    (de.DMA_INTERRUPT, "device_prep_dma_interrupt"),
    (de.DMA_SLAVE, "device_prep_slave_sg"),
]


@pytest.mark.parametrize("cap, hook", CAP_HOOKS)
def test_each_capability_needs_its_prep_hook(profile: str, run, cap, hook) -> None:
    dev = Minimal()
    de.dma_cap_set(cap, dev.cap_mask)
    if cap is de.DMA_SLAVE:
        dev.device_terminate_all = _prep

    async def body() -> None:
        with pytest.raises(DmaBug, match=f"advertises {cap} but has no {hook}") as e:
            await de.dma_async_device_register(dev)
        assert e.value.rule == "cap-needs-prep"
        assert de.state().devices == [] and de.state().ids == set() and dev.dev_id == -1
        setattr(dev, hook, _prep)
        assert await de.dma_async_device_register(dev) == 0
        assert dev.dev_id == 0

    run(body())


def test_32_pq_capabilities_need_their_hooks(run) -> None:
    de.reset("2.6.32")
    dev = Minimal()
    de.dma_cap_set(de.DMA_PQ, dev.cap_mask)

    async def body() -> None:
        with pytest.raises(DmaBug, match="device_prep_dma_pq"):
            await de.dma_async_device_register(dev)
        dev.device_prep_dma_pq = _prep
        de.dma_cap_set(de.DMA_PQ_VAL, dev.cap_mask)
        with pytest.raises(DmaBug, match="device_prep_dma_pq_val"):
            await de.dma_async_device_register(dev)

    run(body())


def test_slave_also_needs_terminate_all(profile: str, run) -> None:
    dev = Minimal()
    de.dma_cap_set(de.DMA_SLAVE, dev.cap_mask)
    dev.device_prep_slave_sg = _prep

    async def body() -> None:
        with pytest.raises(DmaBug, match="device_terminate_all"):
            await de.dma_async_device_register(dev)

    run(body())


@pytest.mark.parametrize(
    "hook",
    ["device_alloc_chan_resources", "device_free_chan_resources", "device_tx_status",
     "device_issue_pending", "dev"],
)  # fmt: skip
def test_required_hooks(profile: str, run, hook: str) -> None:
    dev = Minimal()
    setattr(dev, hook, None)

    async def body() -> None:
        with pytest.raises(DmaBug) as e:
            await de.dma_async_device_register(dev)
        assert e.value.rule == "required-hook" and de.state().registered == []

    run(body())


def test_ids_reused_lowest_first_and_channel_names(profile: str, run, make_soft) -> None:
    a, b, c, d = make_soft(2), make_soft(1), make_soft(1), make_soft(3)
    a.chancnt = 99  # the core recomputes it

    async def body() -> None:
        await register(a, b, c)
        assert [x.dev_id for x in (a, b, c)] == [0, 1, 2]
        assert [ch.name for ch in a.channels] == ["dma0chan0", "dma0chan1"]
        assert [ch.chan_id for ch in a.channels] == [0, 1] and a.chancnt == 2
        await de.dma_async_device_unregister(b)
        await de.dma_async_device_unregister(a)
        await register(d)
        assert d.dev_id == 0 and [ch.name for ch in d.channels] == [
            "dma0chan0", "dma0chan1", "dma0chan2"]  # fmt: skip
        await register(b)
        assert b.dev_id == 1 and b.channels[0].name == "dma1chan0"
        assert de.state().devices == [c, d, b]  # list order = registration order

    run(body())


def test_references_taken_at_once_while_gets_are_outstanding(profile: str, run, make_soft) -> None:
    a, b = make_soft(1), make_soft(2)
    priv = make_soft(1, caps=(de.DMA_MEMCPY, de.DMA_PRIVATE))

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        await de.dmaengine_get()
        await register(b, priv)
        assert counts(b) == [2, 2] and b.owner.refcount == 4
        assert [ch.alloc_calls for ch in b.channels] == [1, 1]
        assert counts(priv) == [0]  # registered private: no public references
        assert de.dma_find_channel(de.DMA_MEMCPY) is not None

    run(body())


def test_32_sets_async_tx_only_on_all_capable_devices(run, make_soft) -> None:
    de.reset("2.6.32")
    full = make_soft(1)
    nomemset = make_soft(1, caps=(de.DMA_MEMCPY, de.DMA_XOR, de.DMA_XOR_VAL, de.DMA_INTERRUPT))

    async def body() -> None:
        await register(full, nomemset)
        assert de.dma_has_cap(de.DMA_ASYNC_TX, full.cap_mask)
        assert not de.dma_has_cap(de.DMA_ASYNC_TX, nomemset.cap_mask)

    run(body())


def test_29_has_no_async_tx_capability(run, make_soft) -> None:
    de.reset("2.6.29")
    full = make_soft(1)
    bad = Minimal()
    de.dma_cap_set(de.DMA_ASYNC_TX, bad.cap_mask)

    async def body() -> None:
        await register(full)
        assert not de.dma_has_cap(de.DMA_ASYNC_TX, full.cap_mask)
        with pytest.raises(ValueError, match="does not exist under profile 2.6.29"):
            await de.dma_async_device_register(bad)

    run(body())


def test_32_registered_private_device_counts_one_holder(run, make_soft) -> None:
    de.reset("2.6.32")
    priv = make_soft(1, caps=(de.DMA_MEMCPY, de.DMA_PRIVATE))
    pub = make_soft(1)

    async def body() -> None:
        await register(priv, pub)
        assert priv.privatecnt == 1 and pub.privatecnt == 0

    run(body())


def test_registering_twice_is_refused_and_changes_nothing(profile: str, run, make_soft) -> None:
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        before = (list(de.state().devices), set(de.state().ids), counts(a), a.dev_id,
                  de.state().rebalances)  # fmt: skip
        with pytest.raises(DmaBug, match="registering twice") as e:
            await de.dma_async_device_register(a)
        assert e.value.rule == "register-once"
        after = (list(de.state().devices), set(de.state().ids), counts(a), a.dev_id,
                 de.state().rebalances)  # fmt: skip
        assert after == before

    run(body())


def test_register_argument_checks(profile: str, run, make_soft) -> None:
    a = make_soft(1)
    other = make_soft(1)
    a.channels.append(other.channels[0])  # a foreign channel

    async def body() -> None:
        with pytest.raises(NoDeviceError) as e:
            await de.dma_async_device_register(None)  # type: ignore[arg-type]
        assert e.value.errno == errno.ENODEV
        with pytest.raises(TypeError, match="DmaDevice"):
            await de.dma_async_device_register("dma0")  # type: ignore[arg-type]
        with pytest.raises(DmaBug, match="belongs to another device"):
            await de.dma_async_device_register(a)
        a.channels[1] = a.channels[0]
        with pytest.raises(DmaBug, match="listed twice"):
            await de.dma_async_device_register(a)
        assert de.state().registered == [] and de.state().ids == set()

    run(body())


def test_unregister_warns_and_keeps_references(profile: str, run, make_soft) -> None:
    a, b = make_soft(2), make_soft(1)

    async def body() -> None:
        await register(a, b)
        await de.dmaengine_get()
        chan = a.channels[0]
        assert chan.dev.in_use == 1
        with pytest.warns(DmaUnregisterWarning, match="1 clients hold a reference"):
            await de.dma_async_device_unregister(a)
        assert a not in de.state().devices and a not in de.state().registered
        assert counts(a) == [1, 1] and a.owner.refcount == 2  # references are not dropped
        assert chan.dev.in_use == -errno.ENODEV  # sysfs node detached
        assert de.dma_channel_table()[de.DMA_MEMCPY] == [b.channels[0]]
        assert 0 not in de.state().ids  # the id is free again
        # off the list, a is skipped by the next put: its references stay (module pinned)
        await de.dmaengine_put()
        assert counts(a) == [1, 1] and counts(b) == [0]

    run(body())


def test_unregister_warning_is_once_per_boot(profile: str, run, make_soft) -> None:
    a, b = make_soft(1), make_soft(1)

    async def body() -> list:
        await register(a, b)
        await de.dmaengine_get()
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            await de.dma_async_device_unregister(a)
            await de.dma_async_device_unregister(b)
        return [w.category for w in got]

    assert run(body()) == [DmaUnregisterWarning]


def test_unregister_misuse(profile: str, run, make_soft) -> None:
    a = make_soft(1)

    async def body() -> None:
        with pytest.raises(DmaBug, match="not registered"):
            await de.dma_async_device_unregister(a)
        await register(a)
        await de.dma_async_device_unregister(a)
        with pytest.raises(DmaBug, match="not registered"):
            await de.dma_async_device_unregister(a)

    run(body())


def test_driver_unload_refused_while_referenced(profile: str, run, make_soft) -> None:
    a = make_soft(2)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        with pytest.raises(DeviceBusyError, match="in use") as e:
            await de.dma_driver_unload(a)
        assert e.value.errno == errno.EBUSY and "dma0chan0" in str(e.value)
        assert a in de.state().devices and counts(a) == [1, 1]
        assert a.owner.state is ModuleState.LIVE and a.dev_id in de.state().ids
        await de.dmaengine_put()
        await de.dma_driver_unload(a)
        assert a not in de.state().registered and de.state().ids == set()
        assert a.owner.state is ModuleState.UNLOADED
        await register(a)  # loading the module again
        assert a.owner.state is ModuleState.LIVE and a.dev_id == 0

    run(body())


def test_driver_unload_refused_while_a_private_channel_is_held(
    profile: str, run, make_soft
) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY))
        with pytest.raises(DeviceBusyError):
            await de.dma_driver_unload(a)
        await de.dma_release_channel(chan)
        await de.dma_driver_unload(a)
        assert de.state().registered == []

    run(body())


def test_driver_unload_removes_every_device_of_the_module(profile: str, run, mem) -> None:
    a = SoftDmaDevice(mem, 1, name="a")
    b = SoftDmaDevice(mem, 1, name="b", owner=a.owner)
    c = SoftDmaDevice(mem, 1, name="c")

    async def body() -> None:
        await register(a, b, c)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY),
                                            lambda ch, p: ch.device is b)  # fmt: skip
        with pytest.raises(DeviceBusyError):
            await de.dma_driver_unload(a)  # b's channel pins the shared module
        await de.dma_release_channel(chan)
        await de.dma_driver_unload(a)
        assert de.state().registered == [c]
        with pytest.raises(DmaError, match="not registered") as e:
            await de.dma_driver_unload(a)
        assert e.value.errno == errno.ENOENT

    run(body())


def test_29_skips_a_channel_whose_node_cannot_be_allocated(run, make_soft) -> None:
    de.reset("2.6.29")
    a = make_soft(3)
    a.channels[1].fail_dev_alloc = True

    async def body() -> None:
        await register(a)
        assert [c.name for c in a.channels] == ["dma0chan0", None, "dma0chan1"]
        assert a.chancnt == 2
        await de.dmaengine_get()  # the skipped channel is still on the list and referenced
        assert counts(a) == [1, 1, 1]

    run(body())


def test_32_fails_registration_when_a_node_cannot_be_allocated(run, make_soft) -> None:
    de.reset("2.6.32")
    a, b = make_soft(2), make_soft(1)
    a.channels[1].fail_dev_alloc = True

    async def body() -> None:
        with pytest.raises(OutOfMemoryError) as e:
            await de.dma_async_device_register(a)
        assert e.value.errno == errno.ENOMEM
        assert de.state().registered == [] and de.state().ids == set()
        await register(b)
        assert b.dev_id == 0  # the failed registration consumed no id

    run(body())


def test_registration_fails_when_the_module_is_going_away(profile: str, run, make_soft) -> None:
    a, b = make_soft(1), make_soft(1)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        b.owner.state = ModuleState.GOING
        with pytest.raises(NoDeviceError):
            await de.dma_async_device_register(b)
        assert b not in de.state().registered and de.state().ids == {0}
        assert b.channels[0].dev.in_use == -errno.ENODEV

    run(body())


def test_device_without_channels_never_frees_its_id(profile: str, run, make_soft) -> None:
    empty = Minimal(nr_channels=0)
    a = make_soft(1)

    async def body() -> None:
        await register(empty)
        await de.dma_async_device_unregister(empty)
        await register(a)
        assert empty.dev_id == 0 and a.dev_id == 1  # the kernel quirk: id 0 leaked

    run(body())
