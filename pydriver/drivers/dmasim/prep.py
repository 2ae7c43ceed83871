"""device_prep_dma_*: build dma_top descriptors (as ioat's prep.c).

Each hook checks its arguments (``prep_args``: a ``DmaError`` naming the problem, nothing
changed), reserves the ring slots the descriptor needs and returns it, or returns None when the
ring is full: then the cleanup tasklet is scheduled so that completed, acked descriptors give
their slots back (as iop-adma does). Prep never touches the ring: tx_submit writes the
descriptor at software's TAIL, so descriptors can be submitted in any order after prep.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ...dmaengine import (
    DMA_INTERRUPT,
    DMA_MEMCPY,
    DMA_MEMSET,
    DMA_PREP_INTERRUPT,
    DMA_XOR,
    DMA_XOR_VAL,
    DmaChan,
    DmaTxType,
)
from .. import prep_args
from .chan import DmasimChan, DmasimDescriptor
from .hw import Descriptor, Fill, Interrupt, Memcpy, Xor, XorVal

if TYPE_CHECKING:
    from .init import DmasimDevice

__all__ = ["DmasimPrep"]


class DmasimPrep:
    """The prep hooks of :class:`~pydriver.drivers.dmasim.init.DmasimDevice`."""

    def _new(self: DmasimDevice, c: DmasimChan, op: DmaTxType, flags: int, hw: Descriptor,
             length: int = 0, result: Any = None) -> DmasimDescriptor | None:
        """Reserve ring slots for ``hw`` and wrap it; None when the ring is full."""
        if c.live + hw.slots > c.ring.nslots:
            c.tasklet.schedule()  # like iop-adma: let the cleanup reclaim acked slots
            return None
        c.live += hw.slots
        desc = DmasimDescriptor(c, op, flags, hw, length, result)
        if flags & DMA_PREP_INTERRUPT:
            desc.with_interrupt()
        return desc

    def device_prep_dma_memcpy(self: DmasimDevice, chan: DmaChan, dest: int, src: int,
                               length: int, flags: int) -> DmasimDescriptor | None:
        c, f, n, d, s = prep_args.memcpy_args(self, chan, DmasimChan, dest, src, length, flags)
        return self._new(c, DMA_MEMCPY, f, Memcpy(d, s, n), n)

    def device_prep_dma_xor(self: DmasimDevice, chan: DmaChan, dest: int, srcs: Sequence[int],
                            src_cnt: int, length: int, flags: int) -> DmasimDescriptor | None:
        c, f, n, d, s = prep_args.xor_args(self, chan, DmasimChan, dest, srcs, src_cnt, length,
                                           flags)  # fmt: skip
        return self._new(c, DMA_XOR, f, Xor(d, s, n), n)

    def device_prep_dma_xor_val(self: DmasimDevice, chan: DmaChan, srcs: Sequence[int],
                                src_cnt: int, length: int, result: Any,
                                flags: int) -> DmasimDescriptor | None:
        c, f, n, s = prep_args.xor_val_args(self, chan, DmasimChan, srcs, src_cnt, length,
                                            result, flags)  # fmt: skip
        return self._new(c, DMA_XOR_VAL, f, XorVal(s, n), n, result)

    def device_prep_dma_memset(self: DmasimDevice, chan: DmaChan, dest: int, value: int,
                               length: int, flags: int) -> DmasimDescriptor | None:
        c, f, n, d, v = prep_args.memset_args(self, chan, DmasimChan, dest, value, length,
                                              flags)  # fmt: skip
        return self._new(c, DMA_MEMSET, f, Fill(d, v, n), n)

    def device_prep_dma_interrupt(self: DmasimDevice, chan: DmaChan,
                                  flags: int) -> DmasimDescriptor | None:
        c, f = prep_args.interrupt_args(self, chan, DmasimChan, flags)
        # its whole purpose is the interrupt (dependency hops, async_trigger_callback)
        return self._new(c, DMA_INTERRUPT, f, Interrupt(int_en=True))
