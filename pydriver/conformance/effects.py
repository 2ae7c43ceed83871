"""What a descriptor asks the engine to do, read from the prep hook's arguments, and whether
memory shows it done.

The checker knows nothing about a provider's descriptor format: it keeps the arguments each
prep hook was called with (bus ranges read and written, fill value, xor_val result holder) and,
when the descriptor is reported complete, compares memory with what those arguments demand.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..dmaengine import SUM_CHECK_P_RESULT
from ..memory import SystemMemory

__all__ = ["Effect", "effect_of", "overlaps", "checkable", "data_problem", "snapshot"]

Range = tuple[int, int]  # (bus address, length)


@dataclass
class Effect:
    op: str
    writes: list[Range] = field(default_factory=list)
    reads: list[Range] = field(default_factory=list)
    value: int | None = None  # memset fill byte
    result: Any = None  # xor_val's SumCheck holder


def _memcpy(chan: Any, dest: int, src: int, length: int, flags: int) -> Effect:
    return Effect("memcpy", [(dest, length)], [(src, length)])


def _xor(
    chan: Any, dest: int, srcs: Sequence[int], src_cnt: int, length: int, flags: int
) -> Effect:
    return Effect("xor", [(dest, length)], [(s, length) for s in srcs])


def _xor_val(
    chan: Any, srcs: Sequence[int], src_cnt: int, length: int, result: Any, flags: int
) -> Effect:
    return Effect("xor_val", [], [(s, length) for s in srcs], result=result)


def _memset(chan: Any, dest: int, value: int, length: int, flags: int) -> Effect:
    return Effect("memset", [(dest, length)], value=value)


def _interrupt(chan: Any, flags: int) -> Effect:
    return Effect("interrupt")


_BY_HOOK: dict[str, Callable[..., Effect]] = {
    "device_prep_dma_memcpy": _memcpy,
    "device_prep_dma_xor": _xor,
    "device_prep_dma_xor_val": _xor_val,
    "device_prep_dma_memset": _memset,
    "device_prep_dma_interrupt": _interrupt,
}


def effect_of(hook: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Effect:
    """The effect of a successful ``hook(*args, **kwargs)``; an opaque one when the hook or its
    arguments are not understood (then nothing is checked against memory)."""
    fn = _BY_HOOK.get(hook)
    op = hook.removeprefix("device_prep_dma_")
    if fn is None:
        return Effect(op)
    try:
        eff = fn(*args, **kwargs)
        ranges = [(int(a), int(n)) for a, n in (*eff.writes, *eff.reads)]
    except (TypeError, ValueError):
        return Effect(op)
    if any(n <= 0 for _, n in ranges):
        return Effect(op)
    return eff


def overlaps(a: Sequence[Range], b: Sequence[Range]) -> bool:
    return any(x < y + m and y < x + n for x, n in a for y, m in b)


def _xor_of(mem: SystemMemory, ranges: Sequence[Range]) -> int:
    acc = 0
    for addr, n in ranges:
        acc ^= int.from_bytes(mem.read(addr, n), "little")
    return acc


def _first_diff(got: bytes, want: bytes) -> str:
    i = next(i for i, (g, w) in enumerate(zip(got, want, strict=True)) if g != w)
    bad = sum(g != w for g, w in zip(got, want, strict=True))
    return f"byte +{i} is {got[i]:#04x}, not {want[i]:#04x} ({bad} of {len(want)} bytes wrong)"


def checkable(eff: Effect) -> bool:
    """Whether memory can tell if ``eff`` happened: not an in-place operation (whose inputs
    it overwrote), and something to look at."""
    if eff.op == "xor_val":
        return bool(eff.reads) and hasattr(eff.result, "value")
    if eff.op not in ("memcpy", "xor", "memset") or not eff.writes:
        return False
    return not overlaps(eff.writes, eff.reads)


def data_problem(mem: SystemMemory, eff: Effect) -> str | None:
    """None when memory holds ``eff``'s result, else what is wrong (``eff`` must be
    :func:`checkable`)."""
    if eff.op == "xor_val":
        want = 0 if _xor_of(mem, eff.reads) == 0 else SUM_CHECK_P_RESULT
        got = eff.result.value
        if bool(got) != bool(want):
            return f"the xor_val result is {got}, not {want}"
        return None
    dest, n = eff.writes[0]
    got = mem.read(dest, n)
    if eff.op == "memcpy":
        want = mem.read(eff.reads[0][0], n)
    elif eff.op == "memset":
        want = bytes([eff.value or 0]) * n
    else:
        want = _xor_of(mem, eff.reads).to_bytes(n, "little")
    if got == want:
        return None
    return f"destination {dest:#x} does not hold the {eff.op} result yet: {_first_diff(got, want)}"


def snapshot(mem: SystemMemory, eff: Effect) -> Any:
    """What ``eff`` would change, as it is now (to tell later whether it started)."""
    if eff.op == "xor_val":
        return getattr(eff.result, "value", None)
    return tuple(mem.read(a, n) for a, n in eff.writes)
