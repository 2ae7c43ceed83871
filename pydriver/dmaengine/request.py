"""The exclusive allocator: dma_request_channel / dma_release_channel
(docs/kernel-model.md, R19-R23).

Profiles differ on release: under 2.6.29 a device that once gave out a private channel stays
DMA_PRIVATE for good (the seed's caveat 1); 2.6.32 counts private holders in ``privatecnt``
and makes the device public again when the last one is released (unless it registered
private).
"""

from __future__ import annotations

import errno
import inspect
from collections.abc import Callable
from typing import Any

from ..errors import DmaBug, DmaRefcountWarning, DmaTypeError, DmaValueError
from .caps import (
    DMA_PRIVATE,
    KERNEL_ENUM_ORDER,
    check_mask,
    dma_cap_clear,
    dma_cap_mask_t,
    dma_cap_set,
    dma_device_satisfies_mask,
    dma_has_cap,
    for_each_dma_cap_mask,
)
from .core import CoreState, log, might_sleep, state
from .device import DmaChan, DmaDevice
from .refs import dma_chan_get, dma_chan_put

__all__ = ["dma_request_channel", "dma_release_channel", "DmaFilterFn"]

DmaFilterFn = Callable[[DmaChan, Any], bool]


def _filter_says_yes(fn: DmaFilterFn, chan: DmaChan, param: Any) -> bool:
    answer = fn(chan, param)
    if inspect.isawaitable(answer):
        if inspect.iscoroutine(answer):
            answer.close()
        raise DmaTypeError(
            "filter_fn must be a plain function returning bool, not a coroutine "
            "(it runs under the list mutex)",
            rule="filter-type",
        )
    return bool(answer)


def _private_candidate(
    st: CoreState, mask: dma_cap_mask_t, device: DmaDevice, fn: DmaFilterFn | None, param: Any
) -> DmaChan | None:
    if not dma_device_satisfies_mask(device.cap_mask, mask):
        return None
    # R19b: a public multi-channel device with any channel in use is skipped whole, so
    # a device is all public or all private (the seed's caveat 2)
    public = not dma_has_cap(DMA_PRIVATE, device.cap_mask)
    if public and device.chancnt > 1 and any(chan.client_count for chan in device.channels):
        return None
    for chan in device.channels:
        if chan.client_count:  # busy: never shown to the filter
            log.debug("%s busy", chan.name)
            continue
        if fn is not None and not _filter_says_yes(fn, chan, param):
            continue
        return chan
    return None


async def dma_request_channel(
    mask: dma_cap_mask_t, filter_fn: DmaFilterFn | None = None, filter_param: Any = None
) -> DmaChan | None:
    """Item 19: an exclusive channel of a device satisfying ``mask``, or None.

    Devices are tried in registration order, channels in list order; ``filter_fn(chan,
    filter_param)`` (a plain function) sees every free channel of a qualifying device until it
    answers True. No table rebalance happens.
    """
    might_sleep("dma_request_channel")
    st = state()
    check_mask(mask)
    for t in for_each_dma_cap_mask(mask, st.profile):
        if t not in KERNEL_ENUM_ORDER[st.profile]:
            raise DmaValueError(f"{t} does not exist under profile {st.profile}", rule="tx-type")
    if filter_fn is not None and not callable(filter_fn):
        raise DmaTypeError("filter_fn must be callable or None", rule="filter-type")
    mask = mask.copy()  # the kernel's macro passes a private copy
    async with st.mutex:
        for device in list(st.devices):  # safe against removal
            chan = _private_candidate(st, mask, device, filter_fn, filter_param)
            if chan is None:
                continue
            # R19d: mark the device private BEFORE taking the reference, so the get is
            # not balanced and the channel never enters the shared pool
            saved = (device.cap_mask.bits, device.privatecnt)
            dma_cap_set(DMA_PRIVATE, device.cap_mask)
            if st.is_32:
                device.privatecnt += 1
            try:
                err = await dma_chan_get(chan)
            except BaseException:  # a provider hook raised: leave the device as it was
                device.cap_mask.bits, device.privatecnt = saved
                raise
            if err == 0:
                chan.exclusive = True
                log.debug("dma_request_channel: success (%s)", chan.name)
                return chan
            if err == -errno.ENODEV:
                log.debug("dma_request_channel: %s module removed", chan.name)
                st.devices.remove(device)
            else:
                log.error("dmaengine: failed to get %s: (%d)", chan.name, err)
            # R19e: 2.6.29 leaves DMA_PRIVATE set on the device after a failure
            if st.is_32:
                device.privatecnt -= 1
                if device.privatecnt == 0:
                    dma_cap_clear(DMA_PRIVATE, device.cap_mask)
            chan.private = None
    log.debug("dma_request_channel: fail")
    return None


async def dma_release_channel(chan: DmaChan) -> None:
    """Item 22: give back a channel obtained from dma_request_channel."""
    if not isinstance(chan, DmaChan):
        raise DmaTypeError(f"chan must be a DmaChan, got {type(chan).__name__}", rule="chan-type")
    might_sleep("dma_release_channel")
    st = state()
    async with st.mutex:
        if not chan.exclusive:
            held = "nobody holds it" if chan.client_count == 0 else "it is a shared channel"
            raise DmaBug(
                f"dma_release_channel({chan.name}): the channel was not obtained from "
                f"dma_request_channel or was already released ({held})",
                rule="release-held-channel",
            )
        if chan.client_count != 1:
            st.warn_once(
                "dma_release_channel",
                f"dma_release_channel({chan.name}): reference count {chan.client_count} != 1",
                DmaRefcountWarning,
            )
        await dma_chan_put(chan)
        chan.exclusive = False
        if st.is_32:
            device = chan.device
            device.privatecnt -= 1
            if device.privatecnt == 0:  # a device registered private keeps one for good
                dma_cap_clear(DMA_PRIVATE, device.cap_mask)
        chan.private = None
