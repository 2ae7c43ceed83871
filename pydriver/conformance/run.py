"""run_conformance: register, attach a checker, run the standard workload, report."""

from __future__ import annotations

import contextlib

from ..argcheck import check_int
from ..dmaengine import (
    DmaChan,
    DmaDevice,
    dma_async_device_register,
    dma_cap_mask_t,
    dma_release_channel,
    dma_request_channel,
    state,
)
from ..errors import DmaError
from ..memory import Page, SystemMemory
from .checker import ConformanceChecker
from .report import ConformanceReport
from .workload import PAGES_NEEDED, Workload

__all__ = ["run_conformance"]


def _int(name: str, value: object, minimum: int) -> int:
    return check_int("run_conformance", name, value, minimum)


async def _take_channels(device: DmaDevice) -> tuple[list[DmaChan], list[DmaChan]]:
    """The device's channels, referenced: already-held ones as they are, the others taken
    with dma_request_channel (released again at the end)."""
    chans, requested = [], []
    for chan in device.channels:
        if chan.client_count == 0:
            got = await dma_request_channel(dma_cap_mask_t(), lambda c, want: c is want, chan)
            if got is None:
                continue
            requested.append(got)
        chans.append(chan)
    return chans, requested


async def run_conformance(
    device: DmaDevice,
    mem: SystemMemory,
    *,
    seed: int = 0,
    iterations: int = 200,
    watchdog_ns: int | None = None,
    hold_ns: int | None = None,
    checker: ConformanceChecker | None = None,
) -> ConformanceReport:
    """Check ``device`` against every rule in RULES with the standard workload on its own
    channels; returns the report (also when the provider hangs: every wait is bounded).

    The device is registered if it is not. Channels nobody references are taken with
    dma_request_channel (under 2.6.29 the device then stays DMA_PRIVATE, as after dmatest)
    and released at the end. ``iterations`` scenarios run (at least one coverage pass of
    every scenario on every channel). ``watchdog_ns`` (default: the core's dma_sync_wait
    limit) bounds each wait in runtime time; ``hold_ns`` (default watchdog/50) is how long
    submitted work is held un-issued.
    """
    if not isinstance(device, DmaDevice):
        raise TypeError(f"run_conformance: device must be a DmaDevice, got {type(device).__name__}")
    if not isinstance(mem, SystemMemory):
        raise TypeError(f"run_conformance: mem must be a SystemMemory, got {type(mem).__name__}")
    dev_mem = getattr(device, "mem", None)
    if dev_mem is not None and dev_mem is not mem:
        raise ValueError("run_conformance: mem is not the memory the device works on")
    _int("seed", seed, -(1 << 63))
    _int("iterations", iterations, 1)
    dog = _int("watchdog_ns", watchdog_ns, 1) if watchdog_ns is not None else state().sync_wait_ns
    hold = _int("hold_ns", hold_ns, 1) if hold_ns is not None else max(dog // 100, 1_000)
    if not device.channels:
        raise ValueError("run_conformance: the device has no channels")
    if mem.free_pages < PAGES_NEEDED:
        raise DmaError(
            f"run_conformance needs {PAGES_NEEDED} free pages of DMA memory, "
            f"{mem.free_pages} are left"
        )
    if checker is None:
        checker = ConformanceChecker(watchdog_ns=dog)
    if not any(d is device for d in state().registered):
        await dma_async_device_register(device)
    chans, requested = await _take_channels(device)
    if not chans:
        raise DmaError(
            f"run_conformance: no channel of {device.dev} could be referenced "
            "(dma_request_channel found none free)"
        )
    n_pages = min(mem.free_pages, max(PAGES_NEEDED + 2, 6 * len(chans)))
    pages: list[Page] = [mem.alloc_page() for _ in range(n_pages)]
    checker.attach(device, mem)
    work = Workload(device, mem, checker, chans, pages, seed=seed, hold_ns=hold, wait_ns=dog)
    try:
        await work.run(iterations)
        await checker.settle()
    finally:
        checker.detach()
        for chan in requested:
            with contextlib.suppress(Exception):  # a broken driver's free must not hide the report
                await dma_release_channel(chan)
        for page in pages:
            mem.free_page(page)
    report = checker.report()
    report.notes.extend(work.notes)
    return report
