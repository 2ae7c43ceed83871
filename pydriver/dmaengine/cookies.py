"""Cookies: assignment with wraparound and the completion test (docs/kernel-model.md, R60-R62).

A cookie is a signed 32-bit number: > 0 valid, < 0 an error (or -EBUSY while unsubmitted),
0 never issued. Completion is in submission order per channel, so "done" is decided from the
channel's last completed and last used cookies alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DmaTypeError
from .descriptor import DmaAsyncTxDescriptor, check_descriptor
from .status import DMA_IN_PROGRESS, DMA_SUCCESS, DmaStatus

if TYPE_CHECKING:
    from .device import DmaChan

__all__ = [
    "COOKIE_MAX",
    "dma_cookie_assign",
    "dma_submit_error",
    "dma_async_is_complete",
    "dma_async_is_tx_complete",
    "dma_cookie_status",
    "dma_cookie_complete",
]

COOKIE_MAX = 0x7FFFFFFF  # dma_cookie_t is s32


def _cookie(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DmaTypeError(f"{name} must be an int cookie, got {type(value).__name__}")
    return value


def dma_cookie_assign(tx: DmaAsyncTxDescriptor) -> int:
    """For providers' tx_submit: give ``tx`` the channel's next cookie and return it.

    Item 60: one more than the channel's last cookie, back to 1 past the s32 range.
    """
    chan = check_descriptor(tx).chan
    cookie = chan.cookie + 1
    if cookie > COOKIE_MAX:
        cookie = 1
    chan.cookie = cookie
    tx.cookie = cookie
    return cookie


def dma_submit_error(cookie: int) -> bool:
    """True when tx_submit reported an error instead of a cookie."""
    return _cookie(cookie, "cookie") < 0


def dma_async_is_complete(cookie: int, last_complete: int, last_used: int) -> DmaStatus:
    """Item 62: is ``cookie`` done, given the last completed and last used cookies?

    Cookies never issued (or negative ones, including -EBUSY) read as done.
    """
    _cookie(cookie, "cookie")
    _cookie(last_complete, "last_complete")
    _cookie(last_used, "last_used")
    if last_complete <= last_used:
        if cookie <= last_complete or cookie > last_used:
            return DMA_SUCCESS
    elif cookie <= last_complete and cookie > last_used:  # the used counter has wrapped
        return DMA_SUCCESS
    return DMA_IN_PROGRESS


def dma_async_is_tx_complete(chan: DmaChan, cookie: int) -> tuple[DmaStatus, int, int]:
    """Ask the provider; returns ``(status, last completed, last used)`` (R61)."""
    from .device import DmaChan

    if not isinstance(chan, DmaChan) or chan.device is None:
        raise DmaTypeError(f"chan must be a DmaChan of a provider, got {chan!r}")
    _cookie(cookie, "cookie")
    status, last, used = chan.device.device_tx_status(chan, cookie)
    return DmaStatus(status), last, used


def dma_cookie_status(chan: DmaChan, cookie: int) -> tuple[DmaStatus, int, int]:
    """For providers' device_tx_status: the cookie rule over ``chan.completed_cookie``."""
    last, used = chan.completed_cookie, chan.cookie
    return dma_async_is_complete(cookie, last, used), last, used


def dma_cookie_complete(tx: DmaAsyncTxDescriptor) -> None:
    """For providers' cleanup: record ``tx`` as the channel's last completed descriptor."""
    if tx.cookie > 0:
        tx.chan.completed_cookie = tx.cookie
