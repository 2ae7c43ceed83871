"""Shared fixtures for the pure-Python unit tests (no simulator, asyncio only).

Every test starts from a fresh dmaengine core (profile 2.6.29, one CPU, short timeouts) and a
fresh AsyncioRuntime. Async code runs through the ``run`` fixture, which wraps asyncio.run and
re-raises anything that escaped a tasklet or background task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from pydriver import dmaengine as de
from pydriver.memory import SystemMemory
from pydriver.runtime import AsyncioRuntime, set_runtime
from pydriver.soft import SoftDmaDevice

SHORT_TIMEOUT_NS = 50_000_000  # 50 ms instead of the kernel's 5 s


@pytest.fixture(autouse=True)
def fresh_core() -> Any:
    de.reset(sync_wait_timeout_ns=SHORT_TIMEOUT_NS)
    rt = AsyncioRuntime()
    set_runtime(rt)
    yield rt
    set_runtime(None)
    de.reset()


@pytest.fixture(params=de.PROFILES)
def profile(request: pytest.FixtureRequest) -> str:
    """Run the test under each profile (the core is reset to it)."""
    de.reset(request.param, sync_wait_timeout_ns=SHORT_TIMEOUT_NS)
    return request.param


@pytest.fixture
def run(fresh_core: AsyncioRuntime) -> Callable[[Coroutine[Any, Any, Any]], Any]:
    """``run(coro)``: asyncio.run it and fail on errors raised in tasklets or tasks."""

    def _run(coro: Coroutine[Any, Any, Any]) -> Any:
        result = asyncio.run(coro)
        fresh_core.raise_errors()
        return result

    return _run


@pytest.fixture
def mem() -> SystemMemory:
    return SystemMemory(64 * 4096)


@pytest.fixture
def make_soft(mem: SystemMemory) -> Callable[..., SoftDmaDevice]:
    """``make_soft(nr_channels=1, caps=..., **kw)``: a SoftDmaDevice on the shared memory."""

    serial = iter(range(1000))

    def _make(nr_channels: int = 1, **kw: Any) -> SoftDmaDevice:
        kw.setdefault("name", f"soft{next(serial)}")
        return SoftDmaDevice(mem, nr_channels, **kw)

    return _make
