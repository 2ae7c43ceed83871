"""Ring arithmetic of dma_top's descriptor rings (docs/descriptor.md, "Why a ring").

HEAD and TAIL are free-running slot counts modulo 2^16; a ring holds 2^LOG2_SLOTS slots of
32 bytes, at most 2^15, so ``TAIL - HEAD`` (mod 2^16) is always the number of slots
outstanding. This is the one implementation of that arithmetic: the provider driver, the
reference model and every bench use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .hw import COUNT_MOD, MAX_LOG2_SLOTS, SLOT_BYTES

__all__ = ["RingLayout", "count_add", "count_distance"]


def count_add(count: int, n: int) -> int:
    """The slot count ``n`` slots after ``count`` (mod 2^16)."""
    return (count + n) % COUNT_MOD


def count_distance(start: int, end: int) -> int:
    """Slots from count ``start`` up to count ``end`` (mod 2^16): outstanding slots when
    ``start`` is HEAD and ``end`` is TAIL."""
    return (end - start) % COUNT_MOD


@dataclass(frozen=True)
class RingLayout:
    """Where a channel's ring lives: its base bus address and size (RING_BASE, RING_SIZE)."""

    base: int
    log2_slots: int

    def __post_init__(self) -> None:
        if self.base % SLOT_BYTES:
            raise ValueError(f"ring base 0x{self.base:x} is not {SLOT_BYTES}-byte aligned")
        if not 1 <= self.log2_slots <= MAX_LOG2_SLOTS:
            raise ValueError(f"ring size 2^{self.log2_slots} out of 1..{MAX_LOG2_SLOTS}")

    @property
    def nslots(self) -> int:
        return 1 << self.log2_slots

    @property
    def nbytes(self) -> int:
        return self.nslots * SLOT_BYTES

    def slot_addr(self, count: int) -> int:
        """Bus address of the slot that slot count ``count`` (as HEAD/TAIL count) names."""
        return self.base + (count % self.nslots) * SLOT_BYTES

    def outstanding(self, head: int, tail: int) -> int:
        """Slots written and not yet retired between ``head`` and ``tail``."""
        return count_distance(head, tail)

    def free(self, head: int, tail: int) -> int:
        """Slots software may still write at ``tail`` without overrunning ``head``."""
        return self.nslots - self.outstanding(head, tail)

    def slot_addrs(self, count: int, slots: int) -> list[int]:
        """The addresses of ``slots`` consecutive slots from ``count`` (wrapping the ring)."""
        return [self.slot_addr(count + k) for k in range(slots)]

    def store(self, write: Callable[[int, bytes], Any], count: int, data: bytes) -> int:
        """Write ``data`` (whole slots: a descriptor and its extension slots) from slot count
        ``count`` on, wrapping at the ring's end; returns the count after it."""
        slots, rest = divmod(len(data), SLOT_BYTES)
        if rest:
            raise ValueError(f"{len(data)} bytes are not whole {SLOT_BYTES}-byte slots")
        for k, addr in enumerate(self.slot_addrs(count, slots)):
            write(addr, bytes(data[k * SLOT_BYTES:(k + 1) * SLOT_BYTES]))
        return count_add(count, slots)

    def load(self, read: Callable[[int, int], bytes], count: int, slots: int) -> bytes:
        """``slots`` slots from slot count ``count`` on (wrapping), as one byte string."""
        return b"".join(bytes(read(addr, SLOT_BYTES)) for addr in self.slot_addrs(count, slots))
