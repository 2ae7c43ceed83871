"""Submission control, channel choice and dependency attachment
(docs/kernel-model.md, R32-R41, R54, R57).

This is crypto/async_tx/async_tx.c: the part every operation shares.  An operation picks a
channel with ``async_tx_find_channel``; if it got a descriptor from the engine it hands it to
``async_tx_submit``, which links it behind its dependency (append, direct submit or channel
switch) and applies the ACK rules; otherwise it waits for the dependency with
``async_tx_quiesce``, does the work on the CPU and calls ``async_tx_sync_epilog``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydriver import dmaengine as dma
from pydriver.async_tx.flags import (
    ASYNC_TX_ACK,
    ASYNC_TX_DEP_ACK,
)
from pydriver.dmaengine.profile import is_32
from pydriver.errors import DmaBug, DmaError, DmaTypeError
from pydriver.runtime import Context, get_runtime

Callback = Callable[[Any], None]

@dataclass
class AsyncSubmitCtl:
    """What the caller wants done around an operation (struct async_submit_ctl, R32).

    ``scribble`` is accepted and ignored: dmasim never needs scratch space for address
    conversion, and source lists are never modified (R49 does not apply).

    Under 2.6.32 the operations update this object the way the kernel updates the caller's
    struct: a synchronous path clears ``depend_tx`` (it was quiesced) and a split async_xor
    leaves its last chunk there.  Under 2.6.29 the arguments were passed by value, so the
    caller's object is never changed.
    """

    flags: int = 0
    depend_tx: dma.DmaAsyncTxDescriptor | None = None
    cb_fn: Callback | None = None
    cb_param: Any = None
    scribble: Any = None


def init_async_submit(
    flags: int,
    depend_tx: dma.DmaAsyncTxDescriptor | None,
    cb_fn: Callback | None,
    cb_param: Any,
    scribble: Any = None,
) -> AsyncSubmitCtl:
    """Build the submission control for one operation (the 2.6.32 call shape, both profiles)."""
    if isinstance(flags, bool) or not isinstance(flags, int):
        raise DmaTypeError(f"init_async_submit: flags must be an int, not {type(flags).__name__}")
    if cb_fn is not None and not callable(cb_fn):
        raise DmaTypeError("init_async_submit: cb_fn must be callable or None")
    if depend_tx is not None and not isinstance(depend_tx, dma.DmaAsyncTxDescriptor):
        raise DmaTypeError(
            "init_async_submit: depend_tx must be a DmaAsyncTxDescriptor or None, "
            f"not {type(depend_tx).__name__}"
        )
    return AsyncSubmitCtl(flags, depend_tx, cb_fn, cb_param, scribble)


def working_ctl(submit: object, op: str) -> AsyncSubmitCtl:
    """The ctl an operation works on: the caller's under 2.6.32, a private copy under 2.6.29."""
    if not isinstance(submit, AsyncSubmitCtl):
        raise DmaTypeError(f"{op}: submit must be an AsyncSubmitCtl, not {type(submit).__name__}")
    if submit.cb_fn is not None and not callable(submit.cb_fn):
        raise DmaTypeError(f"{op}: submit.cb_fn must be callable or None")
    return submit if is_32() else copy.copy(submit)


def async_tx_find_channel(submit: AsyncSubmitCtl, tx_type: dma.DmaTxType) -> dma.DmaChan | None:
    """Stay on the dependency's channel if its device can do ``tx_type``, else ask the per-CPU
    table for the current CPU; None means do it on the CPU (R35)."""
    depend_tx = submit.depend_tx
    if depend_tx is not None and dma.dma_has_cap(tx_type, depend_tx.chan.device.cap_mask):
        return depend_tx.chan
    return dma.dma_find_channel(tx_type)


def _chain(parent: dma.DmaAsyncTxDescriptor, child: dma.DmaAsyncTxDescriptor) -> None:
    # txd_chain: child runs when parent completes (dma_run_dependencies submits it)
    child.parent = parent
    parent.next = child


async def _wait_or_panic(tx: dma.DmaAsyncTxDescriptor, why: str) -> None:
    # the kernel panics on DMA_ERROR here; dmasim reports it instead of hanging
    status = await dma.dma_wait_for_async_tx(tx)
    if status == dma.DMA_ERROR:
        raise DmaError(
            f"{why}: DMA_ERROR while waiting for the dependency (kernel: panic)",
            rule="dependency-completes",
        )


async def _channel_switch(
    depend_tx: dma.DmaAsyncTxDescriptor, tx: dma.DmaAsyncTxDescriptor
) -> None:
    """Run ``tx`` (on another channel) after ``depend_tx`` (R38-R40)."""
    chan = depend_tx.chan
    device = chan.device

    # R38: still appendable? (cannot happen single-threaded, kept for fidelity)
    if depend_tx.parent is not None and depend_tx.chan is tx.chan:
        _chain(depend_tx, tx)
        if is_32():
            device.device_issue_pending(chan)
        return

    # R39: an interrupt descriptor on the dependency's channel submits tx when it completes
    intr_tx = None
    if dma.dma_has_cap(dma.DMA_INTERRUPT, device.cap_mask):
        intr_tx = device.device_prep_dma_interrupt(chan, 0)
    if intr_tx is not None:
        intr_tx.callback = None
        intr_tx.callback_param = None
        _chain(intr_tx, tx)
        if depend_tx.parent is not None:
            # dependency not submitted yet: the interrupt descriptor waits behind it
            _chain(depend_tx, intr_tx)
        else:
            intr_tx.parent = None
            intr_tx.tx_submit()
        # nobody else will ever hold the interrupt descriptor
        dma.async_tx_ack(intr_tx)
        if is_32():
            device.device_issue_pending(chan)
        return

    # R40: no way to be told, so wait for the dependency here, then submit directly
    await _wait_or_panic(depend_tx, "async_tx_channel_switch")
    tx.tx_submit()


async def async_tx_submit(
    chan: dma.DmaChan, tx: dma.DmaAsyncTxDescriptor, submit: AsyncSubmitCtl
) -> None:
    """Attach a freshly prepared ``tx`` behind ``submit.depend_tx`` and apply the ACK rules
    (R36).  A coroutine only because a channel switch without DMA_INTERRUPT waits."""
    depend_tx = submit.depend_tx
    tx.callback = submit.cb_fn
    tx.callback_param = submit.cb_param

    if depend_tx is not None:
        # the 1:1 rules; normally already checked before prep (checks.check_depend)
        if dma.async_tx_test_ack(depend_tx) or depend_tx.next is not None or tx.parent:
            raise DmaBug(
                "async_tx_submit: dependencies are strictly 1:1 and an acked descriptor "
                "cannot be a dependency",
                rule="depend-one-to-one",
            )
        if depend_tx.parent is not None:
            if depend_tx.chan is chan:
                # dependency itself still waits: queue behind it, submitted together later
                _chain(depend_tx, tx)
            else:
                await _channel_switch(depend_tx, tx)
        elif depend_tx.chan is chan:
            # the engine completes a channel in order, so submitting now is enough
            tx.parent = None
            tx.tx_submit()
        else:
            await _channel_switch(depend_tx, tx)
    else:
        tx.parent = None
        tx.tx_submit()

    if submit.flags & ASYNC_TX_ACK:
        dma.async_tx_ack(tx)
    # 2.6.32 always acks the dependency; 2.6.29 only when asked (R33)
    if depend_tx is not None and (is_32() or submit.flags & ASYNC_TX_DEP_ACK):
        dma.async_tx_ack(depend_tx)


async def async_tx_quiesce(tx: dma.DmaAsyncTxDescriptor | None) -> None:
    """Wait until ``tx`` is complete, then ack it (R54).

    The kernel also clears the caller's pointer; in Python the caller simply drops ``tx``.
    """
    if get_runtime().current_context() == Context.HARDIRQ:
        raise DmaBug("async_tx_quiesce: cannot wait in hard-IRQ context", rule="no-wait-in-hardirq")
    if tx is None:
        return
    if not isinstance(tx, dma.DmaAsyncTxDescriptor):
        raise DmaTypeError(
            f"async_tx_quiesce: tx must be a DmaAsyncTxDescriptor or None, not {type(tx).__name__}"
        )
    if dma.async_tx_test_ack(tx):
        raise DmaBug(
            "async_tx_quiesce: tx is already acked; it may have been recycled and cannot be "
            "waited on",
            rule="depend-not-acked",
        )
    await _wait_or_panic(tx, "async_tx_quiesce")
    dma.async_tx_ack(tx)


async def quiesce_depend(submit: AsyncSubmitCtl) -> None:
    """async_tx_quiesce(&submit->depend_tx): wait, ack, forget."""
    await async_tx_quiesce(submit.depend_tx)
    submit.depend_tx = None


def async_tx_sync_epilog(submit: AsyncSubmitCtl) -> None:
    """The CPU path's completion: the callback runs now, in the caller's context (R44)."""
    if submit.cb_fn is not None:
        submit.cb_fn(submit.cb_param)


def async_tx_issue_pending_all() -> None:
    """Start everything queued on the shared, referenced channels (R57)."""
    dma.dma_issue_pending_all()


def async_tx_issue_pending(tx: dma.DmaAsyncTxDescriptor | None) -> None:
    """2.6.32 addition: start what is queued on ``tx``'s channel only (R57)."""
    if tx is not None:
        dma.check_descriptor(tx)  # a wrong type is named, not an AttributeError
        tx.chan.device.device_issue_pending(tx.chan)


def async_tx_ack(tx: dma.DmaAsyncTxDescriptor) -> None:
    """Mark ``tx`` as no longer referenced by the client (R58)."""
    dma.async_tx_ack(tx)


def async_tx_test_ack(tx: dma.DmaAsyncTxDescriptor) -> bool:
    """True once ``tx`` has been acked (R58)."""
    return bool(dma.async_tx_test_ack(tx))
