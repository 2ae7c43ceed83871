"""dmatest's byte patterns and the check that classifies every wrong byte (drivers/dma/
dmatest.c).

Source bytes have bit 7 set, destination bytes have it clear; bit 6 marks source bytes to be
copied, bit 5 destination bytes to be overwritten; the low five bits are the inverse of a
counter running with the byte's index (a constant 1 for memset). A wrong byte therefore tells
what went wrong: a changed source, a window byte not copied, a copy from the wrong place, or a
write outside the window. dmasim adds guard zones just outside each buffer, filled the same way,
so a write past either end is seen too.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "PATTERN_SRC",
    "PATTERN_DST",
    "PATTERN_COPY",
    "PATTERN_OVERWRITE",
    "PATTERN_COUNT_MASK",
    "PATTERN_MEMSET_IDX",
    "MAX_ERROR_COUNT",
    "SOURCE_OVERWRITTEN",
    "DESTINATION_MISMATCH",
    "NOT_COPIED",
    "GUARD_OVERWRITTEN",
    "Mismatch",
    "Region",
    "regions",
    "gen_inv_idx",
    "pattern_bytes",
    "init_src",
    "init_dst",
    "verify",
]

PATTERN_SRC = 0x80
PATTERN_DST = 0x00
PATTERN_COPY = 0x40
PATTERN_OVERWRITE = 0x20
PATTERN_COUNT_MASK = 0x1F
PATTERN_MEMSET_IDX = 0x01
MAX_ERROR_COUNT = 32  # wrong bytes reported per verified region; the rest are counted

SOURCE_OVERWRITTEN = "source overwritten"
DESTINATION_MISMATCH = "destination mismatch"
NOT_COPIED = "not copied"
GUARD_OVERWRITTEN = "guard overwritten"


def gen_inv_idx(index: int, is_memset: bool) -> int:
    val = PATTERN_MEMSET_IDX if is_memset else index & 0xFF
    return ~val & PATTERN_COUNT_MASK


def pattern_bytes(pattern: int, counter: int, length: int, is_memset: bool) -> bytes:
    """``pattern | gen_inv_idx(counter + i)`` for i in range(length) (period 32)."""
    if is_memset:
        return bytes([pattern | gen_inv_idx(0, True)]) * length
    period = bytes(pattern | gen_inv_idx(c, False) for c in range(32))
    start = counter % 32
    reps = (start + length) // 32 + 1
    return (period * reps)[start : start + length]


def _layout(pattern: int, mark: int, start: int, length: int, size: int, guard: int,
            is_memset: bool) -> bytes:  # fmt: skip
    """Guard, buffer (with ``mark`` set inside [start, start+length)), guard."""
    return (
        pattern_bytes(pattern, -guard, guard, is_memset)
        + pattern_bytes(pattern, 0, start, is_memset)
        + pattern_bytes(pattern | mark, start, length, is_memset)
        + pattern_bytes(pattern, start + length, size - start - length + guard, is_memset)
    )


def init_src(start: int, length: int, size: int, guard: int, is_memset: bool) -> bytes:
    """dmatest_init_srcs for one buffer, with its guard zones."""
    return _layout(PATTERN_SRC, PATTERN_COPY, start, length, size, guard, is_memset)


def init_dst(start: int, length: int, size: int, guard: int, is_memset: bool) -> bytes:
    """dmatest_init_dsts for one buffer, with its guard zones."""
    return _layout(PATTERN_DST, PATTERN_OVERWRITE, start, length, size, guard, is_memset)


@dataclass(frozen=True)
class Mismatch:
    """One wrong byte: ``offset`` is from the buffer's start (negative in the guard before)."""

    kind: str
    buffer: str  # "srcbuf", "dstbuf" ("srcbuf0", "srcbuf1", ... for several sources)
    offset: int
    expected: int
    actual: int

    def message(self, thread: str) -> str:
        """The kernel's warning line (dmatest_mismatch), guard zones included."""
        where = f"{self.buffer}[{self.offset:#x}]"
        if self.kind == SOURCE_OVERWRITTEN:
            what = "overwritten!"
        elif self.kind == NOT_COPIED:
            what = "not copied!"
        elif self.kind == GUARD_OVERWRITTEN:
            what = "was copied!" if (self.actual ^ self.expected) & PATTERN_SRC else "overwritten!"
            what = f"(guard) {what}"
        else:
            what = "mismatch!"
        return f"{thread}: {where} {what} Expected {self.expected:02x}, got {self.actual:02x}"


@dataclass(frozen=True)
class Region:
    """A stretch of a buffer and what it must hold after the test."""

    start: int  # offset from the buffer's start (negative: the guard before it)
    end: int
    counter: int
    pattern: int
    kind: str  # what a wrong byte here means, unless it is an uncopied window byte


def regions(off: int, length: int, counter: int, size: int, guard: int, outside: int,
            inside: int, outside_kind: str, inside_kind: str) -> list[Region]:  # fmt: skip
    """A buffer's stretches: guard, head, window [off, off+length) (whose counter starts at
    ``counter``), tail, guard."""
    end = off + length
    return [
        Region(-guard, 0, -guard, outside, outside_kind),
        Region(0, off, 0, outside, outside_kind),
        Region(off, end, counter, inside, inside_kind),
        Region(end, size, end, outside, outside_kind),
        Region(size, size + guard, size, outside, outside_kind),
    ]


def _classify(region: Region, expected: int, actual: int) -> str:
    diff = actual ^ expected
    if region.kind == DESTINATION_MISMATCH and diff & (PATTERN_COPY | PATTERN_OVERWRITE):
        return NOT_COPIED
    return region.kind


def verify(data: bytes, base: int, region: Region, buffer: str, is_memset: bool,
           found: list[Mismatch]) -> int:  # fmt: skip
    """Compare ``region`` of a buffer whose bytes from offset ``base`` are ``data``; append
    the first MAX_ERROR_COUNT wrong bytes to ``found``; return how many are wrong."""
    n = region.end - region.start
    got = data[region.start - base : region.end - base]
    want = pattern_bytes(region.pattern, region.counter, n, is_memset)
    if got == want:
        return 0
    errors = 0
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        if g != w:
            if errors < MAX_ERROR_COUNT:
                kind = _classify(region, w, g)
                found.append(Mismatch(kind, buffer, region.start + i, w, g))
            errors += 1
    return errors
