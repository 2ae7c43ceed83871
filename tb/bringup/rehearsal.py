"""The bring-up rehearsal as a cocotb test module (run by `dmasim bringup`; also
`make sim TEST_DIR=tb/bringup TEST_MODULE=rehearsal`).

Two cocotb tests, in order: `hardware` rehearses dma_top at register level through the bench
(tb/dma_tb.py), `driver` starts the simulated system with the provider driver. Each gets its own
bus models (cocotb ends a test's tasks with it), so the driver starts on a freshly reset
controller exactly as after power-up. Steps are in steps/, their order in plan.py.

Settings come from the environment the CLI sets: DMASIM_BRINGUP_DIR (where progress.jsonl and
report.json go; default build/bringup), DMASIM_BRINGUP_PARAMS (the RTL parameters of the build,
as --params), DMASIM_SEED, DMASIM_BRINGUP_INJECT (test hooks, see inject.py),
DMASIM_BRINGUP_WAVES (the FST being recorded: a GTKWave save file for it goes beside the
reports).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

import cocotb

from tb import runner
from tb.bringup import gtkwave, inject, plan
from tb.bringup.context import Context
from tb.bringup.result import PASS
from tb.bringup.sequencer import Sequencer, first_line
from tb.bringup.steps import (
    all_channels,
    channels_idle,
    client_session,
    conformance_run,
    dmatest_run,
    driver_probe,
    fault_drills,
    identity,
    interrupts,
    register_walk,
    registration,
)
from tb.commands.simulate import SYNC_WAIT_NS
from tb.dma_tb import DmaTb
from tb.system import DmaSystem

Step = Callable[[Context], Awaitable[str]]

HARDWARE: dict[str, Step] = dict(zip(plan.HARDWARE_STEPS, (
    identity.reset_and_identity,
    register_walk.register_walk,
    channels_idle.channels_idle,
    interrupts.interrupt_delivery,
    interrupts.coalescing_by_count,
    interrupts.coalescing_by_timeout,
    fault_drills.data_read,
    fault_drills.data_write,
    fault_drills.descriptor_fetch,
    fault_drills.status_write,
    fault_drills.bad_descriptor,
    fault_drills.address_window,
    fault_drills.abort_while_busy,
    all_channels.all_channels,
), strict=True))

MEM_SIZE = 2 << 20


class Session:
    """State kept across the module's two cocotb tests."""

    def __init__(self, dut) -> None:
        out = Path(os.environ.get("DMASIM_BRINGUP_DIR") or runner.BUILD_DIR / "bringup")
        params = runner.full_params(runner.parse_params(os.environ.get("DMASIM_BRINGUP_PARAMS")))
        seed_env = os.environ.get("DMASIM_SEED")
        seed = int(seed_env, 0) if seed_env else cocotb.RANDOM_SEED
        self.names = plan.steps(params["CHANNELS"])
        self.seq = Sequencer(out, dut._log)
        self.ctx = Context(params=params, seed=seed,
                           injection=inject.parse(os.environ.get(inject.ENV), self.names))
        self.seq.plan(self.names, seed)
        waves = os.environ.get("DMASIM_BRINGUP_WAVES")
        if waves:
            gtkwave.write_save_file(out / "bringup.gtkw", Path(waves), dut)

    def passed(self, names) -> bool:
        results = {r.name: r.result for r in self.seq.results}
        return all(results.get(n) == PASS for n in names)

    def inject_bus_faults(self, ram) -> None:
        """The test hook: every memory access fails while the named steps run."""
        undo: list[Callable[[], None]] = []
        for name in self.ctx.injection.bus_fault_steps:
            self.seq.before[name] = lambda: undo.append(inject.fail_every_access(ram))
            self.seq.after[name] = lambda: undo and undo.pop()()


SESSION: Session | None = None


def session(dut) -> Session:
    global SESSION
    if SESSION is None:
        SESSION = Session(dut)
    return SESSION


@cocotb.test()
async def hardware(dut):
    """Register level: identity, register walk, idle channels, interrupts, fault drills, every
    channel at once."""
    s = session(dut)
    try:
        s.ctx.tb = await DmaTb.create(dut, mem_size=MEM_SIZE, seed=s.ctx.seed, name="bringup")
    except Exception as exc:
        first, *rest = plan.HARDWARE_STEPS
        s.seq.fail(first, f"the bench did not start: {first_line(exc)}")
        for name in rest:
            s.seq.skip(name, "needs the register-level bench, which did not start")
    else:
        s.inject_bus_faults(s.ctx.tb.ram)
        for name, step in HARDWARE.items():
            await s.seq.run(name, partial(step, s.ctx))
    assert s.passed(plan.HARDWARE_STEPS), "register-level bring-up steps failed (report.json)"


def driver_steps(channels: int) -> dict[str, Step]:
    out: dict[str, Step] = dict(zip(plan.DRIVER_STEPS, (
        driver_probe.driver_probe,
        registration.dmaengine_registration,
        client_session.client_session,
    ), strict=True))
    for n in range(channels):
        out[plan.dmatest_step(n)] = partial(dmatest_run.dmatest_channel, channel=n)
    out[plan.CONFORMANCE_STEP] = conformance_run.conformance
    return out


async def start_system(s: Session, dut) -> str | None:
    """Power-up for the driver: clock, reset, memory, register seam, a fresh dmaengine core.
    Returns why it failed, or None."""
    try:
        s.ctx.system = await DmaSystem.create(dut, nr_cpus=4, profile="2.6.29",
                                              mem_size=MEM_SIZE,
                                              sync_wait_timeout_ns=SYNC_WAIT_NS)
    except Exception as exc:
        return f"the simulated system did not start: {first_line(exc)}"
    s.inject_bus_faults(s.ctx.system.ram)
    return None


@cocotb.test()
async def driver(dut):
    """Driver level: probe with self-tests, dmaengine registration, a client session, dmatest on
    every channel, the conformance checker."""
    s = session(dut)
    steps = driver_steps(s.ctx.params["CHANNELS"])
    try:
        failed_start = await start_system(s, dut)
        for name, step in steps.items():
            if failed_start:
                if name == plan.DRIVER_STEPS[0]:
                    s.seq.fail(name, failed_start)
                else:
                    s.seq.skip(name, "needs the simulated system, which did not start")
            else:
                await s.seq.run(name, partial(step, s.ctx))
    finally:
        s.seq.finish()
    assert s.passed(steps), "driver-level bring-up steps failed (report.json)"
