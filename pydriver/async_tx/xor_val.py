"""async_xor_val: check that a set of pages XORs to zero (docs/kernel-model.md, R50-R52).

2.6.29 calls it async_xor_zero_sum; the behaviour modelled is the same apart from the
callback quirk documented on async_xor_val.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydriver import dmaengine as dma
from pydriver.async_tx.align import is_dma_xor_aligned
from pydriver.async_tx.checks import check_channel_memory, check_context, check_depend
from pydriver.async_tx.cpu import page_is_zero
from pydriver.async_tx.flags import (
    ASYNC_TX_ACK,
    ASYNC_TX_FENCE,
    ASYNC_TX_XOR_DROP_DST,
    check_flags,
)
from pydriver.async_tx.spin import spin_prep
from pydriver.async_tx.submit import (
    AsyncSubmitCtl,
    async_tx_find_channel,
    async_tx_quiesce,
    async_tx_submit,
    async_tx_sync_epilog,
    quiesce_depend,
    working_ctl,
)
from pydriver.async_tx.xor import async_xor, check_sources, warn_misaligned
from pydriver.dmaengine.profile import current_profile, is_32
from pydriver.errors import DmaTypeError, DmaValueError
from pydriver.memory import Page


async def async_xor_val(
    dest: Page,
    src_list: Sequence[Page],
    offset: int,
    src_cnt: int,
    length: int,
    result: dma.SumCheck,
    submit: AsyncSubmitCtl,
) -> dma.DmaAsyncTxDescriptor | None:
    """Set ``result.value`` to 0 if the XOR of the ``src_cnt`` sources is zero, else to
    SUM_CHECK_P_RESULT.  ``src_list[0]`` must be ``dest`` (the parity page).

    On a DMA_XOR_VAL engine (and only if ``src_cnt`` <= ``max_xor``; 2.6.32 also needs xor
    alignment) a descriptor is returned; the engine writes ``result.value`` when it completes
    and no page changes.

    Otherwise the kernel's fallback runs, returning None:

    * it XORs the sources into ``dest`` with async_xor and ASYNC_TX_XOR_DROP_DST (ACK removed) -
      which may itself use an XOR engine - waits for that, and tests ``dest`` for zero.  Side
      effect: **``dest`` is overwritten** with the XOR of all sources, i.e. it is zeroed when the
      parity was consistent;
    * 2.6.32 quirk, modelled on purpose: the caller's callback is still set while the inner
      async_xor runs, so **the callback runs twice** - once for the inner xor (tasklet context
      if it went to an engine, caller's context if not) and once more at the end, in the
      caller's context.  2.6.29 passes no callback to the inner xor: one call.  (raid5 passes
      no callback in 2.6.32, which is why the kernel never noticed.)

    Honoured flags: ASYNC_TX_ACK, ASYNC_TX_DEP_ACK (29), ASYNC_TX_FENCE (32).
    """
    op = "async_xor_val"
    check_context(op)
    ctl = working_ctl(submit, op)
    check_flags(ctl.flags, current_profile(), op)
    srcs = check_sources(dest, src_list, src_cnt, offset, length, op, allow_none=False)
    if srcs[0] is not dest:
        raise DmaValueError(
            f"{op}: src_list[0] must be dest (the parity page)", rule="xor-dest-flags"
        )
    if not isinstance(result, dma.SumCheck):
        raise DmaTypeError(f"{op}: result must be a SumCheck holder, not {type(result).__name__}")
    check_depend(ctl.depend_tx, op)

    chan = async_tx_find_channel(ctl, dma.DMA_XOR_VAL)
    device = chan.device if chan is not None else None
    if chan is not None:
        check_channel_memory(chan, dest.mem, op)
    if (
        device is not None
        and src_cnt <= device.max_xor
        and (not is_32() or is_dma_xor_aligned(device, offset, 0, length))
    ):
        dma_flags = dma.DMA_PREP_INTERRUPT if ctl.cb_fn is not None else 0
        if ctl.flags & ASYNC_TX_FENCE:
            dma_flags |= dma.DMA_PREP_FENCE
        addrs = [s.addr + offset for s in srcs]  # type: ignore[union-attr]

        def prep() -> dma.DmaAsyncTxDescriptor | None:
            return device.device_prep_dma_xor_val(
                chan, list(addrs), src_cnt, length, result, dma_flags
            )

        tx = prep()
        if tx is None:
            await quiesce_depend(ctl)
            tx = await spin_prep(chan, prep, op)
        await async_tx_submit(chan, tx, ctl)
        return tx

    # fallback: compute the parity into dest and look at it (R51)
    if device is not None and src_cnt <= device.max_xor:
        warn_misaligned(op)
    flags_orig = ctl.flags
    if is_32():
        # the kernel reuses the caller's ctl, callback included: the double-callback quirk
        ctl.flags = (ctl.flags | ASYNC_TX_XOR_DROP_DST) & ~ASYNC_TX_ACK
        inner = ctl
    else:
        inner = AsyncSubmitCtl(
            (ctl.flags | ASYNC_TX_XOR_DROP_DST) & ~ASYNC_TX_ACK, ctl.depend_tx, None, None
        )
    try:
        tx = await async_xor(dest, srcs, offset, src_cnt, length, inner)
    except BaseException:
        ctl.flags = flags_orig
        raise
    await async_tx_quiesce(tx)
    result.value = 0 if page_is_zero(dest, offset, length) else dma.SUM_CHECK_P_RESULT
    async_tx_sync_epilog(ctl)
    ctl.flags = flags_orig
    return None
