"""The dmaengine memcpy helpers (docs/kernel-model.md, R30): prep a copy with CTRL_ACK and no
callback, submit it, and count it in the channel's sysfs statistics. They return the cookie, or
-ENOMEM when the provider's prep returned NULL."""

from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from ..errors import DmaTypeError
from .cookies import dma_async_is_tx_complete
from .core import state
from .flags import DMA_COMPL_DEST_UNMAP_SINGLE, DMA_COMPL_SRC_UNMAP_SINGLE, DMA_CTRL_ACK
from .table import dma_async_issue_pending

if TYPE_CHECKING:
    from ..memory import Page
    from .device import DmaChan

__all__ = [
    "dma_async_memcpy_buf_to_buf",
    "dma_async_memcpy_buf_to_pg",
    "dma_async_memcpy_pg_to_pg",
    "dma_async_memcpy_issue_pending",
    "dma_async_memcpy_complete",
]


def _memcpy(chan: DmaChan, dest: int, src: int, length: int, flags: int) -> int:
    from .device import DmaChan

    if not isinstance(chan, DmaChan) or chan.device is None:  # bad input is named, not a crash
        raise DmaTypeError(f"chan must be a registered DmaChan, got {chan!r}")
    tx = chan.device.device_prep_dma_memcpy(chan, dest, src, length, flags)
    if tx is None:
        return -errno.ENOMEM
    tx.callback = None
    cookie = tx.tx_submit()
    chan.bytes_transferred += length
    chan.memcpy_count += 1
    return cookie


def dma_async_memcpy_buf_to_buf(chan: DmaChan, dest: int, src: int, length: int) -> int:
    """Copy ``length`` bytes between two bus addresses on ``chan``."""
    flags = DMA_CTRL_ACK
    if state().is_32:  # 2.6.32 tells the driver both buffers were mapped single
        flags |= DMA_COMPL_SRC_UNMAP_SINGLE | DMA_COMPL_DEST_UNMAP_SINGLE
    return _memcpy(chan, dest, src, length, flags)


def dma_async_memcpy_buf_to_pg(
    chan: DmaChan, page: Page, offset: int, kdata: int, length: int
) -> int:
    """Copy ``length`` bytes from the bus address ``kdata`` into ``page`` at ``offset``
    (R30: the third of the kernel's sysfs-counting memcpy helpers)."""
    from ..memory import Page

    if not isinstance(page, Page):
        raise DmaTypeError(f"page must be a Page, got {type(page).__name__}")
    page._range(offset, length)
    flags = DMA_CTRL_ACK
    if state().is_32:  # 2.6.32: only the source buffer was mapped single
        flags |= DMA_COMPL_SRC_UNMAP_SINGLE
    return _memcpy(chan, page.addr + offset, kdata, length, flags)


def dma_async_memcpy_pg_to_pg(
    chan: DmaChan, dest_pg: Page, dest_off: int, src_pg: Page, src_off: int, length: int
) -> int:
    """Copy between two pages (offsets and length must stay inside each page)."""
    from ..memory import Page

    for name, pg, off in (("dest_pg", dest_pg, dest_off), ("src_pg", src_pg, src_off)):
        if not isinstance(pg, Page):
            raise DmaTypeError(f"{name} must be a Page, got {type(pg).__name__}")
        pg._range(off, length)
    return _memcpy(chan, dest_pg.addr + dest_off, src_pg.addr + src_off, length, DMA_CTRL_ACK)


dma_async_memcpy_issue_pending = dma_async_issue_pending
dma_async_memcpy_complete = dma_async_is_tx_complete
