"""async_memset: fill a page range on a MEMSET engine or on the CPU
(docs/kernel-model.md, R43, R44)."""

from __future__ import annotations

from pydriver import dmaengine as dma
from pydriver.async_tx.align import is_dma_fill_aligned
from pydriver.async_tx.checks import (
    check_channel_memory,
    check_context,
    check_depend,
    check_int,
    check_page,
    check_same_memory,
)
from pydriver.async_tx.cpu import cpu_memset
from pydriver.async_tx.flags import ASYNC_TX_FENCE, check_flags
from pydriver.async_tx.submit import (
    AsyncSubmitCtl,
    async_tx_find_channel,
    async_tx_submit,
    async_tx_sync_epilog,
    quiesce_depend,
    working_ctl,
)
from pydriver.dmaengine.profile import current_profile, is_32
from pydriver.errors import DmaValueError
from pydriver.memory import Page


async def async_memset(
    dest: Page, value: int, offset: int, length: int, submit: AsyncSubmitCtl
) -> dma.DmaAsyncTxDescriptor | None:
    """Fill ``length`` bytes of ``dest`` from ``offset`` with the byte ``value``.

    Same pattern as async_memcpy: engine descriptor or None after a CPU fill (callback already
    run in the caller's context).  ``value`` must be a byte (0..255): the kernel's int is cut
    to a byte by the CPU memset while engines differ on wider values, so dmasim refuses them.
    """
    op = "async_memset"
    check_context(op)
    ctl = working_ctl(submit, op)
    check_flags(ctl.flags, current_profile(), op)
    for arg, what in ((value, "value"), (offset, "offset"), (length, "length")):
        check_int(arg, what, op)
    if not 0 <= value <= 0xFF:
        raise DmaValueError(f"{op}: fill value {value} is not a byte (0..255)", rule="fill-byte")
    check_page(dest, offset, length, "dest", op)
    mem = check_same_memory([dest], op)
    check_depend(ctl.depend_tx, op)

    chan = async_tx_find_channel(ctl, dma.DMA_MEMSET)
    tx = None
    if chan is not None:
        check_channel_memory(chan, mem, op)
        device = chan.device
        if not is_32() or is_dma_fill_aligned(device, offset, 0, length):
            dma_flags = dma.DMA_PREP_INTERRUPT if ctl.cb_fn is not None else 0
            if ctl.flags & ASYNC_TX_FENCE:
                dma_flags |= dma.DMA_PREP_FENCE
            tx = device.device_prep_dma_memset(chan, dest.addr + offset, value, length, dma_flags)

    if tx is not None:
        await async_tx_submit(chan, tx, ctl)
        return tx

    await quiesce_depend(ctl)
    cpu_memset(dest, offset, value, length)
    async_tx_sync_epilog(ctl)
    return None
