"""The sequence item: one descriptor for one channel."""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field

from pyuvm import uvm_sequence_item

from pydriver.drivers.dmasim.hw import Descriptor, Interrupt, Op
from tb import stimulus
from tb.dma_tb import DmaTb

OPS = ("memcpy", "xor", "xor_val", "fill", "interrupt")
OP_NAMES = {Op.MEMCPY: "memcpy", Op.XOR: "xor", Op.XOR_VAL: "xor_val", Op.FILL: "fill",
            Op.INTERRUPT: "interrupt"}


class DescItem(uvm_sequence_item):
    """One descriptor for channel `channel`.

    Random knobs (`randomize`): operation, length, XOR source count, in-place XOR, XOR_VAL
    result, source/destination byte offsets within a bus word (every source shares one), INT_EN,
    FENCE. `build`
    turns the knobs into a `Descriptor` with fresh buffers from the bench's allocator (the
    tb.stimulus builders); a directed sequence may instead set `desc` itself.

    The driver fills in `seq_no` (per channel) and `count` (slot count of the first slot).
    """

    def __init__(self, name: str = "desc_item", channel: int = 0) -> None:
        super().__init__(name)
        self.channel = channel
        self.op = "memcpy"
        self.length = 1
        self.nsrc = 0
        self.in_place: int | None = None
        self.xor_zero = True
        self.src_off: int | None = None  # source offset within a bus word (None: random)
        self.dst_off: int | None = None
        self.int_en = False
        self.fence = False
        self.batch_end = False  # the driver posts and rings the doorbell after this item
        self.desc: Descriptor | None = None
        self.seq_no = -1
        self.count = -1

    # -- randomization ------------------------------------------------------------------------

    def randomize(self, rng: random.Random, tb: DmaTb, *, max_len: int, op: str | None = None,
                  int_en_prob: float = 0.3) -> DescItem:
        """Pick every knob within the DUT's limits (CONFIG via tb.hw)."""
        db = tb.hw.data_bytes
        self.op = op or rng.choice(OPS)
        self.length = 0 if self.op == "interrupt" else stimulus.rand_length(rng, db, max_len)
        self.nsrc = rng.randint(2, tb.hw.max_xor_srcs) if self.op in ("xor", "xor_val") else 0
        self.in_place = rng.randrange(self.nsrc) if self.op == "xor" and rng.random() < 0.3 \
            else None
        self.xor_zero = rng.random() < 0.5
        self.src_off = 0 if rng.random() < 0.4 else rng.randrange(1, db)
        self.dst_off = 0 if rng.random() < 0.4 else rng.randrange(1, db)
        self.int_en = rng.random() < int_en_prob
        self.fence = rng.random() < 0.15
        return self

    def build(self, tb: DmaTb) -> Descriptor:
        """Allocate and prepare the buffers and build the descriptor (once)."""
        if self.desc is not None:
            return self.desc
        db, n, ie = tb.hw.data_bytes, self.length, self.int_en

        def buf(offset: int | None) -> int:
            return tb.alloc(n, align=db, offset=offset)

        if self.op == "memcpy":
            d: Descriptor = stimulus.memcpy(tb, n, src=buf(self.src_off), dst=buf(self.dst_off),
                                            int_en=ie, fence=self.fence)
        elif self.op == "xor":
            srcs = [buf(self.src_off) for _ in range(self.nsrc)]
            dst = None if self.in_place is not None else buf(self.dst_off)
            d = stimulus.xor(tb, self.nsrc, n, in_place=self.in_place, int_en=ie,
                             fence=self.fence, srcs=srcs, dst=dst)
        elif self.op == "xor_val":
            srcs = [buf(self.src_off) for _ in range(self.nsrc)]
            d = dataclasses.replace(stimulus.xor_val(tb, self.nsrc, n, zero=self.xor_zero,
                                                     int_en=ie, srcs=srcs), fence=self.fence)
        elif self.op == "fill":
            d = dataclasses.replace(stimulus.fill(tb, n, int_en=ie, dst=buf(self.dst_off)),
                                    fence=self.fence)
        else:
            d = Interrupt(int_en=ie, fence=self.fence)
        self.desc = d
        return d

    def set_desc(self, desc: Descriptor) -> DescItem:
        """Directed use: take a ready descriptor and derive the knobs from it."""
        raw = desc.raw()
        self.desc = desc
        self.op = OP_NAMES[Op(raw.op)]
        self.length, self.nsrc = raw.length, raw.nsrc
        self.int_en, self.fence = raw.int_en, raw.fence
        return self

    # -- views ----------------------------------------------------------------------------------

    @property
    def slots(self) -> int:
        assert self.desc is not None
        return self.desc.slots

    def dst_range(self) -> tuple[int, int] | None:
        """(address, length) of the bytes the descriptor writes, if any."""
        raw = self.desc.raw() if self.desc else None
        if raw is None or raw.op not in (Op.MEMCPY, Op.XOR, Op.FILL):
            return None
        return raw.dst, raw.length

    def src_addrs(self) -> tuple[int, ...]:
        raw = self.desc.raw() if self.desc else None
        if raw is None:
            return ()
        return {Op.MEMCPY: raw.srcs[:1], Op.XOR: raw.srcs, Op.XOR_VAL: raw.srcs}.get(
            Op(raw.op), ())

    def __str__(self) -> str:
        extra = f" nsrc={self.nsrc}" if self.nsrc else ""
        return (f"ch{self.channel}#{self.seq_no} {self.op} len={self.length}{extra}"
                f"{' INT_EN' if self.int_en else ''}{' FENCE' if self.fence else ''}"
                f" @slot {self.count}")


@dataclass
class PostedBatch:
    """Driver -> monitor, predictor: items just written into a channel's ring, slots
    [start, tail), before the doorbell that hands them to the hardware."""

    channel: int
    items: list[DescItem]
    start: int
    tail: int


@dataclass
class Expectation:
    """Predictor -> scoreboard: what one descriptor must leave behind when it completes."""

    channel: int
    seq_no: int
    count: int
    status: int
    dst: tuple[int, int] | None = None  # (address, length) written by the descriptor
    dst_bytes: bytes = b""  # its content right after this descriptor completed
    superseded: bool = False  # a later descriptor writes over it: checked in the final image


@dataclass
class Observed:
    """Monitor -> scoreboard, coverage: a descriptor the channel completed, as seen right after
    HEAD passed it."""

    item: DescItem
    head: int  # HEAD that covered it
    status: int  # status word read from the ring
    dst_bytes: bytes  # destination content when HEAD covered it
    irq_before: bool  # irq[channel] sampled just before reading that HEAD
    cycle: int
    batch: list[DescItem] = field(default_factory=list)  # everything this HEAD read completed
