"""Channel references and the public (shared) allocator (docs/kernel-model.md, R6-R11).

Invariants kept here: a public channel with resources has client_count == the number of
outstanding dmaengine_get calls; a privately held channel has client_count == 1; the driver
module's refcount is the sum of its channels' client counts.
"""

from __future__ import annotations

import errno

from ..errors import DmaBug, DmaTypeError
from .caps import DMA_PRIVATE, dma_has_cap
from .core import CoreState, log, might_sleep, state
from .device import DmaChan
from .table import dma_channel_rebalance

__all__ = ["dma_chan_get", "dma_chan_put", "dmaengine_get", "dmaengine_put"]


def _balance_ref_count(st: CoreState, chan: DmaChan) -> None:
    # R6: a freshly allocated public channel catches up with the outstanding gets
    while chan.client_count < st.ref_count:
        chan.device.owner.get()
        chan.client_count += 1


async def dma_chan_get(chan: DmaChan) -> int:
    """Item 6: take one reference (allocating on the first); 0 or a negative errno.

    Must be called with the core mutex held.
    """
    st = state()
    owner = chan.device.owner
    if chan.client_count:
        owner.get()
        chan.client_count += 1
        return 0
    if not owner.try_get():
        return -errno.ENODEV  # the driver module is being unloaded
    chan.client_count = 1
    try:
        rc = await chan.device.device_alloc_chan_resources(chan)
        if isinstance(rc, bool) or not isinstance(rc, int):
            raise DmaTypeError(
                f"device_alloc_chan_resources({chan.name}) must return an int "
                f"(descriptor count or negative errno), got {type(rc).__name__}"
            )
    except BaseException:
        chan.client_count = 0
        owner.put()
        raise
    if rc < 0:
        chan.client_count = 0
        owner.put()
        return rc
    # DMA_PRIVATE (set by dma_request_channel before calling us) keeps the count at 1
    if not dma_has_cap(DMA_PRIVATE, chan.device.cap_mask):
        _balance_ref_count(st, chan)
    return 0


async def dma_chan_put(chan: DmaChan) -> None:
    """Item 7: drop one reference, freeing resources on the last. A channel without
    references (its allocation failed) is left alone. Must be called with the mutex held."""
    if not chan.client_count:
        return
    chan.client_count -= 1
    chan.device.owner.put()
    if chan.client_count == 0:
        await chan.device.device_free_chan_resources(chan)


async def dmaengine_get() -> None:
    """Item 9: register interest in the public channels (one reference on each)."""
    might_sleep("dmaengine_get")
    st = state()
    async with st.mutex:
        st.ref_count += 1
        failure: BaseException | None = None
        for device in list(st.devices):
            if dma_has_cap(DMA_PRIVATE, device.cap_mask):
                continue
            for chan in device.channels:
                try:
                    err = await dma_chan_get(chan)
                except Exception as exc:  # a provider hook raised: finish the scan first
                    failure = failure or exc
                    continue
                if err == -errno.ENODEV:
                    # the module went away before we could use it: drop the device
                    log.info("dmaengine: %s module removed", device.dev)
                    st.devices.remove(device)
                    break
                if err:
                    log.error("dmaengine: failed to get %s: (%d)", chan.name, err)
        # R14: only the first reference fills the table; later gets leave it alone
        if st.ref_count == 1:
            dma_channel_rebalance(st)
    if failure is not None:
        raise failure


async def dmaengine_put() -> None:
    """Item 10: drop one public reference from every public channel. No rebalance: after
    the last put the table still holds the old (now unreferenced) channels."""
    might_sleep("dmaengine_put")
    st = state()
    async with st.mutex:
        if st.ref_count == 0:
            raise DmaBug(
                "dmaengine_put without a matching dmaengine_get (reference count would go "
                "negative)",
                rule="put-without-get",
            )
        st.ref_count -= 1
        for device in list(st.devices):
            if dma_has_cap(DMA_PRIVATE, device.cap_mask):
                continue
            for chan in device.channels:
                await dma_chan_put(chan)
