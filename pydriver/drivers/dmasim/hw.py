"""dma_top descriptors: encoding, decoding and status words (docs/descriptor.md).

Shared by the cocotb benches, the reference model and the provider driver, so it imports no
simulator code. `RawDescriptor` is the field-level view and takes any value, which is what the
error tests need; `Memcpy`, `Xor`, `XorVal`, `Fill` and `Interrupt` build well-formed ones.
"""

from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import IntEnum

SLOT_BYTES = 32
SRCS_PER_EXT_SLOT = 4
MAX_LEN = (1 << 24) - 1
COUNT_MOD = 1 << 16  # HEAD and TAIL are free-running 16-bit slot counts
MAX_LOG2_SLOTS = 15
CMPL_RECORD_BYTES = 8


class Op(IntEnum):
    MEMCPY = 1
    XOR = 2
    XOR_VAL = 3
    FILL = 4
    INTERRUPT = 5


class ErrCode(IntEnum):
    NONE = 0x00
    BAD_OPCODE = 0x01
    BAD_LENGTH = 0x02
    BAD_NSRC = 0x03
    RESERVED = 0x04
    WINDOW = 0x05
    TAIL_OVERFLOW = 0x06
    DESC_READ = 0x10
    DATA_READ = 0x11
    DATA_WRITE = 0x12
    STATUS_WRITE = 0x13
    ABORTED = 0x20


class Resp(IntEnum):
    """AXI response codes, as ERR_CODE.RESP reports them."""

    OKAY = 0
    EXOKAY = 1
    SLVERR = 2
    DECERR = 3


# CTRL word of the first slot.
CTRL_OP_MASK = 0x0000000F
CTRL_INT_EN = 1 << 4
CTRL_FENCE = 1 << 5
CTRL_NSRC_SHIFT = 8
CTRL_NSRC_MASK = 0x1F << CTRL_NSRC_SHIFT
CTRL_FILL_SHIFT = 16
CTRL_FILL_MASK = 0xFF << CTRL_FILL_SHIFT
CTRL_DEFINED = CTRL_OP_MASK | CTRL_INT_EN | CTRL_FENCE | CTRL_NSRC_MASK | CTRL_FILL_MASK
CTRL_RESERVED_MASK = 0xFFFFFFFF & ~CTRL_DEFINED
LEN_MASK = 0x00FFFFFF

# Status word written back over CTRL.
STATUS_DONE = 1 << 31
STATUS_ERROR = 1 << 30
STATUS_CODE_SHIFT = 8
STATUS_CODE_MASK = 0xFF << STATUS_CODE_SHIFT
STATUS_XOR_NONZERO = 1 << 0  # SUM_CHECK_P_RESULT


def ext_slots(op: int, nsrc: int) -> int:
    """Extension slots following an XOR/XOR_VAL descriptor with `nsrc` sources."""
    if op not in (Op.XOR, Op.XOR_VAL) or nsrc <= 2:
        return 0
    return -(-(nsrc - 2) // SRCS_PER_EXT_SLOT)


def status_ok(xor_nonzero: bool = False) -> int:
    return STATUS_DONE | (STATUS_XOR_NONZERO if xor_nonzero else 0)


def status_error(code: int) -> int:
    return STATUS_DONE | STATUS_ERROR | ((code & 0xFF) << STATUS_CODE_SHIFT)


@dataclass(frozen=True)
class Status:
    """A decoded status word."""

    raw: int

    @property
    def done(self) -> bool:
        return bool(self.raw & STATUS_DONE)

    @property
    def error(self) -> bool:
        return bool(self.raw & STATUS_ERROR)

    @property
    def code(self) -> int:
        return (self.raw & STATUS_CODE_MASK) >> STATUS_CODE_SHIFT

    @property
    def xor_nonzero(self) -> bool:
        return bool(self.raw & STATUS_XOR_NONZERO)

    def __str__(self) -> str:
        if not self.done:
            return f"not done (0x{self.raw:08x})"
        if self.error:
            try:
                name = ErrCode(self.code).name
            except ValueError:
                name = f"0x{self.code:02x}"
            return f"error {name} (0x{self.raw:08x})"
        return f"done{' xor!=0' if self.xor_nonzero else ''} (0x{self.raw:08x})"


@dataclass(frozen=True)
class CompletionRecord:
    """The 8-byte record written at CMPL_ADDR: new HEAD, bits [31:16] zero, the status word."""

    head: int
    status: int
    reserved: int = 0  # bits [31:16] of the low word; must be 0

    def encode(self) -> bytes:
        return struct.pack("<II", (self.head & 0xFFFF) | (self.reserved << 16), self.status)

    @classmethod
    def decode(cls, data: bytes) -> CompletionRecord:
        lo, status = struct.unpack("<II", bytes(data[:CMPL_RECORD_BYTES]))
        return cls(head=lo & 0xFFFF, status=status, reserved=lo >> 16)


@dataclass(frozen=True)
class RawDescriptor:
    """Every field of a descriptor, unchecked. `srcs[2:]` go into the extension slots."""

    op: int
    length: int = 0  # the whole LEN word, bits 31:24 included
    dst: int = 0
    srcs: tuple[int, ...] = ()
    nsrc: int = 0
    fill_val: int = 0
    int_en: bool = False
    fence: bool = False
    ctrl_reserved: int = 0  # extra CTRL bits, for reserved-bit tests

    @property
    def ctrl(self) -> int:
        word = (self.op & CTRL_OP_MASK) | ((self.nsrc & 0x1F) << CTRL_NSRC_SHIFT)
        word |= (self.fill_val & 0xFF) << CTRL_FILL_SHIFT
        word |= (CTRL_INT_EN if self.int_en else 0) | (CTRL_FENCE if self.fence else 0)
        return word | self.ctrl_reserved

    @property
    def slots(self) -> int:
        """Ring slots the descriptor occupies (as the hardware counts them from OP/NSRC)."""
        return 1 + ext_slots(self.op, self.nsrc)

    def encode(self) -> bytes:
        n_ext = self.slots - 1
        capacity = 2 + SRCS_PER_EXT_SLOT * n_ext
        if len(self.srcs) > capacity:
            raise ValueError(f"{len(self.srcs)} source addresses do not fit {self.slots} slots")
        srcs = list(self.srcs) + [0] * (capacity - len(self.srcs))
        out = struct.pack("<IIQQQ", self.ctrl, self.length & 0xFFFFFFFF,
                          self.dst, srcs[0], srcs[1])
        for k in range(n_ext):
            out += struct.pack("<4Q", *srcs[2 + 4 * k: 6 + 4 * k])
        return out

    @classmethod
    def decode(cls, first: bytes, ext: bytes = b"") -> RawDescriptor:
        """Decode the first slot and (for NSRC > 2) the extension slots that follow it."""
        ctrl, length, dst, s0, s1 = struct.unpack("<IIQQQ", bytes(first[:SLOT_BYTES]))
        srcs = [s0, s1]
        for k in range(len(ext) // SLOT_BYTES):
            srcs += struct.unpack("<4Q", bytes(ext[k * SLOT_BYTES:(k + 1) * SLOT_BYTES]))
        return cls(op=ctrl & CTRL_OP_MASK, length=length, dst=dst, srcs=tuple(srcs),
                   nsrc=(ctrl & CTRL_NSRC_MASK) >> CTRL_NSRC_SHIFT,
                   fill_val=(ctrl & CTRL_FILL_MASK) >> CTRL_FILL_SHIFT,
                   int_en=bool(ctrl & CTRL_INT_EN), fence=bool(ctrl & CTRL_FENCE),
                   ctrl_reserved=ctrl & CTRL_RESERVED_MASK)

    def raw(self) -> RawDescriptor:
        return self


@dataclass(frozen=True)
class _Flags(ABC):
    """A well-formed descriptor: builds its `RawDescriptor` from the operation's fields."""

    int_en: bool = field(default=False, kw_only=True)
    fence: bool = field(default=False, kw_only=True)

    @abstractmethod
    def raw(self) -> RawDescriptor:
        """Every field of the descriptor."""

    def encode(self) -> bytes:
        return self.raw().encode()

    @property
    def slots(self) -> int:
        return self.raw().slots


@dataclass(frozen=True)
class Memcpy(_Flags):
    dst: int
    src: int
    length: int

    def raw(self) -> RawDescriptor:
        return RawDescriptor(Op.MEMCPY, self.length, self.dst, (self.src,),
                             int_en=self.int_en, fence=self.fence)


@dataclass(frozen=True)
class Xor(_Flags):
    dst: int
    srcs: tuple[int, ...]
    length: int

    def raw(self) -> RawDescriptor:
        return RawDescriptor(Op.XOR, self.length, self.dst, tuple(self.srcs), len(self.srcs),
                             int_en=self.int_en, fence=self.fence)


@dataclass(frozen=True)
class XorVal(_Flags):
    srcs: tuple[int, ...]
    length: int

    def raw(self) -> RawDescriptor:
        return RawDescriptor(Op.XOR_VAL, self.length, 0, tuple(self.srcs), len(self.srcs),
                             int_en=self.int_en, fence=self.fence)


@dataclass(frozen=True)
class Fill(_Flags):
    dst: int
    value: int
    length: int

    def raw(self) -> RawDescriptor:
        return RawDescriptor(Op.FILL, self.length, self.dst, fill_val=self.value,
                             int_en=self.int_en, fence=self.fence)


@dataclass(frozen=True)
class Interrupt(_Flags):
    def raw(self) -> RawDescriptor:
        return RawDescriptor(Op.INTERRUPT, int_en=self.int_en, fence=self.fence)


Descriptor = RawDescriptor | Memcpy | Xor | XorVal | Fill | Interrupt
