"""Software engines for the tests: build, register, and read back their channels."""

from __future__ import annotations

from typing import Any

from pydriver import dmaengine as de
from pydriver.async_tx import async_tx_init
from pydriver.memory import SystemMemory
from pydriver.soft import SoftDmaDevice

ALL_CAPS = (de.DMA_MEMCPY, de.DMA_XOR, de.DMA_XOR_VAL, de.DMA_MEMSET, de.DMA_INTERRUPT)


def soft(mem: SystemMemory, *caps: de.DmaTxType, **kw: Any) -> SoftDmaDevice:
    """A SoftDmaDevice with exactly ``caps`` (all async_tx capabilities when none given)."""
    return SoftDmaDevice(mem, kw.pop("nr_channels", 1), caps or ALL_CAPS, **kw)


async def register(*devices: de.DmaDevice) -> None:
    """Register ``devices`` in order."""
    for dev in devices:
        await de.dma_async_device_register(dev)


async def engines(*devices: de.DmaDevice, get: bool = True) -> None:
    """Register ``devices`` in order; then (``get``) take async_tx's dmaengine reference."""
    await register(*devices)
    if get:
        await async_tx_init()


def counts(dev: de.DmaDevice) -> list[int]:
    """Every channel's client_count."""
    return [c.client_count for c in dev.channels]


def table_names(cap: de.DmaTxType) -> list[str | None]:
    """The per-CPU channel table's column for ``cap``, as channel names."""
    return [c.name if c is not None else None for c in de.dma_channel_table()[cap]]


def chan_state(*devices: SoftDmaDevice) -> list[tuple[int, int, int]]:
    """(last cookie, submitted-not-issued, issued-not-cleaned) of every channel."""
    return [
        (c.cookie, len(c.pending), len(c.active))  # type: ignore[attr-defined]
        for d in devices
        for c in d.channels
    ]
