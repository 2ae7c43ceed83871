"""The CPU routines the synchronous path uses (memcpy, memset, xor_blocks, page_is_zero).

They work on Page contents directly, like the kernel's page_address() + offset arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydriver.memory import Page

MAX_XOR_BLOCKS = 4
"""xor_blocks() folds at most this many sources into dest per pass (docs/kernel-model.md, R48)."""


def _as_int(data: bytes) -> int:
    return int.from_bytes(data, "little")


def cpu_memcpy(dest: Page, dest_offset: int, src: Page, src_offset: int, length: int) -> None:
    dest.write(dest_offset, src.read(src_offset, length))


def cpu_memset(dest: Page, offset: int, value: int, length: int) -> None:
    dest.write(offset, bytes([value & 0xFF]) * length)


def xor_blocks(dest: Page, offset: int, length: int, srcs: Sequence[Page]) -> None:
    """dest ^= srcs[0] ^ ... (one pass of at most MAX_XOR_BLOCKS sources).

    The destination is always an implicit source (R46).  The kernel's xor templates work
    element by element, reading every operand before writing the element, so a source that *is*
    the destination contributes its value from before this pass.
    """
    acc = _as_int(dest.read(offset, length))
    for src in srcs:
        acc ^= _as_int(src.read(offset, length))
    dest.write(offset, acc.to_bytes(length, "little"))


def cpu_xor(dest: Page, offset: int, length: int, srcs: Sequence[Page]) -> None:
    """do_sync_xor's loop: xor_blocks in groups of MAX_XOR_BLOCKS sources (R48)."""
    for first in range(0, len(srcs), MAX_XOR_BLOCKS):
        xor_blocks(dest, offset, length, srcs[first : first + MAX_XOR_BLOCKS])


def page_is_zero(page: Page, offset: int, length: int) -> bool:
    """True if the range reads as all zero bytes (R52).

    The kernel tests the first 32-bit word and then compares the buffer with itself shifted by
    four bytes, which for len >= 4 is the same as "all zero"; for len < 4 it would read past the
    range, so dmasim simply tests the bytes that are there.
    """
    return not any(page.read(offset, length))
