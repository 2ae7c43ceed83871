"""Covergroup `dma.bus`: the shared AXI master under load.

- `stalled_op`: each AXI channel (AW, W, B, AR, R) stalled by the memory x each operation that
  completed meanwhile; `stall_profile`: one channel stalled, or all five at once;
- `channels_active`: how many channels had bursts on the bus within one window
  (ACTIVE_WINDOW_CYCLES) - 1, 2, 3-4 or 5-8 at once.
"""

from __future__ import annotations

from cocotb_coverage.coverage import CoverCross, CoverPoint, coverage_section

from tb.coverage import space
from tb.coverage.goal import AT_LEAST

G = "dma.bus"
AXI_CHANNELS = ("aw", "w", "b", "ar", "r")
ACTIVE_WINDOW_CYCLES = 256  # 16 bursts of 16 beats: round-robin reaches 8 channels well within
ACTIVE_BINS = ((1, 1), (2, 2), (3, 4), (5, 8))

_stall_section = coverage_section(
    CoverPoint(f"{G}.stalled", xf=lambda stalled, op: stalled,
               rel=lambda stalled, channel: channel in stalled, bins=list(AXI_CHANNELS),
               inj=False, at_least=AT_LEAST),
    CoverPoint(f"{G}.op", xf=lambda stalled, op: op, bins=list(space.OPS), at_least=AT_LEAST),
    CoverCross(f"{G}.stalled_op", items=[f"{G}.stalled", f"{G}.op"], at_least=AT_LEAST),
    CoverPoint(f"{G}.stall_profile",
               xf=lambda stalled, op: {1: "one_channel", 5: "all_five"}.get(len(stalled)),
               bins=["one_channel", "all_five"], at_least=AT_LEAST),
)


@_stall_section
def sample_stalled(stalled: frozenset[str], op: str) -> None:
    """A descriptor of operation `op` completed while the `stalled` AXI channels stalled."""


_active_section = coverage_section(
    CoverPoint(f"{G}.channels_active", xf=lambda n: n, rel=lambda n, b: b[0] <= n <= b[1],
               bins=list(ACTIVE_BINS),
               bins_labels=[f"{lo}" if lo == hi else f"{lo}-{hi}" for lo, hi in ACTIVE_BINS],
               at_least=AT_LEAST),
)


@_active_section
def sample_active(n: int) -> None:
    """A burst was issued while `n` channels were active."""
