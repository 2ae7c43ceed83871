"""async_tx submission flags and their per-profile validity (docs/kernel-model.md, R33).

The Python values are fixed (docs/kernel-model.md, Conventions: the same under every profile); what
a profile changes is which of them exist.  2.6.29 has ASYNC_TX_DEP_ACK and no ASYNC_TX_FENCE; 2.6.32
has ASYNC_TX_FENCE and no ASYNC_TX_DEP_ACK.  A flag the running profile does not have is treated as
an unknown flag.
"""

from __future__ import annotations

from pydriver.dmaengine.profile import P29, P32
from pydriver.errors import DmaTypeError, DmaValueError

ASYNC_TX_XOR_ZERO_DST = 1 << 0
"""async_xor: the destination is not a source; the CPU path clears it first (R46)."""

ASYNC_TX_XOR_DROP_DST = 1 << 1
"""async_xor: src_list[0] is the destination; the CPU path drops it as implicit (R46)."""

ASYNC_TX_ACK = 1 << 2
"""Ack the new descriptor right after submission: nothing may depend on it later (R33)."""

ASYNC_TX_FENCE = 1 << 3
"""2.6.32 only: the next operation consumes this result; becomes DMA_PREP_FENCE (R33)."""

ASYNC_TX_DEP_ACK = 1 << 4
"""2.6.29 only: ack the dependency once the new operation is attached to it (R33)."""

_COMMON = ASYNC_TX_XOR_ZERO_DST | ASYNC_TX_XOR_DROP_DST | ASYNC_TX_ACK
PROFILE_FLAGS: dict[str, int] = {
    P29: _COMMON | ASYNC_TX_DEP_ACK,
    P32: _COMMON | ASYNC_TX_FENCE,
}

_NAMES = {
    ASYNC_TX_XOR_ZERO_DST: "ASYNC_TX_XOR_ZERO_DST",
    ASYNC_TX_XOR_DROP_DST: "ASYNC_TX_XOR_DROP_DST",
    ASYNC_TX_ACK: "ASYNC_TX_ACK",
    ASYNC_TX_FENCE: "ASYNC_TX_FENCE",
    ASYNC_TX_DEP_ACK: "ASYNC_TX_DEP_ACK",
}


def check_flags(flags: object, profile: str, op: str) -> int:
    """Return ``flags`` if every bit exists under ``profile``; raise DmaValueError otherwise."""
    if isinstance(flags, bool) or not isinstance(flags, int):
        raise DmaTypeError(f"{op}: flags must be an int, not {type(flags).__name__}")
    allowed = PROFILE_FLAGS[profile]
    bad = flags & ~allowed if flags >= 0 else flags
    if bad:
        known = [name for bit, name in _NAMES.items() if bad & bit]
        what = ", ".join(known) if known else hex(bad)
        raise DmaValueError(
            f"{op}: unknown async_tx flags under profile {profile}: {what}",
            rule="known-flags",
        )
    return flags
