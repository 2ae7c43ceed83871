"""Covergroup `dma.irq`: why INT_CAUSE.DONE was raised.

- `done_raised`: every INT_EN completion (COALESCE.COUNT 0 or 1), COALESCE.COUNT (2 or more)
  INT_EN completions, or COALESCE.TIMEOUT expiring before the count was reached.
"""

from __future__ import annotations

from cocotb_coverage.coverage import CoverPoint, coverage_section

from tb.coverage.goal import AT_LEAST

G = "dma.irq"
REASONS = ("every", "count", "timeout")

_section = coverage_section(
    CoverPoint(f"{G}.done_raised", xf=lambda reason: reason, bins=list(REASONS),
               at_least=AT_LEAST),
)


@_section
def sample(reason: str) -> None:
    """DONE seen raised, for `reason`."""
