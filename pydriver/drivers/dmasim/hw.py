"""dma_top descriptors: encoding, decoding and status words (docs/descriptor.md).

The one codec: the provider driver, the reference model and every bench use it, so it imports
no simulator code. `RawDescriptor` is the field-level view and takes any value, which is what the
error tests need; `Memcpy`, `Xor`, `XorVal`, `Fill` and `Interrupt` build well-formed ones.
"""

from __future__ import annotations

import struct
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

# The format's constants are generated from rtl/dma_desc.toml (scripts/gen_desc.py); this
# module re-exports them with the codec built on them.
from .desc_format import (
    CMPL_RECORD_BYTES,
    COUNT_BITS,
    COUNT_MOD,
    CTRL_DEFINED,
    CTRL_FENCE_MASK,
    CTRL_FILL_VAL_MASK,
    CTRL_FILL_VAL_SHIFT,
    CTRL_INT_EN_MASK,
    CTRL_NSRC_MASK,
    CTRL_NSRC_SHIFT,
    CTRL_OP_MASK,
    CTRL_RESERVED_MASK,
    LEN_MASK,
    MAX_LEN,
    MAX_LOG2_SLOTS,
    SLOT_BYTES,
    SLOT_CTRL,
    SLOT_DST,
    SLOT_LEN,
    SLOT_SRC0,
    SLOT_SRC1,
    SRCS_FIRST_SLOT,
    SRCS_PER_EXT_SLOT,
    STATUS_CODE_MASK,
    STATUS_CODE_SHIFT,
    STATUS_DONE_MASK,
    STATUS_ERROR_MASK,
    STATUS_XOR_NONZERO_MASK,
    ErrCode,
    Op,
    Resp,
)

__all__ = [
    "CMPL_RECORD_BYTES", "COUNT_BITS", "COUNT_MOD", "CTRL_DEFINED", "CTRL_FENCE_MASK",
    "CTRL_FILL_VAL_MASK", "CTRL_FILL_VAL_SHIFT", "CTRL_INT_EN_MASK", "CTRL_NSRC_MASK",
    "CTRL_NSRC_SHIFT", "CTRL_OP_MASK", "CTRL_RESERVED_MASK", "LEN_MASK", "MAX_LEN",
    "MAX_LOG2_SLOTS", "SLOT_BYTES", "SRCS_FIRST_SLOT", "SRCS_PER_EXT_SLOT", "STATUS_CODE_MASK",
    "STATUS_CODE_SHIFT", "STATUS_DONE_MASK", "STATUS_ERROR_MASK", "STATUS_XOR_NONZERO_MASK",
    "ErrCode", "Op", "Resp", "ext_slots", "status_ok", "status_error", "Status",
    "CompletionRecord", "RawDescriptor", "Memcpy", "Xor", "XorVal", "Fill", "Interrupt",
    "Descriptor",
]

# The first slot as struct fields: CTRL, LEN (32 bits), DST, SRC0, SRC1 (64 bits), in the
# order and at the offsets the format defines.
FIRST_SLOT = "<IIQQQ"
assert [SLOT_CTRL, SLOT_LEN, SLOT_DST, SLOT_SRC0, SLOT_SRC1] == \
    [(0, 4), (4, 4), (8, 8), (16, 8), (24, 8)] and struct.calcsize(FIRST_SLOT) == SLOT_BYTES
EXT_SLOT = f"<{SRCS_PER_EXT_SLOT}Q"


def ext_slots(op: int, nsrc: int) -> int:
    """Extension slots following an XOR/XOR_VAL descriptor with `nsrc` sources."""
    if op not in (Op.XOR, Op.XOR_VAL) or nsrc <= SRCS_FIRST_SLOT:
        return 0
    return -(-(nsrc - SRCS_FIRST_SLOT) // SRCS_PER_EXT_SLOT)


def status_ok(xor_nonzero: bool = False) -> int:
    return STATUS_DONE_MASK | (STATUS_XOR_NONZERO_MASK if xor_nonzero else 0)


def status_error(code: int) -> int:
    return STATUS_DONE_MASK | STATUS_ERROR_MASK | ((code << STATUS_CODE_SHIFT) & STATUS_CODE_MASK)


@dataclass(frozen=True)
class Status:
    """A decoded status word."""

    raw: int

    @property
    def done(self) -> bool:
        return bool(self.raw & STATUS_DONE_MASK)

    @property
    def error(self) -> bool:
        return bool(self.raw & STATUS_ERROR_MASK)

    @property
    def code(self) -> int:
        return (self.raw & STATUS_CODE_MASK) >> STATUS_CODE_SHIFT

    @property
    def xor_nonzero(self) -> bool:
        return bool(self.raw & STATUS_XOR_NONZERO_MASK)

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
        return struct.pack("<II", (self.head % COUNT_MOD) | (self.reserved << COUNT_BITS),
                           self.status)

    @classmethod
    def decode(cls, data: bytes) -> CompletionRecord:
        lo, status = struct.unpack("<II", bytes(data[:CMPL_RECORD_BYTES]))
        return cls(head=lo % COUNT_MOD, status=status, reserved=lo >> COUNT_BITS)


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
        word = (self.op & CTRL_OP_MASK) | ((self.nsrc << CTRL_NSRC_SHIFT) & CTRL_NSRC_MASK)
        word |= (self.fill_val << CTRL_FILL_VAL_SHIFT) & CTRL_FILL_VAL_MASK
        word |= (CTRL_INT_EN_MASK if self.int_en else 0) | (CTRL_FENCE_MASK if self.fence else 0)
        return word | self.ctrl_reserved

    @property
    def slots(self) -> int:
        """Ring slots the descriptor occupies (as the hardware counts them from OP/NSRC)."""
        return 1 + ext_slots(self.op, self.nsrc)

    def encode(self) -> bytes:
        n_ext = self.slots - 1
        capacity = SRCS_FIRST_SLOT + SRCS_PER_EXT_SLOT * n_ext
        if len(self.srcs) > capacity:
            raise ValueError(f"{len(self.srcs)} source addresses do not fit {self.slots} slots")
        srcs = list(self.srcs) + [0] * (capacity - len(self.srcs))
        out = struct.pack(FIRST_SLOT, self.ctrl, self.length & 0xFFFFFFFF,
                          self.dst, srcs[0], srcs[1])
        for k in range(n_ext):
            first = SRCS_FIRST_SLOT + SRCS_PER_EXT_SLOT * k
            out += struct.pack(EXT_SLOT, *srcs[first:first + SRCS_PER_EXT_SLOT])
        return out

    @classmethod
    def decode(cls, first: bytes, ext: bytes = b"") -> RawDescriptor:
        """Decode the first slot and (for NSRC > 2) the extension slots that follow it."""
        ctrl, length, dst, s0, s1 = struct.unpack(FIRST_SLOT, bytes(first[:SLOT_BYTES]))
        srcs = [s0, s1]
        for k in range(len(ext) // SLOT_BYTES):
            srcs += struct.unpack(EXT_SLOT, bytes(ext[k * SLOT_BYTES:(k + 1) * SLOT_BYTES]))
        return cls(op=ctrl & CTRL_OP_MASK, length=length, dst=dst, srcs=tuple(srcs),
                   nsrc=(ctrl & CTRL_NSRC_MASK) >> CTRL_NSRC_SHIFT,
                   fill_val=(ctrl & CTRL_FILL_VAL_MASK) >> CTRL_FILL_VAL_SHIFT,
                   int_en=bool(ctrl & CTRL_INT_EN_MASK), fence=bool(ctrl & CTRL_FENCE_MASK),
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
