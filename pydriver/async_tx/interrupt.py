"""async_trigger_callback: run a callback once a dependency is done (docs/kernel-model.md, R53)."""

from __future__ import annotations

from pydriver import dmaengine as dma
from pydriver.async_tx.checks import check_context, check_depend
from pydriver.async_tx.flags import check_flags
from pydriver.async_tx.submit import (
    AsyncSubmitCtl,
    async_tx_submit,
    async_tx_sync_epilog,
    quiesce_depend,
    working_ctl,
)
from pydriver.dmaengine.profile import current_profile


async def async_trigger_callback(submit: AsyncSubmitCtl) -> dma.DmaAsyncTxDescriptor | None:
    """Run ``submit.cb_fn(submit.cb_param)`` after ``submit.depend_tx`` completes.

    With a dependency whose device has DMA_INTERRUPT, an interrupt descriptor is queued behind
    it on the same channel and returned; the callback then runs in tasklet context.  Otherwise
    (no dependency, no DMA_INTERRUPT, or the driver has no descriptor) the dependency is waited
    for and acked here and the callback runs now, in the caller's context; None is returned.
    Honoured flag: ASYNC_TX_ACK.
    """
    op = "async_trigger_callback"
    check_context(op)
    ctl = working_ctl(submit, op)
    check_flags(ctl.flags, current_profile(), op)
    check_depend(ctl.depend_tx, op)

    depend_tx = ctl.depend_tx
    tx = None
    if depend_tx is not None:
        chan = depend_tx.chan
        device = chan.device
        if dma.dma_has_cap(dma.DMA_INTERRUPT, device.cap_mask):
            # flags 0: the interrupt descriptor's purpose is the interrupt itself
            tx = device.device_prep_dma_interrupt(chan, 0)

    if tx is not None:
        await async_tx_submit(chan, tx, ctl)
        return tx

    await quiesce_depend(ctl)
    async_tx_sync_epilog(ctl)
    return None
