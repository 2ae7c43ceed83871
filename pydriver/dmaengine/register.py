"""Device registration, unregistration and driver unload (docs/kernel-model.md, R8, R25-R29, R31).

Unregistering never fails and drops no reference (it warns); refusing removal while channels
are referenced is the job of the driver module's refcount, i.e. of :func:`dma_driver_unload`.
"""

from __future__ import annotations

import errno

from ..errors import (
    DeviceBusyError,
    DmaBug,
    DmaError,
    DmaTypeError,
    DmaUnregisterWarning,
    DmaValueError,
    NoDeviceError,
    OutOfMemoryError,
)
from .caps import (
    DMA_ASYNC_TX,
    DMA_INTERRUPT,
    DMA_MEMCPY,
    DMA_MEMSET,
    DMA_PRIVATE,
    DMA_XOR,
    DMA_XOR_VAL,
    KERNEL_ENUM_ORDER,
    DmaTxType,
    dma_cap_set,
    dma_has_cap,
    for_each_dma_cap_mask,
)
from .core import CoreState, might_sleep, state
from .device import ChanDev, DmaChan, DmaDevice, ModuleState
from .refs import dma_chan_get
from .table import dma_channel_rebalance

__all__ = [
    "ASYNC_TX_OPS",
    "PREP_HOOKS",
    "dma_async_device_register",
    "dma_async_device_unregister",
    "dma_driver_unload",
]

# R25: the prep hook each capability requires (SLAVE also needs terminate_all); the
# conformance checker instruments the same hooks
PREP_HOOKS = {
    DmaTxType.MEMCPY: "device_prep_dma_memcpy",
    DmaTxType.XOR: "device_prep_dma_xor",
    DmaTxType.XOR_VAL: "device_prep_dma_xor_val",
    DmaTxType.PQ: "device_prep_dma_pq",
    DmaTxType.PQ_VAL: "device_prep_dma_pq_val",
    DmaTxType.MEMSET: "device_prep_dma_memset",
    DmaTxType.INTERRUPT: "device_prep_dma_interrupt",
    DmaTxType.SLAVE: "device_prep_slave_sg",
}
_REQUIRED_HOOKS = (
    "device_alloc_chan_resources",
    "device_free_chan_resources",
    "device_tx_status",
    "device_issue_pending",
)

# R26: the async_tx operations dmasim configures (ASYNC_TX_DMA on, no PQ): a device able
# to do all of them gets DMA_ASYNC_TX under 2.6.32
ASYNC_TX_OPS = (DMA_INTERRUPT, DMA_MEMCPY, DMA_MEMSET, DMA_XOR, DMA_XOR_VAL)


def _check_device(device: object) -> DmaDevice:
    if not isinstance(device, DmaDevice):
        raise DmaTypeError(
            f"device must be a DmaDevice, got {type(device).__name__}", rule="device-type"
        )
    return device


def _validate(st: CoreState, device: DmaDevice) -> None:
    """Everything the kernel BUG()s on, checked before anything changes."""
    if any(d is device for d in st.registered):
        raise DmaBug(f"{device!r} is already registered (registering twice)", rule="register-once")
    order = KERNEL_ENUM_ORDER[st.profile]
    for t in for_each_dma_cap_mask(device.cap_mask, st.profile):
        if t not in order:
            raise DmaValueError(
                f"capability {t} does not exist under profile {st.profile}", rule="tx-type"
            )
        hook = PREP_HOOKS.get(t)
        if hook is not None and getattr(device, hook, None) is None:
            raise DmaBug(
                f"device advertises {t} but has no {hook} (each capability needs its prep hook)",
                rule="cap-needs-prep",
            )
    if dma_has_cap(DmaTxType.SLAVE, device.cap_mask) and device.device_terminate_all is None:
        raise DmaBug("device advertises DMA_SLAVE but has no device_terminate_all",
                     rule="cap-needs-prep")  # fmt: skip
    for hook in _REQUIRED_HOOKS:
        if getattr(device, hook, None) is None:
            raise DmaBug(f"device has no {hook}", rule="required-hook")
    if device.dev is None:
        raise DmaBug("device has no parent device (dev)", rule="required-hook")
    seen: set[int] = set()
    for chan in device.channels:
        if not isinstance(chan, DmaChan):
            raise DmaTypeError(f"channels must hold DmaChan objects, got {type(chan).__name__}")
        if chan.device is not device:
            raise DmaBug(f"{chan!r} in device.channels belongs to another device",
                         rule="chan-device")  # fmt: skip
        if id(chan) in seen:
            raise DmaBug(f"{chan!r} is listed twice in device.channels", rule="chan-device")
        seen.add(id(chan))


def _has_all_tx_types(device: DmaDevice) -> bool:
    return all(dma_has_cap(t, device.cap_mask) for t in ASYNC_TX_OPS)


def _release_chan_dev(st: CoreState, device: DmaDevice, chan: DmaChan) -> None:
    """Detach the channel's sysfs node; the device id is freed with the last node (R27)."""
    if chan.dev is None or chan.dev.chan is None:
        return
    chan.dev.chan = None
    device.idr_ref -= 1
    if device.idr_ref == 0:
        st.ids.discard(chan.dev.dev_id)


async def dma_async_device_register(device: DmaDevice) -> int:
    """Item 25-28: publish ``device``; returns 0 or raises DmaError (with the kernel's errno).

    Misuse the kernel BUG()s on (a capability without its prep hook, a missing required hook,
    registering twice) raises before anything changes.
    """
    if device is None:
        raise NoDeviceError("dma_async_device_register(None)")
    _check_device(device)
    might_sleep("dma_async_device_register")
    st = state()
    _validate(st, device)
    if device.owner.state is ModuleState.UNLOADED:
        device.owner.state = ModuleState.LIVE  # loading the module again
    if st.is_32 and _has_all_tx_types(device):
        dma_cap_set(DMA_ASYNC_TX, device.cap_mask)  # R26: set by the core, never drivers
    dev_id = 0
    while dev_id in st.ids:  # R27: the lowest free id
        dev_id += 1
    st.ids.add(dev_id)
    device.dev_id = dev_id
    device.idr_ref = 0
    chancnt = 0
    for chan in device.channels:
        chan.dev = None
        if chan.fail_dev_alloc:
            if st.is_32:  # 2.6.30+: a channel that cannot be set up fails the registration
                _register_failed(st, device)
                raise OutOfMemoryError(f"dma{dev_id}: cannot allocate a channel node",
                                       errno=errno.ENOMEM)  # fmt: skip
            continue  # 2.6.29 skips it silently; ids stay dense
        chan.chan_id = chancnt
        chancnt += 1
        chan.dev = ChanDev(chan, dev_id, f"dma{dev_id}chan{chan.chan_id}")
        device.idr_ref += 1
        chan.client_count = 0
    device.chancnt = chancnt

    async with st.mutex:
        # R28: outstanding public references are taken on the new channels at once
        if st.ref_count and not dma_has_cap(DMA_PRIVATE, device.cap_mask):
            for chan in device.channels:
                if await dma_chan_get(chan) == -errno.ENODEV:
                    _register_failed(st, device)
                    raise NoDeviceError(f"dma{dev_id}: driver module is going away")
        st.devices.append(device)
        st.registered.append(device)
        if st.is_32 and dma_has_cap(DMA_PRIVATE, device.cap_mask):
            device.privatecnt += 1  # registered private: "always private"
        dma_channel_rebalance(st)
    return 0


def _register_failed(st: CoreState, device: DmaDevice) -> None:
    for chan in device.channels:
        _release_chan_dev(st, device, chan)
    if device.idr_ref == 0:
        st.ids.discard(device.dev_id)


async def dma_async_device_unregister(device: DmaDevice) -> None:
    """Item 29: withdraw ``device``. Never fails; warns (once, like WARN_ONCE) when clients
    still hold references, and drops none of them."""
    _check_device(device)
    might_sleep("dma_async_device_unregister")
    st = state()
    if not any(d is device for d in st.registered):
        raise DmaBug(f"{device!r} is not registered", rule="unregister-registered")
    async with st.mutex:
        if device in st.devices:  # an -ENODEV scan may already have dropped it
            st.devices.remove(device)
        st.registered.remove(device)
        dma_channel_rebalance(st)
    for chan in device.channels:
        if chan.client_count:
            st.warn_once(
                "dma_async_device_unregister",
                f"dma_async_device_unregister called while {chan.client_count} clients hold "
                f"a reference to {chan.name}",
                DmaUnregisterWarning,
            )
        _release_chan_dev(st, device, chan)


async def dma_driver_unload(device: DmaDevice) -> None:
    """``rmmod`` of the device's driver (R8): refused with DeviceBusyError, changing
    nothing, while the module is referenced (any channel client_count > 0); otherwise every
    device of that module is unregistered."""
    _check_device(device)
    st = state()
    if not any(d is device for d in st.registered):
        raise DmaError(f"{device!r} is not registered: nothing to unload", errno=errno.ENOENT,
                       rule="unload-registered")  # fmt: skip
    owner = device.owner
    if owner.refcount:
        users = [c.name for d in st.registered if d.owner is owner for c in d.channels
                 if c.client_count]  # fmt: skip
        raise DeviceBusyError(
            f"cannot unload module {owner.name}: in use ({owner.refcount} references, "
            f"channels {', '.join(str(u) for u in users)})",
            rule="module-in-use",
        )
    owner.state = ModuleState.GOING
    try:
        for d in [d for d in st.registered if d.owner is owner]:
            await dma_async_device_unregister(d)
    finally:
        owner.state = ModuleState.UNLOADED
