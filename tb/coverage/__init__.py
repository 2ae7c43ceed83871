"""Functional coverage of dma_top: covergroups in cocotb-coverage, one concept per module.

- `descriptors` (`dma.desc`): operation x channel x length class x source/destination
  alignment; XOR source counts, in-place XOR, XOR_VAL result; INT_EN x FENCE x completion record;
- `ring` (`dma.ring`): HEAD wrapping at the ring's end, extension slots across it;
- `interrupts` (`dma.irq`): why DONE was raised (every completion, COUNT, TIMEOUT);
- `errors` (`dma.errors`): every error code x where it is found (x AXI response);
- `bus` (`dma.bus`): operations under backpressure on each AXI channel; channels active at once.

Sampling is off unless DMASIM_COVERAGE=1 (`make coverage`): the benches then create a
`collector.Collector`, and every run writes its database (`database.py`), which `report.py`
merges and checks against the goal (`goal.py`). `code.py` does the same for Verilator's line,
branch and toggle coverage. docs/coverage.md explains the goals and how to add a covergroup.
"""

from __future__ import annotations

import os


def enabled() -> bool:
    """DMASIM_COVERAGE=1: sample and write the databases (read once per simulation)."""
    return os.environ.get("DMASIM_COVERAGE", "") not in ("", "0")


ENABLED = enabled()
