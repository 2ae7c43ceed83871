"""Sequences: random mixed descriptors per channel, all channels at once, and a directed
async_tx-like dependency chain."""

from __future__ import annotations

import random

import cocotb
from pyuvm import uvm_sequence

from pydriver.drivers.dmasim.hw import Interrupt, Memcpy, Xor, XorVal
from tb.dma_tb import DmaTb
from tb.refmodel import xor_bytes
from tb.uvm.item import OPS, DescItem


class RandomMixSeq(uvm_sequence):
    """`n` random descriptors for one channel, in bursts of 1..`max_burst` items (each burst ends
    with `batch_end`, so the driver posts it and rings the doorbell). The first len(OPS) items
    are a random permutation of every operation (so short runs still cover each one), the rest
    are drawn at random."""

    def __init__(self, name: str, tb: DmaTb, channel: int, n: int, max_len: int,
                 max_burst: int = 4) -> None:
        super().__init__(name)
        self.tb, self.channel, self.n, self.max_len = tb, channel, n, max_len
        self.max_burst = max_burst
        self.rng = random.Random(f"{tb.seed}:{tb.name}:{name}:{channel}")
        self.items: list[DescItem] = []

    async def body(self) -> None:
        ops = list(OPS)
        self.rng.shuffle(ops)
        left_in_burst = self.rng.randint(1, self.max_burst)
        for k in range(self.n):
            item = DescItem(f"ch{self.channel}_d{k}", self.channel)
            await self.start_item(item)
            item.randomize(self.rng, self.tb, max_len=self.max_len,
                           op=ops[k] if k < len(ops) else None)
            left_in_burst -= 1
            item.batch_end = left_in_burst == 0 or k == self.n - 1
            if left_in_burst == 0:
                left_in_burst = self.rng.randint(1, self.max_burst)
            await self.finish_item(item)
            self.items.append(item)


class AllChannelsVirtualSeq(uvm_sequence):
    """Virtual sequence: a RandomMixSeq on every channel's sequencer, all running at once."""

    def __init__(self, name: str, tb: DmaTb, seqrs, n: int, max_len: int) -> None:
        super().__init__(name)
        self.tb, self.seqrs, self.n, self.max_len = tb, seqrs, n, max_len
        self.seqs: list[RandomMixSeq] = []

    async def body(self) -> None:
        self.seqs = [RandomMixSeq("random_mix", self.tb, k, self.n, self.max_len)
                     for k in range(len(self.seqrs))]
        tasks = [cocotb.start_soon(seq.start(seqr))
                 for seq, seqr in zip(self.seqs, self.seqrs, strict=True)]
        for t in tasks:
            await t


class AsyncTxChainSeq(uvm_sequence):
    """The dependency chains Linux's async_tx builds for RAID, `rounds` times on one channel:

        1. MEMCPY  A -> S0                     (new data into an XOR source)
        2. XOR     S0..Sn-1 -> Sk, in place    FENCE (reads what 1 wrote)
        3. XOR     S0..Sn-1 -> P               FENCE (parity of the updated stripe)
        4. XOR_VAL S0..Sn-1, P                 FENCE (must be zero: parity check)
        5. MEMCPY  P -> C                      FENCE
        6. INTERRUPT with INT_EN               FENCE (the callback hop)

    Independently of the reference model it computes what C must hold (`expect`) and which
    XOR_VAL items must report zero (`zero_checks`); the test checks both."""

    def __init__(self, name: str, tb: DmaTb, channel: int, rounds: int, length: int) -> None:
        super().__init__(name)
        self.tb, self.channel, self.rounds, self.length = tb, channel, rounds, length
        self.rng = random.Random(f"{tb.seed}:{tb.name}:{name}:{channel}")
        self.expect: list[tuple[int, bytes]] = []  # (address of C, its content)
        self.zero_checks: list[DescItem] = []

    async def send(self, desc, *, last: bool = False) -> DescItem:
        item = DescItem(f"ch{self.channel}_chain", self.channel)
        await self.start_item(item)
        item.set_desc(desc)
        item.batch_end = last
        await self.finish_item(item)
        return item

    async def body(self) -> None:
        tb, n = self.tb, self.length
        nsrc = min(4, tb.hw.max_xor_srcs - 1)
        for _ in range(self.rounds):
            a = tb.alloc_unaligned(n)
            srcs = tuple(tb.alloc_unaligned(n) for _ in range(nsrc))
            k = self.rng.randrange(nsrc)
            p, c = tb.alloc_unaligned(n), tb.alloc_unaligned(n)
            data = [tb.ram.read(s, n) for s in srcs]
            data[0] = tb.ram.read(a, n)
            data[k] = xor_bytes(data)
            self.expect.append((c, xor_bytes(data)))
            await self.send(Memcpy(dst=srcs[0], src=a, length=n))
            await self.send(Xor(dst=srcs[k], srcs=srcs, length=n, fence=True))
            await self.send(Xor(dst=p, srcs=srcs, length=n, fence=True))
            self.zero_checks.append(await self.send(XorVal(srcs=(*srcs, p), length=n,
                                                           fence=True)))
            await self.send(Memcpy(dst=c, src=p, length=n, fence=True))
            await self.send(Interrupt(int_en=True, fence=True), last=True)
