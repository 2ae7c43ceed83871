"""The parts of a provider's cleanup (its bottom half) that every provider does the same way:
completing one descriptor, recycling the acked ones, and running the cleanup outside its
tasklet. Used by ``pydriver.soft`` and the dma_top driver (mv_xor.c's cleanup is the model).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..dmaengine import (
    DescState,
    DmaAsyncTxDescriptor,
    DmaChan,
    async_tx_test_ack,
    dma_cookie_complete,
    dma_run_dependencies,
)
from ..runtime import Context, get_runtime

__all__ = ["complete_descriptor", "recycle_acked", "in_bottom_half"]


def complete_descriptor(chan: Any, desc: DmaAsyncTxDescriptor) -> None:
    """``desc`` finished (its data in memory): record its cookie as the channel's last
    completed, run its callback, submit its dependents, keep it until the client acks it.
    ``chan`` counts ``completed`` and keeps ``unacked``."""
    dma_cookie_complete(desc)
    desc.state = DescState.COMPLETE
    chan.completed += 1
    if desc.callback is not None:
        desc.callback(desc.callback_param)
    dma_run_dependencies(desc)
    chan.unacked.append(desc)


def recycle_acked(chan: Any, release: Callable[[Any], None]) -> None:
    """Free the complete descriptors the client has acked (``release`` gives back what each
    one holds); keep the others."""
    keep = []
    for desc in chan.unacked:
        if async_tx_test_ack(desc):
            desc.state = DescState.FREED
            release(desc)
        else:
            keep.append(desc)
    chan.unacked = keep


def in_bottom_half(cleanup: Callable[[DmaChan], None], chan: DmaChan) -> None:
    """Run a cleanup outside its tasklet as iop-adma and mv_xor do (tx_status polling, channel
    release): with bottom halves disabled, so callbacks still see a tasklet-like context."""
    rt = get_runtime()
    if rt.current_context() is Context.TASKLET:
        cleanup(chan)
        return
    with rt.in_context(Context.TASKLET):
        cleanup(chan)
