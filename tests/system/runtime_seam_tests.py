"""pydriver's runtime seam inside a simulation (tb.cocotb_runtime): tasklets, simulated-time
sleeps and timeouts, events, and per-task CPU/context isolation."""

from __future__ import annotations

import cocotb
from cocotb.clock import Clock
from cocotb.simtime import get_sim_time
from cocotb.triggers import Timer

from pydriver.dmaengine import current_cpu, on_cpu, reset
from pydriver.runtime import Context, Tasklet, get_runtime, set_runtime
from tb.cocotb_runtime import CocotbRuntime


def install() -> CocotbRuntime:
    rt = CocotbRuntime()
    set_runtime(rt)
    return rt


@cocotb.test()
async def tasklet_runs_soon_in_tasklet_context(dut):
    """A tasklet runs after its scheduler yields, in the same time step, in tasklet context."""
    rt = install()
    seen: list[tuple[Context, float]] = []
    rt.schedule_tasklet(lambda: seen.append((rt.current_context(), get_sim_time("ns"))))
    assert seen == []  # not inside the caller
    t0 = get_sim_time("ns")
    await rt.sleep_ns(0)
    assert seen == [(Context.TASKLET, t0)]
    assert rt.current_context() is Context.PROCESS


@cocotb.test()
async def tasklet_object_coalesces_schedules(dut):
    """Scheduling a pending Tasklet again does not run it twice."""
    install()
    runs: list[int] = []
    t = Tasklet(lambda: runs.append(1))
    t.schedule()
    t.schedule()
    await Timer(1, unit="ns")
    assert runs == [1] and t.runs == 1


@cocotb.test()
async def sleep_and_timeouts_use_simulated_time(dut):
    """sleep_ns and Event.wait timeouts are measured in simulated nanoseconds."""
    Clock(dut.clk, 10, unit="ns").start()
    rt = install()
    t0 = rt.now_ns()
    await rt.sleep_ns(250)
    assert rt.now_ns() - t0 == 250
    ev = rt.create_event()
    t0 = rt.now_ns()
    assert await ev.wait(timeout_ns=1000) is False
    assert rt.now_ns() - t0 == 1000

    async def setter() -> None:
        await rt.sleep_ns(40)
        ev.set()

    rt.spawn(setter())
    t0 = rt.now_ns()
    assert await ev.wait(timeout_ns=1000) is True
    assert rt.now_ns() - t0 == 40
    assert await ev.wait(timeout_ns=0) is True  # already set: no wait
    ev.clear()
    assert not ev.is_set()


@cocotb.test()
async def spawned_tasks_keep_their_own_cpu(dut):
    """on_cpu() in one task is not seen by another task that runs while it awaits."""
    rt = install()
    reset(nr_cpus=4)
    seen: dict[str, list[int]] = {"a": [], "b": []}

    async def worker(name: str, cpu: int) -> None:
        with on_cpu(cpu):
            for _ in range(3):
                seen[name].append(current_cpu())
                await rt.sleep_ns(5)
            seen[name].append(current_cpu())

    ta = rt.spawn(worker("a", 1))
    tb = rt.spawn(worker("b", 2))
    await ta
    await tb
    assert seen == {"a": [1, 1, 1, 1], "b": [2, 2, 2, 2]}
    assert current_cpu() == 0


@cocotb.test()
async def runtime_can_be_uninstalled(dut):
    """set_runtime(None) returns to the default (asyncio) runtime on next use."""
    rt = install()
    assert get_runtime() is rt
    set_runtime(None)
    assert not isinstance(get_runtime(), CocotbRuntime)
