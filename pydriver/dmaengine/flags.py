"""Descriptor control flags (``enum dma_ctrl_flags``, docs/kernel-model.md, R3).

The values are the 2.6.32 bits under every profile (docs/kernel-model.md, Conventions: a profile
changes behaviour, not values). :func:`known_ctrl_flags` says which of them the active profile
defines; the flags 2.6.32 added do not exist under 2.6.29, so a prep hook given one there refuses
it.
"""

from __future__ import annotations

import enum

from .profile import P29, P32, current_profile

__all__ = [
    "DmaCtrlFlags",
    "DMA_PREP_INTERRUPT",
    "DMA_CTRL_ACK",
    "DMA_COMPL_SKIP_SRC_UNMAP",
    "DMA_COMPL_SKIP_DEST_UNMAP",
    "DMA_COMPL_SRC_UNMAP_SINGLE",
    "DMA_COMPL_DEST_UNMAP_SINGLE",
    "DMA_PREP_PQ_DISABLE_P",
    "DMA_PREP_PQ_DISABLE_Q",
    "DMA_PREP_CONTINUE",
    "DMA_PREP_FENCE",
    "known_ctrl_flags",
]


class DmaCtrlFlags(enum.IntFlag):
    PREP_INTERRUPT = 1 << 0
    CTRL_ACK = 1 << 1
    COMPL_SKIP_SRC_UNMAP = 1 << 2
    COMPL_SKIP_DEST_UNMAP = 1 << 3
    COMPL_SRC_UNMAP_SINGLE = 1 << 4  # 2.6.32
    COMPL_DEST_UNMAP_SINGLE = 1 << 5  # 2.6.32
    PREP_PQ_DISABLE_P = 1 << 6  # 2.6.32
    PREP_PQ_DISABLE_Q = 1 << 7  # 2.6.32
    PREP_CONTINUE = 1 << 8  # 2.6.32
    PREP_FENCE = 1 << 9  # 2.6.32


DMA_PREP_INTERRUPT = DmaCtrlFlags.PREP_INTERRUPT
DMA_CTRL_ACK = DmaCtrlFlags.CTRL_ACK
DMA_COMPL_SKIP_SRC_UNMAP = DmaCtrlFlags.COMPL_SKIP_SRC_UNMAP
DMA_COMPL_SKIP_DEST_UNMAP = DmaCtrlFlags.COMPL_SKIP_DEST_UNMAP
DMA_COMPL_SRC_UNMAP_SINGLE = DmaCtrlFlags.COMPL_SRC_UNMAP_SINGLE
DMA_COMPL_DEST_UNMAP_SINGLE = DmaCtrlFlags.COMPL_DEST_UNMAP_SINGLE
DMA_PREP_PQ_DISABLE_P = DmaCtrlFlags.PREP_PQ_DISABLE_P
DMA_PREP_PQ_DISABLE_Q = DmaCtrlFlags.PREP_PQ_DISABLE_Q
DMA_PREP_CONTINUE = DmaCtrlFlags.PREP_CONTINUE
DMA_PREP_FENCE = DmaCtrlFlags.PREP_FENCE

_KNOWN = {
    P29: int(
        DMA_PREP_INTERRUPT | DMA_CTRL_ACK | DMA_COMPL_SKIP_SRC_UNMAP | DMA_COMPL_SKIP_DEST_UNMAP
    ),
    P32: (1 << 10) - 1,
}


def known_ctrl_flags(profile: str | None = None) -> int:
    """The bit mask of control flags the profile (default: the current one) defines."""
    return _KNOWN[profile or current_profile()]
