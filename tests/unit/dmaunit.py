"""Helpers shared by the unit tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from pydriver import dmaengine as de


async def register(*devices: de.DmaDevice) -> None:
    for d in devices:
        await de.dma_async_device_register(d)


def counts(dev: de.DmaDevice) -> list[int]:
    return [c.client_count for c in dev.channels]


def table_names(cap: de.DmaTxType) -> list[str | None]:
    return [c.name if c is not None else None for c in de.dma_channel_table()[cap]]


async def settle(rounds: int = 5) -> None:
    """Let background engines and tasklets run."""
    for _ in range(rounds):
        await asyncio.sleep(0)


async def wait_for(pred: Callable[[], bool], timeout_s: float = 1.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    while not pred():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.0005)


AsyncFn = Callable[[], Awaitable[Any]]
