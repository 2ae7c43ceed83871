"""dmatest(): find the channels, start the threads, collect one result per thread
(run_threaded_test, request_channels, dmatest_add_channel of drivers/dma/dmatest.c)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..argcheck import check_int
from ..dmaengine import (
    DMA_MEMCPY,
    DMA_MEMSET,
    DMA_XOR,
    DmaChan,
    DmaTxType,
    dma_cap_mask_t,
    dma_has_cap,
    dma_release_channel,
    dma_request_channel,
)
from ..errors import DmaError, NoDeviceError
from ..memory import SystemMemory
from ..runtime import get_runtime
from .result import DmatestResult
from .thread import DmatestThread, Params

__all__ = ["dmatest", "TESTS", "DEFAULT_ITERATIONS"]

log = logging.getLogger("pydriver.dmatest")

TESTS: dict[str, DmaTxType] = {"copy": DMA_MEMCPY, "memset": DMA_MEMSET, "xor": DMA_XOR}
DEFAULT_ITERATIONS = 100  # iterations=0: the kernel runs forever, dmasim runs this many


def _int(name: str, value: object, minimum: int) -> int:
    return check_int("dmatest", name, value, minimum)


def _str(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"dmatest: {name} must be a str, got {type(value).__name__}")
    return value.strip()


def _tests(tests: object) -> list[DmaTxType]:
    if isinstance(tests, str) or not isinstance(tests, Sequence):
        raise TypeError(f"dmatest: tests must be a sequence of names such as ('copy', 'xor'), "
                        f"got {tests!r}")  # fmt: skip
    if not tests:
        raise ValueError(f"dmatest: tests is empty; choose from {', '.join(TESTS)}")
    unknown = [t for t in tests if t not in TESTS]
    if unknown:
        hint = " (dmasim has no DMA_PQ engine)" if "pq" in unknown else ""
        raise ValueError(f"dmatest: unknown test {unknown[0]!r}{hint}; choose from "
                         f"{', '.join(TESTS)}")  # fmt: skip
    return [TESTS[name] for name in TESTS if name in tests]  # the kernel's order


def _matches(chan: DmaChan, params: tuple[str, str]) -> bool:
    """The kernel's filter: channel name and device name, "" matching any."""
    channel, device = params
    if channel and chan.name != channel:
        return False
    return not device or getattr(chan.device, "dev", None) == device


async def _request_channels(types: list[DmaTxType], channel: str, device: str,
                            max_channels: int) -> list[DmaChan]:  # fmt: skip
    """request_channels() for each test type, in the kernel's order."""
    chans: list[DmaChan] = []
    for t in types:
        while not max_channels or len(chans) < max_channels:
            chan = await dma_request_channel(dma_cap_mask_t(t), _matches, (channel, device))
            if chan is None:
                break
            mem = getattr(chan.device, "mem", None)
            if not isinstance(mem, SystemMemory):
                await dma_release_channel(chan)
                for c in chans:
                    await dma_release_channel(c)
                raise DmaError(f"dmatest: the device of {chan.name} has no .mem (SystemMemory) "
                               "to put test buffers in")  # fmt: skip
            chans.append(chan)
    return chans


async def dmatest(
    *,
    test_channel: str = "",
    test_device: str = "",
    threads_per_chan: int = 1,
    max_channels: int = 0,
    iterations: int = 0,
    test_buf_size: int = 16384,
    xor_sources: int = 3,
    timeout_ms: int = 3000,
    noverify: bool = False,
    tests: Sequence[str] = ("copy",),
    seed: int = 0,
) -> list[DmatestResult]:
    """Run the kernel's dmatest on every free channel that matches (the module parameters,
    docs/dmatest.md); returns one result per thread, in start order.

    Channels are taken with dma_request_channel (so channels async_tx already references are
    not available, as in the kernel) and released at the end. ``iterations`` 0 means 100;
    ``timeout_ms`` -1 waits for each callback without limit. Raises NoDeviceError when no
    channel matches.
    """
    channel = _str("test_channel", test_channel)
    device = _str("test_device", test_device)
    _int("threads_per_chan", threads_per_chan, 1)
    _int("max_channels", max_channels, 0)
    _int("iterations", iterations, 0)
    _int("test_buf_size", test_buf_size, 1)
    _int("xor_sources", xor_sources, 2)
    _int("timeout_ms", timeout_ms, -1)
    _int("seed", seed, -(1 << 63))
    if not isinstance(noverify, bool):
        raise TypeError(f"dmatest: noverify must be a bool, got {type(noverify).__name__}")
    types = _tests(tests)
    params = Params(test_buf_size, iterations or DEFAULT_ITERATIONS, xor_sources, timeout_ms,
                    noverify)  # fmt: skip

    chans = await _request_channels(types, channel, device, max_channels)
    threads = [
        DmatestThread(chan, t, i, params, seed)
        for chan in chans
        for t in types
        if dma_has_cap(t, chan.device.cap_mask)
        for i in range(threads_per_chan)
    ]
    try:
        if not threads:
            wanted = f"channel {channel!r}" if channel else "any channel"
            raise NoDeviceError(
                f"dmatest: no free channel for {', '.join(str(t) for t in types)} matches "
                f"{wanted}{f' of device {device!r}' if device else ''} (channels referenced "
                "by async_tx or another client are not available)"
            )
        for chan in chans:
            count = sum(th.chan is chan for th in threads)
            log.info("Started %d threads using %s", count, chan.name)
        rt = get_runtime()
        for th in threads:
            rt.spawn(th.run())
        for th in threads:
            await th.finished.wait()
    finally:
        for chan in chans:
            await dma_release_channel(chan)
    errors = [th.error for th in threads if th.error is not None]
    if errors:
        raise errors[0]
    return [th.result for th in threads]
