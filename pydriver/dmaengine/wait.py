"""Waiting for completion by polling: dma_sync_wait and dma_wait_for_async_tx
(docs/kernel-model.md, R55, R56).

The kernel's 5 s limit is measured on the runtime's clock and is configurable
(``reset(sync_wait_timeout_ns=...)``/``set_timeouts``); a stuck engine yields DMA_ERROR, never a
hung simulation. Polls sleep ``poll_interval_ns`` between tries so other tasks (the engine, the
tasklet) can run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DmaSpeculativeWaitWarning, DmaTypeError, DmaValueError
from ..runtime import get_runtime
from .cookies import dma_async_is_tx_complete
from .core import log, state
from .descriptor import EBUSY_COOKIE, DmaAsyncTxDescriptor, check_descriptor
from .status import DMA_ERROR, DMA_IN_PROGRESS, DMA_SUCCESS, DmaStatus
from .table import dma_async_issue_pending

if TYPE_CHECKING:
    from .device import DmaChan

__all__ = ["dma_sync_wait", "dma_wait_for_async_tx"]


async def dma_sync_wait(chan: DmaChan, cookie: int, timeout_ns: int | None = None) -> DmaStatus:
    """Item 56: issue pending once, then poll until ``cookie`` is no longer in progress.

    Like the kernel, the deadline is checked after each poll and before its result is used,
    so a poll that lands past the deadline reports DMA_ERROR.
    """
    from .device import DmaChan

    if not isinstance(chan, DmaChan) or chan.device is None:
        raise DmaTypeError(f"dma_sync_wait: chan must be a DmaChan of a provider, got {chan!r}")
    # bad input (docs/kernel-model.md): every argument is checked before issue_pending changes
    # the channel
    if isinstance(cookie, bool) or not isinstance(cookie, int):
        raise DmaTypeError(f"dma_sync_wait: cookie must be an int, got {type(cookie).__name__}")
    if timeout_ns is not None:
        if isinstance(timeout_ns, bool) or not isinstance(timeout_ns, int):
            raise DmaTypeError(f"dma_sync_wait: timeout_ns must be an int or None, "
                               f"got {type(timeout_ns).__name__}")  # fmt: skip
        if timeout_ns < 0:
            raise DmaValueError(f"dma_sync_wait: timeout_ns {timeout_ns} is negative")
    st = state()
    rt = get_runtime()
    limit = st.sync_wait_ns if timeout_ns is None else timeout_ns
    deadline = rt.now_ns() + limit
    dma_async_issue_pending(chan)
    while True:
        status, _, _ = dma_async_is_tx_complete(chan, cookie)
        if rt.now_ns() >= deadline:
            log.error("dma_sync_wait_timeout! (%s cookie %d)", chan.name, cookie)
            return DMA_ERROR
        if status != DMA_IN_PROGRESS:
            return status
        await rt.sleep_ns(st.poll_ns)


async def _wait_submitted(tx: DmaAsyncTxDescriptor, deadline: int) -> bool:
    """Spin while ``tx`` still waits for its dependency to submit it; False on timeout."""
    st = state()
    rt = get_runtime()
    while tx.cookie == EBUSY_COOKIE:
        if rt.now_ns() >= deadline:
            log.error("dma_wait_for_async_tx: timeout waiting for descriptor submission")
            return False
        await rt.sleep_ns(st.poll_ns)
    return True


async def dma_wait_for_async_tx(tx: DmaAsyncTxDescriptor | None) -> DmaStatus:
    """Item 55: wait until ``tx`` is complete (None counts as done).

    2.6.32: wait (bounded) for tx to be submitted, then dma_sync_wait on it.
    2.6.29: warn if tx still has a parent, then repeatedly wait for the root of its unsubmitted
    chain until tx itself is done. The kernel's 29 loop has no limit on the -EBUSY spin and
    retries forever after an error on an ancestor; here both end in DMA_ERROR after the
    configured limit (docs/kernel-model.md, Conventions: a stuck engine is an error, not a hang).
    """
    if tx is None:
        return DMA_SUCCESS
    check_descriptor(tx)
    st = state()
    rt = get_runtime()
    if st.is_32:
        if not await _wait_submitted(tx, rt.now_ns() + st.sync_wait_ns):
            return DMA_ERROR
        return await dma_sync_wait(tx.chan, tx.cookie)

    if tx.parent is not None:
        st.warn_once(
            "dma_wait_for_async_tx",
            f"dma_wait_for_async_tx: speculatively walking the dependency chain for {tx.chan.name}",
            DmaSpeculativeWaitWarning,
        )
    last_root: DmaAsyncTxDescriptor | None = None
    root_deadline = 0
    while True:
        it = tx
        while it.parent is not None:
            it = it.parent
        if it is not last_root:  # progress: a new root gets a fresh limit
            last_root = it
            root_deadline = rt.now_ns() + st.sync_wait_ns
        if not await _wait_submitted(it, root_deadline):
            return DMA_ERROR
        status = await dma_sync_wait(it.chan, it.cookie)
        if it is tx or status == DMA_ERROR:
            return status
        if rt.now_ns() >= root_deadline:  # the root is done but never released tx
            log.error("dma_wait_for_async_tx: dependency chain of %s makes no progress",
                      tx.chan.name)  # fmt: skip
            return DMA_ERROR
        await rt.sleep_ns(st.poll_ns)  # let the cleanup tasklet run the dependencies
