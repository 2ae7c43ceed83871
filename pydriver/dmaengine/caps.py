"""Transaction types and ``dma_cap_mask_t`` (docs/kernel-model.md, R1, R2, R4).

The Python values of the DMA_* names are the same under every profile (docs/kernel-model.md,
Conventions); what a profile changes is which types exist and their order in the kernel's enum,
because the channel table is filled in that order with one counter running across it (R15).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator

from ..errors import DmaTypeError, DmaValueError
from .profile import P29, P32, current_profile

__all__ = [
    "DmaTxType",
    "DMA_MEMCPY",
    "DMA_XOR",
    "DMA_PQ",
    "DMA_XOR_VAL",
    "DMA_ZERO_SUM",
    "DMA_PQ_VAL",
    "DMA_MEMSET",
    "DMA_INTERRUPT",
    "DMA_PRIVATE",
    "DMA_ASYNC_TX",
    "DMA_SLAVE",
    "DMA_PQ_XOR",
    "DMA_DUAL_XOR",
    "DMA_PQ_UPDATE",
    "DMA_PQ_ZERO_SUM",
    "DMA_MEMCPY_CRC32C",
    "KERNEL_ENUM_ORDER",
    "dma_cap_mask_t",
    "dma_cap_zero",
    "dma_cap_set",
    "dma_cap_clear",
    "dma_has_cap",
    "for_each_dma_cap_mask",
    "dma_device_satisfies_mask",
    "check_tx_type",
    "check_mask",
]


class DmaTxType(enum.IntEnum):
    """``enum dma_transaction_type`` (union of the 2.6.29 and 2.6.32 members)."""

    MEMCPY = 0
    XOR = 1
    PQ = 2  # 2.6.32
    XOR_VAL = 3  # 2.6.29 calls it ZERO_SUM
    PQ_VAL = 4  # 2.6.32
    MEMSET = 5
    INTERRUPT = 6
    PRIVATE = 7
    ASYNC_TX = 8  # 2.6.32; set by the core, never by drivers (R26)
    SLAVE = 9
    PQ_XOR = 10  # 2.6.29 only
    DUAL_XOR = 11  # 2.6.29 only
    PQ_UPDATE = 12  # 2.6.29 only
    PQ_ZERO_SUM = 13  # 2.6.29 only
    MEMCPY_CRC32C = 14  # 2.6.29 only

    def __str__(self) -> str:
        return f"DMA_{self.name}"


DMA_MEMCPY = DmaTxType.MEMCPY
DMA_XOR = DmaTxType.XOR
DMA_PQ = DmaTxType.PQ
DMA_XOR_VAL = DmaTxType.XOR_VAL
DMA_ZERO_SUM = DmaTxType.XOR_VAL
DMA_PQ_VAL = DmaTxType.PQ_VAL
DMA_MEMSET = DmaTxType.MEMSET
DMA_INTERRUPT = DmaTxType.INTERRUPT
DMA_PRIVATE = DmaTxType.PRIVATE
DMA_ASYNC_TX = DmaTxType.ASYNC_TX
DMA_SLAVE = DmaTxType.SLAVE
DMA_PQ_XOR = DmaTxType.PQ_XOR
DMA_DUAL_XOR = DmaTxType.DUAL_XOR
DMA_PQ_UPDATE = DmaTxType.PQ_UPDATE
DMA_PQ_ZERO_SUM = DmaTxType.PQ_ZERO_SUM
DMA_MEMCPY_CRC32C = DmaTxType.MEMCPY_CRC32C

T = DmaTxType
# R1: the kernel's enum order per profile (bit index = position in the tuple)
KERNEL_ENUM_ORDER: dict[str, tuple[DmaTxType, ...]] = {
    P29: (
        T.MEMCPY, T.XOR, T.PQ_XOR, T.DUAL_XOR, T.PQ_UPDATE, T.XOR_VAL, T.PQ_ZERO_SUM,
        T.MEMSET, T.MEMCPY_CRC32C, T.INTERRUPT, T.PRIVATE, T.SLAVE,
    ),
    P32: (
        T.MEMCPY, T.XOR, T.PQ, T.XOR_VAL, T.PQ_VAL, T.MEMSET, T.INTERRUPT, T.PRIVATE,
        T.ASYNC_TX, T.SLAVE,
    ),
}  # fmt: skip
del T


def check_tx_type(t: object, what: str = "transaction type") -> DmaTxType:
    """``t`` as a DmaTxType; DmaTypeError/DmaValueError otherwise."""
    if isinstance(t, DmaTxType):
        return t
    if isinstance(t, int) and not isinstance(t, bool):
        try:
            return DmaTxType(t)
        except ValueError:
            raise DmaValueError(f"{t} is not a DMA transaction type", rule="tx-type") from None
    raise DmaTypeError(
        f"{what} must be a DmaTxType (DMA_*), got {type(t).__name__}", rule="tx-type"
    )


def check_mask(m: object) -> dma_cap_mask_t:
    """``m`` if it is a dma_cap_mask_t; DmaTypeError otherwise."""
    if not isinstance(m, dma_cap_mask_t):
        raise DmaTypeError(
            f"capability mask must be a dma_cap_mask_t, got {type(m).__name__}",
            rule="mask-type",
        )
    return m


class dma_cap_mask_t:  # noqa: N801 - the kernel's type name
    """A bitmap of transaction types. Compare with ``==``; copy with :meth:`copy`."""

    __slots__ = ("bits",)

    def __init__(self, *types: DmaTxType) -> None:
        self.bits = 0
        for t in types:
            self.bits |= 1 << check_tx_type(t)

    def copy(self) -> dma_cap_mask_t:
        m = dma_cap_mask_t()
        m.bits = self.bits
        return m

    def __contains__(self, t: object) -> bool:
        return bool(self.bits >> check_tx_type(t) & 1)

    def __iter__(self) -> Iterator[DmaTxType]:
        return for_each_dma_cap_mask(self)

    def __len__(self) -> int:
        return bin(self.bits).count("1")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, dma_cap_mask_t) and other.bits == self.bits

    def __hash__(self) -> int:
        return hash(self.bits)

    def __repr__(self) -> str:
        names = ", ".join(str(t) for t in sorted(DmaTxType) if self.bits >> t & 1)
        return f"dma_cap_mask_t({names})"


def dma_cap_zero(m: dma_cap_mask_t) -> None:
    check_mask(m).bits = 0


def dma_cap_set(t: DmaTxType, m: dma_cap_mask_t) -> None:
    bit = check_tx_type(t)
    check_mask(m).bits |= 1 << bit


def dma_cap_clear(t: DmaTxType, m: dma_cap_mask_t) -> None:
    # R2: a 2.6.30 helper; offered under both profiles (a pure helper, no behaviour)
    bit = check_tx_type(t)
    check_mask(m).bits &= ~(1 << bit)


def dma_has_cap(t: DmaTxType, m: dma_cap_mask_t) -> bool:
    bit = check_tx_type(t)
    return bool(check_mask(m).bits >> bit & 1)


def for_each_dma_cap_mask(m: dma_cap_mask_t, profile: str | None = None) -> Iterator[DmaTxType]:
    """The types in ``m`` in the kernel's bit order for ``profile`` (default: the current one).

    Types the profile lacks come last, in Python value order.
    """
    check_mask(m)
    order = KERNEL_ENUM_ORDER[profile or current_profile()]
    bits = m.bits
    for t in order:
        if bits >> t & 1:
            yield t
    for t in sorted(DmaTxType):
        if t not in order and bits >> t & 1:
            yield t


def dma_device_satisfies_mask(cap_mask: dma_cap_mask_t, want: dma_cap_mask_t) -> bool:
    """Item 2: the device's capabilities must be a superset of ``want``."""
    return check_mask(want).bits & check_mask(cap_mask).bits == want.bits
