"""Covergroup `dma.ring`: descriptors at the ring's end.

- `wrap`: operation x where the descriptor sits at the end of the ring: its last slot is the
  ring's last one (HEAD wraps to slot 0 after it), or its extension slots continue at slot 0
  (XOR and XOR_VAL with more than two sources).
"""

from __future__ import annotations

from cocotb_coverage.coverage import CoverCross, CoverPoint, coverage_section

from tb.coverage import space
from tb.coverage.goal import AT_LEAST

G = "dma.ring"
POSITIONS = ("ends_at_ring_end", "ext_across_ring_end")


def position(count: int, slots: int, nslots: int) -> str | None:
    """Where a descriptor of `slots` slots starting at slot count `count` sits (None: inside)."""
    end = count % nslots + slots
    if end > nslots:
        return "ext_across_ring_end"
    return "ends_at_ring_end" if end == nslots else None


_section = coverage_section(
    CoverPoint(f"{G}.op", xf=lambda op, pos: op, bins=list(space.OPS), at_least=AT_LEAST),
    CoverPoint(f"{G}.position", xf=lambda op, pos: pos, bins=list(POSITIONS),
               at_least=AT_LEAST),
    CoverCross(f"{G}.wrap", items=[f"{G}.op", f"{G}.position"],
               ign_bins=[(op, "ext_across_ring_end") for op in space.OPS
                         if op not in space.XOR_OPS],
               at_least=AT_LEAST),
)


@_section
def sample(op: str, pos: str | None) -> None:
    """A completed descriptor's position in its ring."""
