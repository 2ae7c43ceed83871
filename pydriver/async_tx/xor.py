"""async_xor: XOR pages into a destination on an XOR engine or on the CPU
(docs/kernel-model.md, R45-R49).

The destination semantics differ between the two paths, as in the kernel (R46):

========================  =============================  ==============================
flags                     engine (descriptor returned)   CPU (None returned)
========================  =============================  ==============================
ASYNC_TX_XOR_ZERO_DST     XOR of the sources             dest cleared, then the same
ASYNC_TX_XOR_DROP_DST     XOR of the sources, src[0] is  src[0] (= dest) dropped, so
                          dest, so dest_old ^ src[1:]    dest_old ^ src[1:]
neither                   XOR of the sources             dest_old ^ XOR of the sources
========================  =============================  ==============================

The engine never reads dest unless it is listed; the CPU routine always folds dest in.  A
caller that wants the same bytes on both paths must therefore pass ZERO_DST or DROP_DST.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydriver import dmaengine as dma
from pydriver.async_tx.align import is_dma_xor_aligned
from pydriver.async_tx.checks import (
    check_channel_memory,
    check_context,
    check_depend,
    check_int,
    check_page,
    check_same_memory,
)
from pydriver.async_tx.cpu import cpu_memset, cpu_xor
from pydriver.async_tx.flags import (
    ASYNC_TX_ACK,
    ASYNC_TX_DEP_ACK,
    ASYNC_TX_FENCE,
    ASYNC_TX_XOR_DROP_DST,
    ASYNC_TX_XOR_ZERO_DST,
    check_flags,
)
from pydriver.async_tx.spin import spin_prep
from pydriver.async_tx.submit import (
    AsyncSubmitCtl,
    async_tx_find_channel,
    async_tx_submit,
    async_tx_sync_epilog,
    quiesce_depend,
    working_ctl,
)
from pydriver.dmaengine.profile import current_profile, is_32
from pydriver.errors import DmaBug, DmaTypeError, DmaValueError, DmaWarning
from pydriver.memory import Page

# dest stays mapped between chunks; only a name here, 0 if the core does not model unmapping
_SKIP_DEST_UNMAP = getattr(dma, "DMA_COMPL_SKIP_DEST_UNMAP", 0)


def warn_misaligned(op: str) -> None:
    """2.6.32 WARN_ONCEs when an XOR channel exists but the CPU path is taken.  Its text blames
    address-conversion space, which dmasim always has, so here it always means misalignment."""
    dma.state().warn_once(
        op,
        f"{op}: no space for dma address conversion (kernel WARN_ONCE; the range is not "
        "aligned for the engine, so the CPU does it)",
        DmaWarning,
    )


def check_sources(
    dest: Page,
    src_list: Sequence[Page | None],
    src_cnt: int,
    offset: int,
    length: int,
    op: str,
    *,
    allow_none: bool,
) -> list[Page | None]:
    """Validate an XOR source list; return its first ``src_cnt`` entries (never modified)."""
    check_int(src_cnt, "src_cnt", op)
    check_int(offset, "offset", op)
    check_int(length, "length", op)
    if not isinstance(src_list, (list, tuple)):
        raise DmaTypeError(f"{op}: src_list must be a list of Page, not {type(src_list).__name__}")
    if src_cnt <= 1:
        raise DmaBug(
            f"{op}: src_cnt {src_cnt}: at least two sources are needed", rule="xor-src-cnt"
        )
    if src_cnt > len(src_list):
        raise DmaValueError(
            f"{op}: src_cnt {src_cnt} exceeds the {len(src_list)} pages in src_list",
            rule="xor-src-cnt",
        )
    check_page(dest, offset, length, "dest", op)
    srcs = list(src_list[:src_cnt])
    for i, src in enumerate(srcs):
        if src is None:
            if allow_none and is_32():
                continue  # 2.6.32 skips NULL sources (R45)
            raise DmaTypeError(
                f"{op}: src_list[{i}] is None (only async_xor under 2.6.32 skips it)"
            )
        check_page(src, offset, length, f"src_list[{i}]", op)
    real = [s for s in srcs if s is not None]
    if len(real) < 2:
        raise DmaBug(
            f"{op}: fewer than two XOR sources once None entries are skipped", rule="xor-src-cnt"
        )
    check_same_memory([dest, *real], op)
    return srcs


async def async_xor(
    dest: Page,
    src_list: Sequence[Page | None],
    offset: int,
    src_cnt: int,
    length: int,
    submit: AsyncSubmitCtl,
) -> dma.DmaAsyncTxDescriptor | None:
    """XOR ``src_cnt`` pages of ``src_list`` (same ``offset`` in each) into ``dest``.

    See the module docstring for what ends up in ``dest`` on each path.  With ASYNC_TX_XOR_DROP_DST
    ``src_list[0]`` must be ``dest``.  On an engine, more sources than the device's ``max_xor``
    are split into a chain of descriptors on the one channel: the first XORs the first max_xor
    sources, each later one XORs the partial result in ``dest`` (in place) with up to
    max_xor - 1 further sources.  Only the last carries the callback and ASYNC_TX_ACK and is
    returned; the hidden ones are acked by their successor (29: DEP_ACK, 32: implicitly) and,
    under 2.6.32, fenced.  Once an engine was chosen the operation never falls back to the CPU.

    ``src_list`` is not modified (unlike the kernel, R49).  Under 2.6.32 None entries are
    skipped.
    """
    op = "async_xor"
    check_context(op)
    ctl = working_ctl(submit, op)
    check_flags(ctl.flags, current_profile(), op)
    srcs = check_sources(dest, src_list, src_cnt, offset, length, op, allow_none=True)
    if ctl.flags & ASYNC_TX_XOR_ZERO_DST and ctl.flags & ASYNC_TX_XOR_DROP_DST:
        raise DmaValueError(
            f"{op}: ASYNC_TX_XOR_ZERO_DST and ASYNC_TX_XOR_DROP_DST contradict each other "
            "(dest cannot be both excluded and a source)",
            rule="xor-dest-flags",
        )
    if ctl.flags & ASYNC_TX_XOR_DROP_DST and srcs[0] is not dest:
        raise DmaValueError(
            f"{op}: with ASYNC_TX_XOR_DROP_DST, src_list[0] must be dest", rule="xor-dest-flags"
        )
    check_depend(ctl.depend_tx, op)

    chan = async_tx_find_channel(ctl, dma.DMA_XOR)
    if chan is not None:
        check_channel_memory(chan, dest.mem, op)
        if chan.device.max_xor < 2:
            raise DmaValueError(
                f"{op}: {chan.name} has max_xor {chan.device.max_xor}, below 2", rule="max-xor"
            )
        if not is_32() or is_dma_xor_aligned(chan.device, offset, 0, length):
            return await _do_async_xor(chan, dest, srcs, offset, length, ctl)

    if chan is not None:
        warn_misaligned(op)
    # CPU: dest is an implied source, so a listed dest (DROP_DST) must not count twice
    if ctl.flags & ASYNC_TX_XOR_DROP_DST:
        srcs = srcs[1:]
    await quiesce_depend(ctl)
    _do_sync_xor(dest, srcs, offset, length, ctl)
    return None


async def _do_async_xor(
    chan: dma.DmaChan,
    dest: Page,
    srcs: list[Page | None],
    offset: int,
    length: int,
    ctl: AsyncSubmitCtl,
) -> dma.DmaAsyncTxDescriptor:
    device = chan.device
    max_xor = device.max_xor
    dma_dest = dest.addr + offset
    # dest is mapped once; a source that is dest reuses that address (R47)
    pending = [dma_dest if s is dest else s.addr + offset for s in srcs if s is not None]
    flags = ctl.flags
    cb_fn, cb_param = ctl.cb_fn, ctl.cb_param

    while True:
        chunk, rest = pending[:max_xor], pending[max_xor:]
        ctl.flags = flags
        dma_flags = 0
        if rest:
            # a hidden intermediate: nobody may ack it or be told about it
            ctl.flags &= ~ASYNC_TX_ACK
            if is_32():
                ctl.flags |= ASYNC_TX_FENCE  # the next chunk reads this result
            dma_flags = _SKIP_DEST_UNMAP
            ctl.cb_fn, ctl.cb_param = None, None
        else:
            ctl.cb_fn, ctl.cb_param = cb_fn, cb_param
        if ctl.cb_fn is not None:
            dma_flags |= dma.DMA_PREP_INTERRUPT
        if ctl.flags & ASYNC_TX_FENCE:
            dma_flags |= dma.DMA_PREP_FENCE

        def prep(chunk: list[int] = chunk, dma_flags: int = dma_flags):
            return device.device_prep_dma_xor(
                chan, dma_dest, list(chunk), len(chunk), length, dma_flags
            )

        tx = prep()
        if tx is None:
            await quiesce_depend(ctl)
            tx = await spin_prep(chan, prep, "async_xor")

        await async_tx_submit(chan, tx, ctl)
        ctl.depend_tx = tx
        if not is_32():
            flags |= ASYNC_TX_DEP_ACK  # 29: each chunk acks the hidden one before it

        if not rest:
            return tx
        # the partial result in dest is the first source of the next chunk
        pending = [dma_dest, *rest]


def _do_sync_xor(
    dest: Page, srcs: list[Page | None], offset: int, length: int, ctl: AsyncSubmitCtl
) -> None:
    real = [s for s in srcs if s is not None]
    if ctl.flags & ASYNC_TX_XOR_ZERO_DST:
        cpu_memset(dest, offset, 0, length)
    cpu_xor(dest, offset, length, real)
    async_tx_sync_epilog(ctl)
