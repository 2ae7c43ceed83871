"""Helpers shared by the async_tx unit tests (no tests here).

``engines`` registers SoftDmaDevices and takes async_tx's dmaengine reference; ``Calls`` records
callbacks with the context they ran in and whatever the test wants to see at that moment;
``pattern`` gives reproducible page contents.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydriver import dmaengine as de
from pydriver.async_tx import async_tx_init, async_tx_issue_pending_all
from pydriver.memory import Page, SystemMemory
from pydriver.runtime import Context, get_runtime
from pydriver.soft import SoftDmaDevice

ALL_CAPS = (de.DMA_MEMCPY, de.DMA_XOR, de.DMA_XOR_VAL, de.DMA_MEMSET, de.DMA_INTERRUPT)
LEN = 256


async def engines(*devices: SoftDmaDevice, get: bool = True) -> None:
    """Register ``devices`` in order; then (``get``) take async_tx's dmaengine reference."""
    for dev in devices:
        await de.dma_async_device_register(dev)
    if get:
        await async_tx_init()


def soft(mem: SystemMemory, *caps: de.DmaTxType, **kw: Any) -> SoftDmaDevice:
    """A SoftDmaDevice with exactly ``caps`` (all async_tx capabilities when none given)."""
    return SoftDmaDevice(mem, kw.pop("nr_channels", 1), caps or ALL_CAPS, **kw)


def pattern(seed: int, length: int = LEN) -> bytes:
    return random.Random(seed).randbytes(length)


def filled(mem: SystemMemory, *seeds: int, offset: int = 0, length: int = LEN) -> list[Page]:
    """One page per seed, holding ``pattern(seed)`` at ``offset``."""
    pages = []
    for seed in seeds:
        page = mem.alloc_page()
        page.write(offset, pattern(seed, length))
        pages.append(page)
    return pages


def xor_bytes(*blocks: bytes) -> bytes:
    acc = 0
    for b in blocks:
        acc ^= int.from_bytes(b, "little")
    return acc.to_bytes(len(blocks[0]), "little")


@dataclass
class Call:
    name: str
    context: Context
    seen: Any


@dataclass
class Calls:
    """Callback recorder: ``cb, param = calls.cb("name", look=lambda: ...)``."""

    log: list[Call] = field(default_factory=list)

    def fn(self, param: tuple[str, Callable[[], Any] | None]) -> None:
        name, look = param
        ctx = get_runtime().current_context()
        self.log.append(Call(name, ctx, look() if look is not None else None))

    def cb(self, name: str, look: Callable[[], Any] | None = None) -> tuple[Any, Any]:
        return self.fn, (name, look)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.log]

    def contexts(self) -> list[Context]:
        return [c.context for c in self.log]


async def settle(rounds: int = 20) -> None:
    """Let engines and tasklets that are already running make progress."""
    for _ in range(rounds):
        await asyncio.sleep(0)


async def wait_done(*txs: de.DmaAsyncTxDescriptor | None, timeout_s: float = 1.0) -> None:
    """Issue everything and wait until each descriptor has completed (acks nothing, polls
    nothing: completion comes from the engines and their tasklets alone)."""
    async_tx_issue_pending_all()
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    done = (de.DescState.COMPLETE, de.DescState.FREED)
    while not all(tx is None or tx.state in done for tx in txs):
        assert loop.time() < end, f"not complete in time: {txs}"
        await asyncio.sleep(0)
    await settle()


def snapshot(mem: SystemMemory) -> bytes:
    return bytes(mem.storage)


def chan_state(*devices: SoftDmaDevice) -> list[tuple[int, int, int]]:
    """(last cookie, submitted-not-issued, issued-not-cleaned) of every channel."""
    return [
        (c.cookie, len(c.pending), len(c.active))  # type: ignore[attr-defined]
        for d in devices
        for c in d.channels
    ]
