"""The kernel-runtime seam (pydriver.runtime) over cocotb's scheduler.

With this installed (`set_runtime(CocotbRuntime())`), the dmaengine core, async_tx and provider
drivers run inside a simulation unchanged: tasklets are cocotb tasks started in the current time
step, sleeps and timeouts are simulated time, events are cocotb Events.

cocotb tasks share one contextvars context (asyncio gives each task its own copy), so the
per-task state pydriver keeps in context variables (the current CPU of `on_cpu`, the kernel
context) would leak between tasks while one of them awaits. Every coroutine started through this
runtime therefore runs each of its steps inside its own copied context.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Coroutine, Generator
from typing import Any

import cocotb
from cocotb.simtime import get_sim_time
from cocotb.triggers import Event as CocotbEvent
from cocotb.triggers import NullTrigger, SimTimeoutError, Timer, with_timeout

from pydriver.runtime import Context, DelegatingEvent, Event, Runtime


class _ContextCoroutine(Coroutine[Any, Any, Any]):
    """Drives a coroutine with every step run inside one private contextvars context."""

    def __init__(self, coro: Coroutine[Any, Any, Any], ctx: contextvars.Context) -> None:
        self._coro = coro
        self._ctx = ctx

    def send(self, value: Any) -> Any:
        return self._ctx.run(self._coro.send, value)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        if val is None and tb is None:
            return self._ctx.run(self._coro.throw, typ)
        return self._ctx.run(self._coro.throw, typ, val, tb)

    def close(self) -> None:
        self._ctx.run(self._coro.close)

    def __await__(self) -> Generator[Any, None, Any]:
        return self._coro.__await__()


class _CocotbEvent(DelegatingEvent):
    def __init__(self) -> None:
        super().__init__(CocotbEvent())

    async def wait(self, timeout_ns: int | None = None) -> bool:
        if self._ev.is_set():
            return True
        if timeout_ns is None:
            await self._ev.wait()
            return True
        if timeout_ns <= 0:
            return False
        try:
            await with_timeout(self._ev.wait(), timeout_ns, "ns")
        except SimTimeoutError:
            return False
        return True


class CocotbRuntime(Runtime):
    """pydriver's runtime seam in simulated time. Exceptions in tasklets fail the test."""

    def schedule_tasklet(self, fn: Callable[..., Any], *args: Any) -> None:
        if not callable(fn):
            raise TypeError("schedule_tasklet expects a callable")
        ctx = contextvars.copy_context()

        async def tasklet() -> None:
            with self.in_context(Context.TASKLET):
                fn(*args)

        cocotb.start_soon(_ContextCoroutine(tasklet(), ctx))

    def now_ns(self) -> int:
        return int(get_sim_time("ns"))

    async def sleep_ns(self, ns: int) -> None:
        if ns <= 0:
            await NullTrigger()  # yield to the other tasks of this time step
        else:
            await Timer(ns, unit="ns")

    def create_event(self) -> Event:
        return _CocotbEvent()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Any:
        async def process() -> Any:
            # A spawned task runs in process context whatever its creator's context was.
            with self.in_context(Context.PROCESS):
                return await coro

        return cocotb.start_soon(_ContextCoroutine(process(), contextvars.copy_context()))
