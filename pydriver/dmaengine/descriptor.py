"""``struct dma_async_tx_descriptor`` and the ack helpers of dmaengine.h
(docs/kernel-model.md, R58, R60, R66).

Life of a descriptor: prepared (cookie -EBUSY, maybe waiting on a parent) →
submitted (cookie > 0) → complete → freed (recycled by the provider once complete AND acked).
``state`` records it so misuse (submitting twice, touching a recycled descriptor) is caught.
"""

from __future__ import annotations

import enum
import errno
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import DmaBug, DmaError, DmaTypeError
from .flags import DMA_CTRL_ACK

if TYPE_CHECKING:
    from .device import DmaChan

__all__ = [
    "EBUSY_COOKIE",
    "DescState",
    "DmaAsyncTxDescriptor",
    "dma_async_tx_descriptor_init",
    "async_tx_ack",
    "async_tx_clear_ack",
    "async_tx_test_ack",
    "check_descriptor",
]

EBUSY_COOKIE = -errno.EBUSY  # R60: the cookie of a prepared, unsubmitted descriptor


class DescState(enum.Enum):
    PREPARED = "prepared"
    SUBMITTED = "submitted"
    COMPLETE = "complete"
    FREED = "freed"


class DmaAsyncTxDescriptor:
    """A prepared operation. ``tx_submit_fn(tx) -> cookie`` is the provider's submit routine
    (the kernel's ``tx->tx_submit`` pointer); ``parent``/``next`` are async_tx's 1:1 dependency
    links (R36)."""

    def __init__(
        self,
        chan: DmaChan,
        flags: int = 0,
        tx_submit_fn: Callable[[DmaAsyncTxDescriptor], int] | None = None,
    ) -> None:
        self.cookie = EBUSY_COOKIE
        self.chan = chan
        self.flags = int(flags)
        self.callback: Callable[[Any], None] | None = None
        self.callback_param: Any = None
        self.parent: DmaAsyncTxDescriptor | None = None
        self.next: DmaAsyncTxDescriptor | None = None
        self.phys = 0  # bus address of the hardware descriptor, if the provider has one
        self.state = DescState.PREPARED
        self.tx_submit_fn = tx_submit_fn

    def tx_submit(self) -> int:
        """Queue the descriptor on its channel; returns the cookie (< 0 on error).

        Submitting only queues: nothing need run before issue_pending (R66).
        """
        if self.state is not DescState.PREPARED:
            raise DmaBug(
                f"tx_submit on a descriptor that is already {self.state.value}: "
                "a descriptor is submitted exactly once",
                rule="submit-once",
            )
        if self.tx_submit_fn is None:
            raise DmaError("descriptor has no tx_submit routine", rule="tx-submit-missing")
        chan = self.chan
        if chan.client_count == 0:
            raise DmaError(
                f"tx_submit on {chan.name}, which nobody holds a reference to (released channel)",
                rule="chan-referenced",
            )
        cookie = self.tx_submit_fn(self)
        if cookie > 0:
            self.state = DescState.SUBMITTED
        return cookie

    @property
    def acked(self) -> bool:
        return bool(self.flags & DMA_CTRL_ACK)

    def __repr__(self) -> str:
        chan = self.chan.name if self.chan is not None else None
        return f"<{type(self).__name__} {chan} cookie={self.cookie} {self.state.value}>"


def check_descriptor(tx: object, what: str = "tx") -> DmaAsyncTxDescriptor:
    if not isinstance(tx, DmaAsyncTxDescriptor):
        raise DmaTypeError(
            f"{what} must be a DmaAsyncTxDescriptor, got {type(tx).__name__}", rule="tx-type"
        )
    return tx


def dma_async_tx_descriptor_init(tx: DmaAsyncTxDescriptor, chan: DmaChan) -> None:
    """Bind ``tx`` to ``chan`` (the kernel also initialises the descriptor's lock)."""
    check_descriptor(tx).chan = chan


def _live(tx: object, op: str) -> DmaAsyncTxDescriptor:
    d = check_descriptor(tx)
    if d.state is DescState.FREED:
        raise DmaError(
            f"{op} on a descriptor the provider already recycled (complete and acked): "
            "an acked descriptor must not be referenced again",
            rule="use-after-ack",
        )
    return d


def async_tx_ack(tx: DmaAsyncTxDescriptor) -> None:
    """Item 58: the client is done with ``tx``; it may be recycled once complete."""
    _live(tx, "async_tx_ack").flags |= DMA_CTRL_ACK


def async_tx_clear_ack(tx: DmaAsyncTxDescriptor) -> None:
    _live(tx, "async_tx_clear_ack").flags &= ~DMA_CTRL_ACK


def async_tx_test_ack(tx: DmaAsyncTxDescriptor) -> bool:
    return bool(check_descriptor(tx).flags & DMA_CTRL_ACK)
