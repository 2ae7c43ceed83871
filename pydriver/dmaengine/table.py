"""The per-CPU channel table for the public allocator (docs/kernel-model.md, R12-R18).

Rebuilt only on device register/unregister and on the first dmaengine_get (R14); never on
dmaengine_put, so after the last put it still names the old channels (R10).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import DmaBug, DmaValueError
from .caps import DMA_PRIVATE, KERNEL_ENUM_ORDER, DmaTxType, check_tx_type, dma_has_cap
from .core import CoreState, current_cpu, state

if TYPE_CHECKING:
    from .device import DmaChan

__all__ = [
    "dma_channel_rebalance",
    "nth_chan",
    "dma_find_channel",
    "dma_issue_pending_all",
    "dma_async_issue_pending",
    "dma_channel_table",
]


def nth_chan(st: CoreState, cap: DmaTxType, n: int) -> DmaChan | None:
    """Item 16: the n-th referenced channel able to do ``cap`` (public devices, list order),
    else the one with the fewest table slots (first wins a tie); n = -1 never matches."""
    ret = None
    best = None
    for device in st.devices:
        if not dma_has_cap(cap, device.cap_mask) or dma_has_cap(DMA_PRIVATE, device.cap_mask):
            continue
        for chan in device.channels:
            if not chan.client_count:
                continue
            if best is None or chan.table_count < best.table_count:
                best = chan
            if n == 0:
                ret = chan
                break
            n -= 1
        if ret is not None:
            break
    if ret is None:
        ret = best
    if ret is not None:
        ret.table_count += 1
    return ret


def dma_channel_rebalance(st: CoreState | None = None) -> None:
    """Item 15: clear the table, then (if anyone holds a public reference) refill it."""
    st = st or state()
    st.rebalances += 1
    for cap in st.table_caps:
        st.table[cap] = [None] * st.nr_cpus  # every possible CPU
    for device in st.devices:
        if dma_has_cap(DMA_PRIVATE, device.cap_mask):
            continue
        for chan in device.channels:
            chan.table_count = 0
    if st.ref_count == 0:
        return
    # R16: one counter for the whole pass, NOT reset per capability; it advances for
    # every (capability, online cpu) pair, even for capabilities no device offers
    n = 0
    for cap in st.table_caps:
        for cpu in st.online:
            if st.nr_cpus > 1:  # possible CPUs, not online ones
                chan = nth_chan(st, cap, n)
                n += 1
            else:
                chan = nth_chan(st, cap, -1)  # uniprocessor: least-used channel per capability
            st.table[cap][cpu] = chan


def dma_find_channel(tx_type: DmaTxType) -> DmaChan | None:
    """Item 12: the table entry for ``tx_type`` on the current CPU. Takes no reference and
    never searches: None when the entry is empty, and possibly stale after the last put."""
    st = state()
    t = check_tx_type(tx_type)
    if t not in KERNEL_ENUM_ORDER[st.profile]:
        raise DmaValueError(f"{t} does not exist under profile {st.profile}", rule="tx-type")
    if t not in st.table:
        raise DmaBug(
            f"dma_find_channel({t}): {t} names a channel property, not an operation, and has "
            "no channel table (the kernel would dereference a NULL per-CPU table)",
            rule="find-channel-table",
        )
    return st.table[t][current_cpu()]


def dma_async_issue_pending(chan: DmaChan) -> None:
    """Push the channel's submitted descriptors to the hardware."""
    chan.device.device_issue_pending(chan)


def dma_issue_pending_all() -> None:
    """Item 13: issue_pending on every referenced channel of every public device; channels
    held through dma_request_channel (private devices) are never flushed here."""
    for device in list(state().devices):
        if dma_has_cap(DMA_PRIVATE, device.cap_mask):
            continue
        for chan in device.channels:
            if chan.client_count:
                device.device_issue_pending(chan)


def dma_channel_table() -> dict[DmaTxType, list[DmaChan | None]]:
    """A copy of the table: capability -> channel per CPU (for tests and inspection)."""
    st = state()
    return {cap: list(row) for cap, row in st.table.items()}
