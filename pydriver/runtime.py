"""The kernel-runtime seam: the few kernel primitives the driver stack needs.

The dmaengine core, async_tx and the provider drivers never talk to a scheduler directly. They
ask the current :class:`Runtime` to schedule a tasklet, sleep, create an event, wait with a
timeout or start a background task. :class:`AsyncioRuntime` implements it over asyncio (unit
tests); the cocotb implementation lives in ``tb/`` and is installed with :func:`set_runtime`.

Kernel contexts (docs/kernel-model.md, Conventions): process context is the client coroutine,
hard-IRQ context is the code that reacts to an interrupt, tasklet context is a separate task the IRQ
handler schedules. Code marks the atomic context it runs in with ``in_context`` so that checks (and
the conformance checker) can ask :meth:`Runtime.current_context`. The context and the current CPU
(``dmaengine.on_cpu``) are task-local values kept by the runtime (``get_local``/``set_local``).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import enum
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

__all__ = [
    "Context",
    "Event",
    "DelegatingEvent",
    "Runtime",
    "AsyncioRuntime",
    "Tasklet",
    "Mutex",
    "get_runtime",
    "set_runtime",
]

log = logging.getLogger(__name__)


class Context(enum.Enum):
    """The kernel execution context a piece of driver code runs in."""

    PROCESS = "process"
    TASKLET = "tasklet"
    HARDIRQ = "hardirq"


# Task-local storage of the default implementation: a context variable holding a dict that is
# copied on write, so every asyncio task (which runs in its own copy of the context) has its own.
_locals: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("pydriver_locals")


class Event(ABC):
    """A level-triggered event (like a kernel completion that can be re-armed)."""

    @abstractmethod
    def set(self) -> None:
        """Wake every waiter; later waits return at once until :meth:`clear`."""

    @abstractmethod
    def clear(self) -> None:
        """Re-arm the event."""

    @abstractmethod
    def is_set(self) -> bool:
        """True when set."""

    @abstractmethod
    async def wait(self, timeout_ns: int | None = None) -> bool:
        """Wait until set; return False if ``timeout_ns`` passed first (None = no limit)."""


class Runtime(ABC):
    """The primitives the driver stack needs from its scheduler. Keep this small."""

    @abstractmethod
    def schedule_tasklet(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` soon, outside the caller, in tasklet context.

        Plain (callable from any context). The caller's CPU (``on_cpu``) carries over, as a
        kernel tasklet runs on the CPU that scheduled it.
        """

    @abstractmethod
    def now_ns(self) -> int:
        """Current (simulated or real) time in nanoseconds."""

    @abstractmethod
    async def sleep_ns(self, ns: int) -> None:
        """Sleep ``ns`` nanoseconds (0 just yields to other tasks)."""

    @abstractmethod
    def create_event(self) -> Event:
        """A new, clear :class:`Event`."""

    @abstractmethod
    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Any:
        """Start ``coro`` as a background task in process context; returns a task handle."""

    # -- task-local state (the current kernel context, the current CPU) --
    # The default keeps it in a context variable, which is exact under asyncio. A runtime whose
    # tasks share one context (cocotb) overrides get_local/set_local with its task-local store,
    # and makes spawn/schedule_tasklet start from a copy of the caller's values.

    def get_local(self, key: str, default: Any = None) -> Any:
        """The calling task's value for ``key`` (``default`` when unset)."""
        return _locals.get({}).get(key, default)

    def set_local(self, key: str, value: Any) -> None:
        """Set the calling task's value for ``key``."""
        values = dict(_locals.get({}))
        values[key] = value
        _locals.set(values)

    def current_context(self) -> Context:
        """The kernel context the caller runs in."""
        return self.get_local("context", Context.PROCESS)

    @contextlib.contextmanager
    def in_context(self, ctx: Context) -> Iterator[None]:
        """Mark the enclosed (atomic, non-awaiting) block as running in ``ctx``."""
        if not isinstance(ctx, Context):
            raise TypeError(f"in_context expects a Context, got {type(ctx).__name__}")
        previous = self.current_context()
        self.set_local("context", ctx)
        try:
            yield
        finally:
            self.set_local("context", previous)


class DelegatingEvent(Event):
    """An :class:`Event` over a scheduler's own event object (anything with set, clear and
    is_set); a runtime's subclass adds only ``wait``, the part that differs between schedulers."""

    def __init__(self, inner: Any) -> None:
        self._ev = inner

    def set(self) -> None:
        self._ev.set()

    def clear(self) -> None:
        self._ev.clear()

    def is_set(self) -> bool:
        return self._ev.is_set()


class _AsyncioEvent(DelegatingEvent):
    def __init__(self) -> None:
        super().__init__(asyncio.Event())

    async def wait(self, timeout_ns: int | None = None) -> bool:
        if timeout_ns is None:
            await self._ev.wait()
            return True
        if self._ev.is_set():
            return True
        try:
            await asyncio.wait_for(self._ev.wait(), max(timeout_ns, 0) / 1e9)
        except TimeoutError:
            return False
        return True


class AsyncioRuntime(Runtime):
    """The seam over asyncio. Time is the event loop's clock (real time) in nanoseconds.

    Exceptions escaping a tasklet or a spawned task are logged and collected in ``errors`` so
    that a test harness can fail on them (:meth:`raise_errors`).
    """

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    def _loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.get_running_loop()

    def schedule_tasklet(self, fn: Callable[..., Any], *args: Any) -> None:
        if not callable(fn):
            raise TypeError("schedule_tasklet expects a callable")
        ctx = contextvars.copy_context()

        def run() -> None:  # runs inside ctx, a private copy of the caller's context
            self.set_local("context", Context.TASKLET)
            try:
                fn(*args)
            except Exception as exc:  # a tasklet must not take the loop down
                log.exception("tasklet %r raised", fn)
                self.errors.append(exc)

        self._loop().call_soon(run, context=ctx)

    def now_ns(self) -> int:
        return int(self._loop().time() * 1e9)

    async def sleep_ns(self, ns: int) -> None:
        await asyncio.sleep(max(ns, 0) / 1e9)

    def create_event(self) -> Event:
        return _AsyncioEvent()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        ctx = contextvars.copy_context()
        ctx.run(self.set_local, "context", Context.PROCESS)
        task = self._loop().create_task(coro, context=ctx)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("background task %r raised %r", task, exc)
            self.errors.append(exc)

    def raise_errors(self) -> None:
        """Re-raise the first exception collected from a tasklet or background task."""
        if self.errors:
            first = self.errors[0]
            self.errors.clear()
            raise first


_runtime: Runtime | None = None


def get_runtime() -> Runtime:
    """The installed runtime; an :class:`AsyncioRuntime` is installed if none was."""
    global _runtime
    if _runtime is None:
        _runtime = AsyncioRuntime()
    return _runtime


def set_runtime(rt: Runtime | None) -> None:
    """Install ``rt`` (None: fall back to a fresh AsyncioRuntime on next use)."""
    global _runtime
    if rt is not None and not isinstance(rt, Runtime):
        raise TypeError(f"set_runtime expects a Runtime, got {type(rt).__name__}")
    _runtime = rt


class Tasklet:
    """A kernel tasklet: scheduling it while it is already pending does nothing.

    Its pending mark is cleared just before ``fn`` runs, so rescheduling from inside ``fn`` (or
    from an interrupt arriving while it runs) runs it once more, as in the kernel.
    """

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        self.fn = fn
        self.args = args
        self.scheduled = False
        self.runs = 0

    def schedule(self) -> None:
        if self.scheduled:
            return
        self.scheduled = True
        get_runtime().schedule_tasklet(self._run)

    def _run(self) -> None:
        self.scheduled = False
        self.runs += 1
        self.fn(*self.args)


class Mutex:
    """A sleeping lock (kernel ``struct mutex``) built on runtime events; FIFO hand-off.

    Events are created only under contention, so an uncontended mutex is not tied to any loop.
    """

    def __init__(self) -> None:
        self._locked = False
        self._waiters: deque[Event] = deque()

    def locked(self) -> bool:
        return self._locked

    async def acquire(self) -> None:
        if not self._locked:
            self._locked = True
            return
        ev = get_runtime().create_event()
        self._waiters.append(ev)
        try:
            await ev.wait()
        except BaseException:
            if ev.is_set():  # ownership was handed to us: pass it on
                self.release()
            else:
                self._waiters.remove(ev)
            raise

    def release(self) -> None:
        if not self._locked:
            raise RuntimeError("mutex released while not locked")
        if self._waiters:
            self._waiters.popleft().set()  # stays locked: ownership moves to the waiter
        else:
            self._locked = False

    async def __aenter__(self) -> Mutex:
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()
