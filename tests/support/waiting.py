"""Waiting under asyncio for background engines and tasklets."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from pydriver import dmaengine as de
from pydriver.async_tx import async_tx_issue_pending_all


async def settle(rounds: int = 20) -> None:
    """Let engines and tasklets that are already running make progress."""
    for _ in range(rounds):
        await asyncio.sleep(0)


async def wait_for(pred: Callable[[], bool], timeout_s: float = 1.0,
                   poll_s: float = 0.0005) -> None:
    """Poll ``pred`` every ``poll_s`` until it holds; AssertionError after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout_s
    while not pred():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(poll_s)


async def wait_done(*txs: de.DmaAsyncTxDescriptor | None, timeout_s: float = 1.0) -> None:
    """Issue everything and wait until each descriptor has completed (acks nothing, polls
    nothing: completion comes from the engines and their tasklets alone)."""
    async_tx_issue_pending_all()
    done = (de.DescState.COMPLETE, de.DescState.FREED)
    try:
        await wait_for(lambda: all(tx is None or tx.state in done for tx in txs), timeout_s,
                       poll_s=0)
    except AssertionError:
        raise AssertionError(f"not complete in time: {txs}") from None
    await settle()
