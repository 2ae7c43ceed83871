"""Byte-level backdoor access to axi_mem_model's `mem` array through the simulator.

The benches load sources and descriptors and check destinations without a bus cycle: each
DATA_WIDTH word is one simulator handle (`dut.u_mem.mem[i]`), byte address `a` lives in word
`a // data_bytes`, lane `a % data_bytes` (little-endian), as in tb/hdl/axi_mem_model.v. Writes are
`Immediate` (applied at once, readable back at once), so partial-word read-modify-writes are
exact; use this only while the DMA is idle.
"""

from __future__ import annotations

from typing import Any

from cocotb.handle import Immediate


class BackdoorMem:
    """`read`/`write` bytes at bus addresses of the Verilog memory model."""

    def __init__(self, mem_array: Any, data_bytes: int, size: int) -> None:
        self._mem = mem_array
        self.data_bytes = data_bytes
        self.size = size

    def _check(self, addr: int, length: int) -> None:
        if addr < 0 or length < 0 or addr + length > self.size:
            raise ValueError(f"backdoor access [{addr:#x}, {addr + length:#x}) outside the "
                             f"{self.size:#x}-byte memory")

    def _get(self, index: int) -> int:
        value = self._mem[index].value
        return int(value) if value.is_resolvable else 0

    def _put(self, index: int, word: int) -> None:
        self._mem[index].value = Immediate(word)

    def write(self, addr: int, data: bytes) -> None:
        self._check(addr, len(data))
        db = self.data_bytes
        first, last = addr // db, (addr + len(data) - 1) // db
        for index in range(first, last + 1):
            lo = max(addr, index * db)
            hi = min(addr + len(data), (index + 1) * db)
            chunk = data[lo - addr: hi - addr]
            if hi - lo == db:
                self._put(index, int.from_bytes(chunk, "little"))
            else:  # partial word: keep the other lanes
                word = bytearray(self._get(index).to_bytes(db, "little"))
                word[lo - index * db: hi - index * db] = chunk
                self._put(index, int.from_bytes(word, "little"))

    def read(self, addr: int, length: int) -> bytes:
        self._check(addr, length)
        if length == 0:
            return b""
        db = self.data_bytes
        first, last = addr // db, (addr + length - 1) // db
        raw = b"".join(self._get(i).to_bytes(db, "little") for i in range(first, last + 1))
        start = addr - first * db
        return raw[start: start + length]

    def write32(self, addr: int, value: int) -> None:
        self.write(addr, (value & 0xFFFFFFFF).to_bytes(4, "little"))

    def read32(self, addr: int) -> int:
        return int.from_bytes(self.read(addr, 4), "little")
