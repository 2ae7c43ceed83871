"""Argument checks every provider's hooks share (CONTRACT-level rule: bad input gets a
``DmaError`` naming the problem, and nothing changes).

Used by the software provider (``pydriver.soft``) and by the dma_top driver, so both answer
the same misuse with the same message. A device passed in needs ``mem`` (its DMA memory),
``max_len``, ``max_xor`` and the 2.6.32 alignment shifts of ``DmaDevice``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..dmaengine import DmaChan, DmaDevice, known_ctrl_flags
from ..errors import DmaError, DmaTypeError, DmaValueError
from ..runtime import Context, get_runtime

__all__ = [
    "check_int",
    "own_chan",
    "usable_chan",
    "ctrl_flags",
    "op_length",
    "bus_addr",
    "xor_srcs",
    "fill_value",
    "sum_check",
    "in_bottom_half",
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


def fill_value(value: object, op: str) -> int:
    v = check_int("value", value)
    if not 0 <= v <= 0xFF:
        raise DmaValueError(f"{op}: fill value {v} is not a byte", rule="fill-value")
    return v


def sum_check(result: object, op: str) -> Any:
    if not hasattr(result, "value"):
        raise DmaTypeError(f"{op}: result must be a holder with .value (SumCheck)")
    return result


def in_bottom_half(fn: Callable[..., Any], *args: Any) -> Any:
    """Run a cleanup outside its tasklet as iop-adma and mv_xor do (tx_status polling, channel
    release): with bottom halves disabled, so callbacks still see a tasklet-like context."""
    rt = get_runtime()
    if rt.current_context() is Context.TASKLET:
        return fn(*args)
    with rt.in_context(Context.TASKLET):
        return fn(*args)
