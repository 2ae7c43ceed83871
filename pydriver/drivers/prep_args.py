"""Argument checks every provider's hooks share (docs/kernel-model.md, "Bad input": a bad
argument gets a ``DmaError`` naming the problem, and nothing changes).

Used by the software provider (``pydriver.soft``) and by the dma_top driver, so both answer
the same misuse with the same message, and check in the same order. A device passed in needs
``mem`` (its DMA memory), ``max_len``, ``max_xor`` and the 2.6.32 alignment shifts of
``DmaDevice``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from ..dmaengine import DmaChan, DmaDevice, known_ctrl_flags
from ..errors import DmaError, DmaTypeError, DmaValueError

__all__ = [
    "check_int",
    "own_chan",
    "usable_chan",
    "ctrl_flags",
    "op_length",
    "bus_addr",
    "xor_srcs",
    "memcpy_args",
    "xor_args",
    "xor_val_args",
    "memset_args",
    "interrupt_args",
]

C = TypeVar("C", bound=DmaChan)


def check_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DmaTypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


def own_chan(dev: DmaDevice, chan: object, chan_type: type[C]) -> C:
    """``chan`` must be one of ``dev``'s channels."""
    if not isinstance(chan, chan_type) or chan.device is not dev:
        raise DmaError(f"{chan!r} is not a channel of this device (foreign channel)",
                       rule="chan-foreign")  # fmt: skip
    return chan


def usable_chan(dev: DmaDevice, chan: object, chan_type: type[C], op: str) -> C:
    """``chan`` must be ``dev``'s, with resources allocated and a client reference."""
    c = own_chan(dev, chan, chan_type)
    if not getattr(c, "resources", False) or c.client_count == 0:
        raise DmaError(f"{op}: {c.name} holds no reference (released channel)",
                       rule="chan-referenced")  # fmt: skip
    return c


def ctrl_flags(flags: object, op: str) -> int:
    f = check_int("flags", flags)
    unknown = f & ~known_ctrl_flags()
    if f < 0 or unknown:
        raise DmaValueError(f"{op}: unknown control flags {unknown:#x}", rule="ctrl-flags")
    return f


def op_length(dev: Any, length: object, op: str, align: int) -> int:
    """A transfer length: > 0, within ``dev.max_len``, ``2**align``-byte aligned."""
    n = check_int("length", length)
    if n <= 0:
        raise DmaValueError(f"{op}: length {n} must be > 0", rule="length")
    if n > dev.max_len:
        raise DmaValueError(f"{op}: length {n} exceeds the hardware limit {dev.max_len}",
                            rule="length")  # fmt: skip
    if n & ((1 << align) - 1):
        raise DmaValueError(f"{op}: length {n} is not {1 << align}-byte aligned",
                            rule="alignment")  # fmt: skip
    return n


def bus_addr(dev: Any, name: str, addr: object, length: int, op: str, align: int) -> int:
    """A bus address whose ``length`` bytes lie in ``dev.mem`` (and not at address 0)."""
    a = check_int(name, addr)
    if not dev.mem.contains(a, length) or a == 0:
        raise DmaValueError(f"{op}: {name} [{a:#x}, +{length}) is outside DMA memory",
                            rule="address")  # fmt: skip
    if a & ((1 << align) - 1):
        raise DmaValueError(f"{op}: {name} {a:#x} is not {1 << align}-byte aligned",
                            rule="alignment")  # fmt: skip
    return a


def xor_srcs(dev: Any, srcs: object, src_cnt: object, length: int, op: str) -> tuple[int, ...]:
    """2 .. ``dev.max_xor`` source addresses, ``src_cnt`` of them."""
    n = check_int("src_cnt", src_cnt)
    if not isinstance(srcs, Sequence) or isinstance(srcs, (str, bytes)):
        raise DmaTypeError(f"{op}: srcs must be a sequence of bus addresses")
    if len(srcs) != n:
        raise DmaValueError(f"{op}: src_cnt {n} but {len(srcs)} sources given",
                            rule="src-count")  # fmt: skip
    if n < 2:
        raise DmaValueError(f"{op}: needs at least two sources, got {n}", rule="src-count")
    if n > dev.max_xor:
        raise DmaValueError(f"{op}: {n} sources exceed max_xor {dev.max_xor}",
                            rule="src-count")  # fmt: skip
    return tuple(bus_addr(dev, f"srcs[{i}]", s, length, op, dev.xor_align)
                 for i, s in enumerate(srcs))  # fmt: skip


# One function per prep hook: every check the hook makes, in the order it makes them, before
# anything changes. Each returns the channel and the checked values.

def _common(dev: Any, chan: object, chan_type: type[C], length: object, flags: object, op: str,
            align: int) -> tuple[C, int, int]:
    """Channel, flags and length: what every data-moving hook checks first."""
    c = usable_chan(dev, chan, chan_type, op)
    f = ctrl_flags(flags, op)
    return c, f, op_length(dev, length, op, align)


def memcpy_args(dev: Any, chan: object, chan_type: type[C], dest: object, src: object,
                length: object, flags: object) -> tuple[C, int, int, int, int]:
    op, align = "prep_dma_memcpy", dev.copy_align
    c, f, n = _common(dev, chan, chan_type, length, flags, op, align)
    d = bus_addr(dev, "dest", dest, n, op, align)
    return c, f, n, d, bus_addr(dev, "src", src, n, op, align)


def xor_args(dev: Any, chan: object, chan_type: type[C], dest: object, srcs: object,
             src_cnt: object, length: object,
             flags: object) -> tuple[C, int, int, int, tuple[int, ...]]:
    op = "prep_dma_xor"
    c, f, n = _common(dev, chan, chan_type, length, flags, op, dev.xor_align)
    d = bus_addr(dev, "dest", dest, n, op, dev.xor_align)
    # dest may be one of the sources (in-place XOR, which chained async_xor needs)
    return c, f, n, d, xor_srcs(dev, srcs, src_cnt, n, op)


def xor_val_args(dev: Any, chan: object, chan_type: type[C], srcs: object, src_cnt: object,
                 length: object, result: object,
                 flags: object) -> tuple[C, int, int, tuple[int, ...]]:
    op = "prep_dma_xor_val"
    c, f, n = _common(dev, chan, chan_type, length, flags, op, dev.xor_align)
    s = xor_srcs(dev, srcs, src_cnt, n, op)
    if not hasattr(result, "value"):
        raise DmaTypeError(f"{op}: result must be a holder with .value (SumCheck)")
    return c, f, n, s


def memset_args(dev: Any, chan: object, chan_type: type[C], dest: object, value: object,
                length: object, flags: object) -> tuple[C, int, int, int, int]:
    op = "prep_dma_memset"
    c, f, n = _common(dev, chan, chan_type, length, flags, op, dev.fill_align)
    d = bus_addr(dev, "dest", dest, n, op, dev.fill_align)
    v = check_int("value", value)
    if not 0 <= v <= 0xFF:
        raise DmaValueError(f"{op}: fill value {v} is not a byte", rule="fill-value")
    return c, f, n, d, v


def interrupt_args(dev: Any, chan: object, chan_type: type[C],
                   flags: object) -> tuple[C, int]:
    op = "prep_dma_interrupt"
    return usable_chan(dev, chan, chan_type, op), ctrl_flags(flags, op)
