"""async_memcpy: copy between pages on a MEMCPY engine or on the CPU
(docs/kernel-model.md, R42, R44)."""

from __future__ import annotations

from pydriver import dmaengine as dma
from pydriver.async_tx.align import is_dma_copy_aligned
from pydriver.async_tx.checks import (
    check_channel_memory,
    check_context,
    check_depend,
    check_int,
    check_page,
    check_same_memory,
)
from pydriver.async_tx.cpu import cpu_memcpy
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
from pydriver.memory import Page


async def async_memcpy(
    dest: Page,
    src: Page,
    dest_offset: int,
    src_offset: int,
    length: int,
    submit: AsyncSubmitCtl,
) -> dma.DmaAsyncTxDescriptor | None:
    """Copy ``length`` bytes from ``src``+``src_offset`` to ``dest``+``dest_offset``.

    Returns the descriptor when the copy was queued on an engine (it runs after
    ``submit.depend_tx`` and after issue_pending), or None when it was done here on the CPU:
    then the dependency was waited for and acked first and the callback has already run in
    the caller's context.  Honoured flags: ASYNC_TX_ACK, ASYNC_TX_DEP_ACK (29),
    ASYNC_TX_FENCE (32).  The CPU is used when no channel offers DMA_MEMCPY, when the driver
    cannot prepare a descriptor (no retry), and under 2.6.32 when the offsets or length break
    the device's copy alignment.
    """
    op = "async_memcpy"
    check_context(op)
    ctl = working_ctl(submit, op)
    check_flags(ctl.flags, current_profile(), op)
    for value, what in (
        (dest_offset, "dest_offset"),
        (src_offset, "src_offset"),
        (length, "length"),
    ):
        check_int(value, what, op)
    check_page(dest, dest_offset, length, "dest", op)
    check_page(src, src_offset, length, "src", op)
    mem = check_same_memory([dest, src], op)
    check_depend(ctl.depend_tx, op)

    chan = async_tx_find_channel(ctl, dma.DMA_MEMCPY)
    tx = None
    if chan is not None:
        check_channel_memory(chan, mem, op)
        device = chan.device
        if not is_32() or is_dma_copy_aligned(device, src_offset, dest_offset, length):
            dma_flags = dma.DMA_PREP_INTERRUPT if ctl.cb_fn is not None else 0
            if ctl.flags & ASYNC_TX_FENCE:
                dma_flags |= dma.DMA_PREP_FENCE
            tx = device.device_prep_dma_memcpy(
                chan, dest.addr + dest_offset, src.addr + src_offset, length, dma_flags
            )

    if tx is not None:
        await async_tx_submit(chan, tx, ctl)
        return tx

    await quiesce_depend(ctl)
    cpu_memcpy(dest, dest_offset, src, src_offset, length)
    async_tx_sync_epilog(ctl)
    return None
