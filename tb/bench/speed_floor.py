"""cocotb test of the simulation-speed floor (tb/hdl/bench_floor_top.v, run by tb/bench/run.py).

The floor top has the benches' clocking and a counter only: the wall time it takes per simulated
cycle is what the simulator and cocotb cost a bench cycle before any design logic. One line of
JSON to $DMASIM_BENCH_RESULTS: simulated cycles, and the wall and CPU time they took.
"""

from __future__ import annotations

import json
import time

import cocotb
from cocotb.triggers import ClockCycles, Timer

from tb.bench.harness import CLK_NS, results_path

FLOOR_CYCLES = 1_000_000


@cocotb.test()
async def floor(dut) -> None:
    """Run the clock FLOOR_CYCLES cycles with nothing waiting on it."""
    dut.rst.value = 1
    await ClockCycles(dut.clk, 4)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 2)
    cycle0 = int(dut.cycle.value)
    wall0, cpu0 = time.perf_counter(), time.process_time()
    await Timer(FLOOR_CYCLES * CLK_NS, unit="ns")
    wall1, cpu1 = time.perf_counter(), time.process_time()
    cycles = int(dut.cycle.value) - cycle0
    assert cycles >= FLOOR_CYCLES - 1, f"the clock ran {cycles} cycles, expected {FLOOR_CYCLES}"
    dut._log.info("floor: %d cycles in %.3f s", cycles, wall1 - wall0)
    out = results_path()
    if out:
        with open(out, "a") as f:
            f.write(json.dumps({"name": "floor", "sim_cycles": cycles,
                                "wall_sim_s": wall1 - wall0, "cpu_sim_s": cpu1 - cpu0}) + "\n")
