"""The kernel-runtime seam and its asyncio implementation (pydriver.runtime)."""

from __future__ import annotations

import asyncio

import pytest

from pydriver import runtime as rtmod
from pydriver.runtime import AsyncioRuntime, Context, Mutex, Tasklet, get_runtime, set_runtime
from tests.support.waiting import settle


def test_default_runtime_is_asyncio() -> None:
    set_runtime(None)
    rt = get_runtime()
    assert isinstance(rt, AsyncioRuntime) and get_runtime() is rt
    with pytest.raises(TypeError):
        set_runtime(object())  # type: ignore[arg-type]


def test_tasklet_runs_later_in_tasklet_context(run) -> None:
    seen: list[tuple[str, Context]] = []

    async def body() -> None:
        rt = get_runtime()
        rt.schedule_tasklet(lambda tag: seen.append((tag, rt.current_context())), "t")
        assert seen == [] and rt.current_context() is Context.PROCESS
        await settle()
        assert seen == [("t", Context.TASKLET)]
        assert rt.current_context() is Context.PROCESS

    run(body())


def test_tasklet_coalesces_and_reruns_when_rescheduled_while_running(run) -> None:
    runs: list[int] = []

    def fn() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            t.schedule()  # rescheduled from inside: runs once more

    t = Tasklet(fn)

    async def body() -> None:
        t.schedule()
        t.schedule()  # already pending: no second run
        assert t.scheduled
        await settle()

    run(body())
    assert runs == [0, 1] and t.runs == 2 and not t.scheduled


def test_in_context_nests_and_restores() -> None:
    rt = AsyncioRuntime()
    with rt.in_context(Context.HARDIRQ):
        assert rt.current_context() is Context.HARDIRQ
        with rt.in_context(Context.TASKLET):
            assert rt.current_context() is Context.TASKLET
        assert rt.current_context() is Context.HARDIRQ
    assert rt.current_context() is Context.PROCESS
    with pytest.raises(TypeError), rt.in_context("hardirq"):  # type: ignore[arg-type]
        pass


def test_spawn_from_a_tasklet_runs_in_process_context(run) -> None:
    seen: list[Context] = []

    async def child() -> None:
        seen.append(get_runtime().current_context())

    async def body() -> None:
        rt = get_runtime()
        rt.schedule_tasklet(lambda: rt.spawn(child()))
        await settle(10)

    run(body())
    assert seen == [Context.PROCESS]


def test_event_wait_and_timeout(run) -> None:
    async def body() -> None:
        rt = get_runtime()
        ev = rt.create_event()
        t0 = rt.now_ns()
        assert await ev.wait(timeout_ns=2_000_000) is False
        assert rt.now_ns() - t0 >= 2_000_000
        rt.spawn(_set_later(ev))
        assert await ev.wait(timeout_ns=500_000_000) is True and ev.is_set()
        assert await ev.wait() is True  # stays set
        ev.clear()
        assert not ev.is_set() and await ev.wait(timeout_ns=0) is False

    async def _set_later(ev) -> None:
        await get_runtime().sleep_ns(1_000_000)
        ev.set()

    run(body())


def test_mutex_excludes_and_hands_over_in_order(run) -> None:
    order: list[str] = []

    async def worker(m: Mutex, name: str) -> None:
        async with m:
            order.append(f"{name}+")
            await asyncio.sleep(0.001)
            order.append(f"{name}-")

    async def body() -> None:
        m = Mutex()
        await asyncio.gather(*(worker(m, n) for n in "abc"))
        assert not m.locked()
        with pytest.raises(RuntimeError):
            m.release()

    run(body())
    assert order == ["a+", "a-", "b+", "b-", "c+", "c-"]


def test_mutex_waiter_cancelled(run) -> None:
    async def body() -> None:
        m = Mutex()
        await m.acquire()
        waiter = asyncio.ensure_future(m.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        m.release()
        assert not m.locked()  # the cancelled waiter did not keep the lock

    run(body())


def test_errors_in_tasklets_and_tasks_are_collected(fresh_core: AsyncioRuntime) -> None:
    def boom() -> None:
        raise RuntimeError("tasklet failed")

    async def body() -> None:
        rt = get_runtime()
        rt.schedule_tasklet(boom)
        await settle()

    asyncio.run(body())
    assert len(fresh_core.errors) == 1
    with pytest.raises(RuntimeError, match="tasklet failed"):
        fresh_core.raise_errors()
    fresh_core.raise_errors()  # cleared: nothing left to raise
    with pytest.raises(TypeError):
        asyncio.run(_schedule_non_callable())


async def _schedule_non_callable() -> None:
    get_runtime().schedule_tasklet(42)  # type: ignore[arg-type]


def test_runtime_is_abstract() -> None:
    with pytest.raises(TypeError):
        rtmod.Runtime()  # type: ignore[abstract]
    with pytest.raises(TypeError):
        rtmod.Event()  # type: ignore[abstract]
