"""`make soak`: the fault soak of tb/soak.py on dma_top (not part of `make test`).

DMASIM_SOAK_OPS operations (default 10000) on every channel with injected faults; prints what it
ran, what became of every operation and the seed; fails if any operation was lost.
"""

from __future__ import annotations

import os

import cocotb

from tb.dma_tb import DmaTb
from tb.soak import FaultSoak


@cocotb.test()
async def fault_soak(dut):
    """Random operations on every channel, faults of every kind, nothing lost."""
    ops = int(os.environ.get("DMASIM_SOAK_OPS", "10000"))
    tb = await DmaTb.create(dut, mem_size=1 << 21)
    soak = FaultSoak(tb, ops)
    try:
        await soak.run()
    finally:
        print("\n".join(soak.tally.report(tb.seed, soak.rounds)), flush=True)
    assert soak.tally.lost == 0, \
        f"{soak.tally.lost} operations lost (rerun with DMASIM_SEED={tb.seed})"
