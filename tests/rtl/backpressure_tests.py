"""Backpressure: random stalls on each of the five AXI channels (AW/W/AR ready, B/R valid),
alone and all together, under random mixes of every operation on one and on two channels, and
with a bus error while stalled. The model checks the whole RAM after each run.
"""

from __future__ import annotations

import cocotb

from pydriver.drivers.dmasim.hw import ErrCode, Resp
from tb import stimulus
from tb.dma_tb import DmaTb, scale
from tb.refmodel import BusFault

PROFILES = {
    "aw": {"aw": 0.8},
    "w": {"w": 0.7},
    "b": {"b": 0.9},
    "ar": {"ar": 0.8},
    "r": {"r": 0.7},
    "all": {"aw": 0.5, "w": 0.5, "b": 0.5, "ar": 0.5, "r": 0.5},
}


@cocotb.test()
@cocotb.parametrize(profile=list(PROFILES))
async def backpressure_single_channel(dut, profile: str):
    """One channel, a random mix of operations, stalls on the named AXI channel(s)."""
    tb = await DmaTb.create(dut, name=f"backpressure_single_channel_{profile}")
    tb.set_backpressure(**PROFILES[profile])
    ch = await tb.setup_channel(0, log2_slots=4, cmpl_wb=True)
    descs = stimulus.random_mix(tb, scale(8, icarus=6, soak=200), scale(300, soak=2000))
    await tb.stream(ch, descs)


@cocotb.test()
async def backpressure_two_channels(dut):
    """Two channels at once (if there are two), random stall probabilities on every channel."""
    tb = await DmaTb.create(dut, mem_size=1 << 21)
    probs = {k: tb.rng.uniform(0.2, 0.7) for k in ("aw", "w", "b", "ar", "r")}
    tb.log.info("stall probabilities %s", {k: round(v, 2) for k, v in probs.items()})
    tb.set_backpressure(**probs)
    batches = []
    for k in range(min(2, tb.hw.channels)):
        descs = stimulus.random_mix(tb, scale(8, icarus=5, soak=100), scale(400, soak=2000))
        slots = sum(d.slots for d in descs)
        ch = await tb.setup_channel(k, log2_slots=max(4, (slots - 1).bit_length()))
        batches.append((ch, descs))
    await tb.run_together(batches)


@cocotb.test()
async def backpressure_with_bus_error(dut):
    """A data-write error while every channel stalls: the channel drains under backpressure,
    halts with DATA_WRITE, and recovers after RESET."""
    tb = await DmaTb.create(dut)
    tb.set_backpressure(aw=0.5, w=0.5, b=0.6, ar=0.5, r=0.5)
    ch = await tb.setup_channel(0)
    n = 40 * tb.hw.data_bytes
    d = stimulus.memcpy(tb, n)
    start = (d.dst + 64 + 63) // 64 * 64
    fault = BusFault(start, 64, Resp.SLVERR, read=False)
    out = await tb.run(ch, [stimulus.fill(tb, 100), d, stimulus.fill(tb, 10)], faults=(fault,))
    assert out.halted and out.err_code == ErrCode.DATA_WRITE
    tb.ram.faults.clear()
    await tb.reset_channel(ch)
    await tb.run(ch, [stimulus.memcpy(tb, 200)])
