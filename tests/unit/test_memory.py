"""SystemMemory and Page (pydriver.memory)."""

from __future__ import annotations

import pytest

from pydriver.errors import DmaError
from pydriver.memory import PAGE_SIZE, Page, SystemMemory


def test_pages_are_zeroed_aligned_and_never_at_address_zero() -> None:
    mem = SystemMemory(8 * PAGE_SIZE)
    mem.storage[PAGE_SIZE : 2 * PAGE_SIZE] = b"\xff" * PAGE_SIZE  # stale data
    p = mem.alloc_page()
    assert p.addr == PAGE_SIZE and p.size == PAGE_SIZE == 4096
    assert p.read() == bytes(PAGE_SIZE)
    assert all(q.addr % PAGE_SIZE == 0 and q.addr != 0 for q in mem.alloc_pages(3))


def test_alloc_pages_is_contiguous_and_runs_out() -> None:
    mem = SystemMemory(8 * PAGE_SIZE)
    pages = mem.alloc_pages(4)
    assert [p.addr for p in pages] == [PAGE_SIZE * i for i in range(1, 5)]
    assert mem.free_pages == 3
    with pytest.raises(DmaError, match="no 4 contiguous free pages") as e:
        mem.alloc_pages(4)
    assert e.value.errno == 12  # ENOMEM
    mem.free_page(pages[1])
    assert mem.alloc_page().addr == pages[1].addr  # the lowest free page first
    with pytest.raises(ValueError):
        mem.alloc_pages(0)


def test_page_io_and_bounds() -> None:
    mem = SystemMemory(4 * PAGE_SIZE)
    p = mem.alloc_page()
    p.write(10, b"abc")
    assert p.read(10, 3) == b"abc" and mem.read(p.addr + 10, 3) == b"abc"
    p.fill(0x11, 100, 4)
    assert p.read(99, 6) == b"\x00" + b"\x11" * 4 + b"\x00"
    for bad in (lambda: p.write(PAGE_SIZE - 2, b"abc"), lambda: p.read(-1, 2),
                lambda: p.read(0, PAGE_SIZE + 1), lambda: p.fill(256)):  # fmt: skip
        with pytest.raises(ValueError):
            bad()
    with pytest.raises(TypeError):
        p.write(0, "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        p.read("0", 1)  # type: ignore[arg-type]
    assert p.read(PAGE_SIZE - 2, 2) == bytes(2)  # nothing was written by the failed calls


def test_storage_is_shared_with_bus_access() -> None:
    mem = SystemMemory(4 * PAGE_SIZE)
    p = mem.alloc_page()
    mem.storage[p.addr : p.addr + 4] = b"\x01\x02\x03\x04"  # e.g. the simulated RAM writing
    assert p.read(0, 4) == b"\x01\x02\x03\x04"
    mem.write(p.addr + 4, b"\x05")
    assert bytes(mem.storage[p.addr + 4 : p.addr + 5]) == b"\x05"
    assert mem.contains(p.addr, PAGE_SIZE) and not mem.contains(mem.size - 1, 2)
    with pytest.raises(ValueError, match="outside memory"):
        mem.read(mem.size - 1, 2)


def test_constructor_and_free_checks() -> None:
    with pytest.raises(ValueError):
        SystemMemory(PAGE_SIZE)  # page 0 is reserved: need at least two pages
    with pytest.raises(ValueError):
        SystemMemory(3 * PAGE_SIZE + 1)
    with pytest.raises(TypeError):
        SystemMemory(2.0 * PAGE_SIZE)  # type: ignore[arg-type]
    mem, other = SystemMemory(4 * PAGE_SIZE), SystemMemory(4 * PAGE_SIZE)
    p = mem.alloc_page()
    with pytest.raises(ValueError, match="does not belong"):
        other.free_page(p)
    mem.free_page(p)
    with pytest.raises(ValueError, match="not allocated"):
        mem.free_page(p)
    with pytest.raises(ValueError):
        mem.free_page(Page(mem, 0))
    assert repr(p) == f"Page(addr={p.addr:#x}, size=4096)"
