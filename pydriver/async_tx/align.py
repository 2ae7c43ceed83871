"""2.6.32's engine alignment test (docs/kernel-model.md, R42, R43, R47, commit 83544ae9f39).

A device states its alignment need as a shift count (``copy_align``, ``xor_align``,
``fill_align``; 0 = none).  A misaligned operation is not an error: async_tx quietly takes the
CPU path instead.  2.6.29 has no such test.
"""

from __future__ import annotations


def dma_aligned(align: int | None, off1: int, off2: int, length: int) -> bool:
    """True if ``off1``, ``off2`` and ``length`` are all multiples of ``1 << align``."""
    if not align:
        return True
    mask = (1 << align) - 1
    return not (mask & (off1 | off2 | length))


def is_dma_copy_aligned(device: object, off1: int, off2: int, length: int) -> bool:
    return dma_aligned(getattr(device, "copy_align", 0), off1, off2, length)


def is_dma_xor_aligned(device: object, off1: int, off2: int, length: int) -> bool:
    return dma_aligned(getattr(device, "xor_align", 0), off1, off2, length)


def is_dma_fill_aligned(device: object, off1: int, off2: int, length: int) -> bool:
    return dma_aligned(getattr(device, "fill_align", 0), off1, off2, length)
