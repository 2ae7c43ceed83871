"""Random and directed descriptor builders for the dma_top benches.

Each builder allocates fresh buffers from the bench's RAM (random byte offsets, guard gaps) so
descriptors of one batch never overlap, and prepares source contents where the operation needs
them (XOR_VAL sources that XOR to zero or not).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from pydriver.drivers.dmasim.hw import Descriptor, Fill, Interrupt, Memcpy, Xor, XorVal
from tb.dma_tb import DmaTb
from tb.refmodel import xor_bytes


def rand_length(rng: random.Random, db: int, max_len: int) -> int:
    """Lengths biased to the interesting ones: tiny, around bus-word and burst multiples."""
    kind = rng.random()
    if kind < 0.25:
        return rng.randint(1, min(max_len, 3 * db))
    if kind < 0.5:
        edge = db * rng.choice((1, 2, 16, 32, 64))
        return max(1, min(max_len, edge + rng.randint(-2, 2)))
    return rng.randint(1, max_len)


def memcpy(tb: DmaTb, length: int, *, src: int | None = None, dst: int | None = None,
           int_en: bool = False, fence: bool = False) -> Memcpy:
    src = tb.alloc_unaligned(length) if src is None else src
    dst = tb.alloc_unaligned(length) if dst is None else dst
    return Memcpy(dst=dst, src=src, length=length, int_en=int_en, fence=fence)


def xor(tb: DmaTb, nsrc: int, length: int, *, in_place: int | None = None,
        int_en: bool = False, fence: bool = False, srcs: Sequence[int] | None = None,
        dst: int | None = None) -> Xor:
    """`in_place=k`: the destination is source k (the same address). `srcs`/`dst`: buffers the
    caller allocated (default: fresh ones at random offsets)."""
    srcs = list(srcs) if srcs is not None else [tb.alloc_unaligned(length) for _ in range(nsrc)]
    if in_place is not None:
        dst = srcs[in_place]
    elif dst is None:
        dst = tb.alloc_unaligned(length)
    return Xor(dst=dst, srcs=tuple(srcs), length=length, int_en=int_en, fence=fence)


def xor_val(tb: DmaTb, nsrc: int, length: int, *, zero: bool, int_en: bool = False,
            srcs: Sequence[int] | None = None) -> XorVal:
    """Sources whose XOR is zero (`zero`) or differs from zero in one random byte. `srcs`:
    buffers the caller allocated (default: fresh ones at random offsets)."""
    srcs = list(srcs) if srcs is not None else [tb.alloc_unaligned(length) for _ in range(nsrc)]
    data = [tb.ram.read(s, length) for s in srcs[:-1]]
    last = bytearray(xor_bytes(data))
    if not zero:
        last[tb.rng.randrange(length)] ^= 1 << tb.rng.randrange(8)
    tb.ram.write(srcs[-1], bytes(last))
    return XorVal(srcs=tuple(srcs), length=length, int_en=int_en)


def fill(tb: DmaTb, length: int, *, value: int | None = None, int_en: bool = False,
         dst: int | None = None) -> Fill:
    value = tb.rng.randrange(256) if value is None else value
    dst = tb.alloc_unaligned(length) if dst is None else dst
    return Fill(dst=dst, value=value, length=length, int_en=int_en)


def random_mix(tb: DmaTb, n: int, max_len: int, *,
               ops: Sequence[str] = ("memcpy", "xor", "xor_val", "fill", "interrupt"),
               int_en_prob: float = 0.3) -> list[Descriptor]:
    """`n` random descriptors of the given operations, lengths up to `max_len`."""
    rng, db = tb.rng, tb.hw.data_bytes
    out: list[Descriptor] = []
    for _ in range(n):
        op = rng.choice(list(ops))
        length = rand_length(rng, db, max_len)
        ie = rng.random() < int_en_prob
        if op == "memcpy":
            out.append(memcpy(tb, length, int_en=ie))
        elif op == "xor":
            nsrc = rng.randint(2, tb.hw.max_xor_srcs)
            in_place = rng.randrange(nsrc) if rng.random() < 0.3 else None
            out.append(xor(tb, nsrc, length, in_place=in_place, int_en=ie))
        elif op == "xor_val":
            nsrc = rng.randint(2, tb.hw.max_xor_srcs)
            out.append(xor_val(tb, nsrc, length, zero=rng.random() < 0.5, int_en=ie))
        elif op == "fill":
            out.append(fill(tb, length, int_en=ie))
        else:
            out.append(Interrupt(int_en=ie))
    return out
