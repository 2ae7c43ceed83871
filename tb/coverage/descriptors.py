"""Covergroup `dma.desc`: what the completed descriptors were.

- `op_channel_length_align`: operation x channel x length class x source alignment x
  destination alignment (`-` where the operation has no such buffer or length);
- `xor_sources`: XOR and XOR_VAL x source count 2..MAX_XOR_SRCS;
- `xor_in_place`: an XOR whose destination is one of its sources, or not;
- `xor_val_result`: XOR_VAL finding a zero and a non-zero XOR;
- `flags`: INT_EN x FENCE x completion record (CTRL.CMPL_WB_EN).
"""

from __future__ import annotations

from dataclasses import dataclass

from cocotb_coverage.coverage import CoverCross, CoverPoint, coverage_section

from pydriver.drivers.dmasim.hw import STATUS_XOR_NONZERO_MASK, Op, RawDescriptor
from tb.coverage import space
from tb.coverage.goal import AT_LEAST

G = "dma.desc"


@dataclass(frozen=True)
class DescSample:
    op: str
    channel: int
    length: str
    src_align: str
    dst_align: str
    nsrc: int
    in_place: str | None  # XOR only
    xor_val_result: str | None  # XOR_VAL only
    int_en: str
    fence: str
    cmpl_wb: str


def classify(channel: int, raw: RawDescriptor, status: int, cmpl_wb: bool,
             data_bytes: int) -> DescSample:
    op = space.op_name(raw.op)
    srcs = raw.srcs[:1] if raw.op == Op.MEMCPY else \
        raw.srcs[:raw.nsrc] if op in space.XOR_OPS else ()
    dsts = (raw.dst,) if op in space.HAS_DESTINATION else ()
    return DescSample(
        op=op, channel=channel,
        length=space.NONE if raw.op == Op.INTERRUPT else space.length_class(raw.length,
                                                                             data_bytes),
        src_align=space.alignment(srcs, data_bytes),
        dst_align=space.alignment(dsts, data_bytes),
        nsrc=raw.nsrc if op in space.XOR_OPS else 0,
        in_place=("in_place" if raw.dst in srcs else "separate") if raw.op == Op.XOR else None,
        xor_val_result=("nonzero" if status & STATUS_XOR_NONZERO_MASK else "zero")
        if raw.op == Op.XOR_VAL else None,
        int_en=space.on_off(raw.int_en), fence=space.on_off(raw.fence),
        cmpl_wb=space.on_off(cmpl_wb))


_ALL_LENGTHS = (*space.LENGTHS, space.NONE)
_ALL_ALIGNS = (*space.ALIGNS, space.NONE)


def _impossible() -> list[tuple]:
    """Cross bins no descriptor can produce: a buffer or length the operation does not have,
    or none where it has one (None: any value)."""
    out: list[tuple] = []
    for op in space.OPS:
        allowed = ((space.NONE,) if op == "interrupt" else space.LENGTHS,
                   space.ALIGNS if op in space.HAS_SOURCES else (space.NONE,),
                   space.ALIGNS if op in space.HAS_DESTINATION else (space.NONE,))
        for dim, (domain, ok) in enumerate(zip((_ALL_LENGTHS, _ALL_ALIGNS, _ALL_ALIGNS),
                                               allowed, strict=True)):
            for v in domain:
                if v not in ok:
                    out.append((op, None, *(v if d == dim else None for d in range(3))))
    return out


_section = coverage_section(
    CoverPoint(f"{G}.op", xf=lambda s: s.op, bins=list(space.OPS), at_least=AT_LEAST),
    CoverPoint(f"{G}.channel", xf=lambda s: s.channel, bins=list(space.CHANNELS),
               at_least=AT_LEAST),
    CoverPoint(f"{G}.length", xf=lambda s: s.length, bins=list(_ALL_LENGTHS),
               at_least=AT_LEAST),
    CoverPoint(f"{G}.src_align", xf=lambda s: s.src_align, bins=list(_ALL_ALIGNS),
               at_least=AT_LEAST),
    CoverPoint(f"{G}.dst_align", xf=lambda s: s.dst_align, bins=list(_ALL_ALIGNS),
               at_least=AT_LEAST),
    CoverCross(f"{G}.op_channel_length_align",
               items=[f"{G}.op", f"{G}.channel", f"{G}.length", f"{G}.src_align",
                      f"{G}.dst_align"],
               ign_bins=_impossible(), at_least=AT_LEAST),
    CoverPoint(f"{G}.xor_op", xf=lambda s: s.op, bins=list(space.XOR_OPS), at_least=AT_LEAST),
    CoverPoint(f"{G}.nsrc", xf=lambda s: s.nsrc, bins=list(space.NSRCS), at_least=AT_LEAST),
    CoverCross(f"{G}.xor_sources", items=[f"{G}.xor_op", f"{G}.nsrc"], at_least=AT_LEAST),
    CoverPoint(f"{G}.xor_in_place", xf=lambda s: s.in_place, bins=["in_place", "separate"],
               at_least=AT_LEAST),
    CoverPoint(f"{G}.xor_val_result", xf=lambda s: s.xor_val_result, bins=["zero", "nonzero"],
               at_least=AT_LEAST),
    CoverPoint(f"{G}.int_en", xf=lambda s: s.int_en, bins=list(space.ON_OFF),
               at_least=AT_LEAST),
    CoverPoint(f"{G}.fence", xf=lambda s: s.fence, bins=list(space.ON_OFF), at_least=AT_LEAST),
    CoverPoint(f"{G}.cmpl_wb", xf=lambda s: s.cmpl_wb, bins=list(space.ON_OFF),
               at_least=AT_LEAST),
    CoverCross(f"{G}.flags", items=[f"{G}.int_en", f"{G}.fence", f"{G}.cmpl_wb"],
               at_least=AT_LEAST),
)


@_section
def sample(s: DescSample) -> None:
    """One completed descriptor."""
