"""Reproducible page contents."""

from __future__ import annotations

import random

from pydriver.memory import Page, SystemMemory

LEN = 256
"""Bytes per operation in the async_tx tests."""


def pattern(seed: int, length: int = LEN) -> bytes:
    return random.Random(seed).randbytes(length)


def filled(mem: SystemMemory, *seeds: int, offset: int = 0, length: int = LEN) -> list[Page]:
    """One page per seed, holding ``pattern(seed)`` at ``offset``."""
    pages = []
    for seed in seeds:
        page = mem.alloc_page()
        page.write(offset, pattern(seed, length))
        pages.append(page)
    return pages


def xor_bytes(*blocks: bytes) -> bytes:
    acc = 0
    for b in blocks:
        acc ^= int.from_bytes(b, "little")
    return acc.to_bytes(len(blocks[0]), "little")


def snapshot(mem: SystemMemory) -> bytes:
    """All of memory, to show that a refused call changed nothing."""
    return bytes(mem.storage)
