"""DMA-visible system memory and page allocation.

``SystemMemory.storage`` is a plain ``bytearray``; the test bench hands the same object to the
simulated RAM (cocotbext-axi's ``AxiRam(..., mem=storage)``), so what the hardware writes the
driver reads at once and vice versa. Bus addresses are offsets into that storage. Page 0 is
never handed out, so bus address 0 can serve as "no address" (like a NULL dma_addr_t).
"""

from __future__ import annotations

from .errors import OutOfMemoryError

__all__ = ["PAGE_SIZE", "Page", "SystemMemory"]

PAGE_SIZE = 4096


def _check_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    return value


class Page:
    """One page of DMA-visible memory (``struct page`` plus its bus address)."""

    __slots__ = ("mem", "addr", "size")

    def __init__(self, mem: SystemMemory, addr: int, size: int = PAGE_SIZE) -> None:
        self.mem = mem
        self.addr = addr
        self.size = size

    def _range(self, offset: int, length: int) -> None:
        _check_int("offset", offset)
        _check_int("length", length)
        if offset < 0 or length < 0 or offset + length > self.size:
            raise ValueError(
                f"page access [{offset}, {offset + length}) is outside the page (size {self.size})"
            )

    def read(self, offset: int = 0, length: int | None = None) -> bytes:
        """Bytes ``[offset, offset+length)`` of the page (default: to the end of the page)."""
        if length is None:
            length = self.size - _check_int("offset", offset)
        self._range(offset, length)
        return self.mem.read(self.addr + offset, length)

    def write(self, offset: int, data: bytes | bytearray | memoryview) -> None:
        """Store ``data`` at ``offset``; nothing is written if it does not fit."""
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data must be bytes-like, got {type(data).__name__}")
        self._range(offset, len(data))
        self.mem.write(self.addr + offset, data)

    def fill(self, value: int, offset: int = 0, length: int | None = None) -> None:
        """Set ``length`` bytes from ``offset`` to ``value`` (0..255)."""
        _check_int("value", value)
        if not 0 <= value <= 0xFF:
            raise ValueError(f"fill value {value} is not a byte")
        if length is None:
            length = self.size - _check_int("offset", offset)
        self._range(offset, length)
        self.mem.write(self.addr + offset, bytes([value]) * length)

    def __repr__(self) -> str:
        return f"Page(addr={self.addr:#x}, size={self.size})"


class SystemMemory:
    """Flat DMA memory of ``size`` bytes with a simple page allocator."""

    def __init__(self, size: int) -> None:
        _check_int("size", size)
        if size < 2 * PAGE_SIZE or size % PAGE_SIZE:
            raise ValueError(f"memory size {size} must be a multiple of {PAGE_SIZE}, >= 2 pages")
        self.size = size
        self.storage = bytearray(size)
        # page 0 stays reserved so that bus address 0 never names real memory
        self._free = list(range(size // PAGE_SIZE - 1, 0, -1))  # pop() gives the lowest

    # -- raw bus access (what the DMA engine and the test bench use) --
    def _check(self, addr: int, length: int) -> None:
        _check_int("addr", addr)
        _check_int("length", length)
        if addr < 0 or length < 0 or addr + length > self.size:
            raise ValueError(
                f"bus access [{addr:#x}, {addr + length:#x}) is outside memory "
                f"(size {self.size:#x})"
            )

    def contains(self, addr: int, length: int) -> bool:
        """True when ``[addr, addr+length)`` lies inside this memory."""
        return addr >= 0 and length >= 0 and addr + length <= self.size

    def read(self, addr: int, length: int) -> bytes:
        self._check(addr, length)
        return bytes(self.storage[addr : addr + length])

    def write(self, addr: int, data: bytes | bytearray | memoryview) -> None:
        self._check(addr, len(data))
        self.storage[addr : addr + len(data)] = data

    def copy(self) -> SystemMemory:
        """An independent memory with the same contents and the same free pages: the same
        allocations then give the same addresses (to run one workload twice and compare)."""
        other = SystemMemory(self.size)
        other.storage[:] = self.storage
        other._free = list(self._free)
        return other

    # -- page allocation --
    @property
    def free_pages(self) -> int:
        return len(self._free)

    def alloc_page(self) -> Page:
        """One zeroed page."""
        return self.alloc_pages(1)[0]

    def alloc_pages(self, n: int) -> list[Page]:
        """``n`` zeroed pages at consecutive bus addresses (one contiguous block)."""
        _check_int("n", n)
        if n < 1:
            raise ValueError(f"cannot allocate {n} pages")
        free = sorted(self._free)
        for i in range(len(free) - n + 1):
            if free[i + n - 1] - free[i] == n - 1:
                block = free[i : i + n]
                break
        else:
            raise OutOfMemoryError(f"no {n} contiguous free pages left")
        taken = set(block)
        self._free = [p for p in self._free if p not in taken]
        pages = []
        for pfn in block:
            addr = pfn * PAGE_SIZE
            self.storage[addr : addr + PAGE_SIZE] = bytes(PAGE_SIZE)
            pages.append(Page(self, addr))
        return pages

    def free_page(self, page: Page) -> None:
        """Return ``page`` to the allocator."""
        if not isinstance(page, Page) or page.mem is not self:
            raise ValueError("page does not belong to this memory")
        pfn = page.addr // PAGE_SIZE
        if pfn == 0 or pfn in self._free:
            raise ValueError(f"page {page.addr:#x} is not allocated")
        self._free.append(pfn)
        self._free.sort(reverse=True)
