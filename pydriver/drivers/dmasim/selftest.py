"""Probe-time self-tests of the dma_top driver, run before the device is registered (as
iop-adma's and ioatdma's probes do; any failure means the device is not registered).

On the first channel, through the driver's own hooks:

- ``memcpy``: a 2000-byte copy of the i-pattern with DMA_PREP_INTERRUPT and a completion
  callback (ioatdma): the callback must run, in tasklet context, the cookie must read
  DMA_SUCCESS and the destination must match.
- ``xor``: four pages of 0x01, 0x02, 0x04, 0x08 XORed into a zeroed page (iop-adma): every
  32-bit word must read 0x0F0F0F0F.
- ``xor_val``: the zero-sum over sources and their parity (the xor test's pages, first
  ``ZERO_SUM_LEN`` bytes) must read 0 (result preset 1); after a memset of the parity to 0
  (checked) it must read SUM_CHECK_P_RESULT (preset 0).
- ``interrupt``: a DMA_INTERRUPT descriptor's callback must run from the interrupt handler's
  tasklet, and the channel's interrupt handler must have run.

Each test's duration (simulated ns) is returned; a failure raises :class:`SelfTestError`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from ...dmaengine import (
    DMA_CTRL_ACK,
    DMA_IN_PROGRESS,
    DMA_PREP_INTERRUPT,
    DMA_SUCCESS,
    SUM_CHECK_P_RESULT,
    DmaAsyncTxDescriptor,
    DmaStatus,
    SumCheck,
)
from ...errors import NoDeviceError
from ...memory import PAGE_SIZE, Page
from ...runtime import Context, get_runtime
from .chan import DmasimChan

if TYPE_CHECKING:
    from .init import DmasimDevice

__all__ = ["SelfTestError", "run_selftests", "SELFTEST_TIMEOUT_NS"]

SELFTEST_TIMEOUT_NS = 100_000  # per operation; the slowest (a 4-page XOR) needs ~30 us
POLL_NS = 500
COPY_LEN = 2000
XOR_SRCS = 4
# The zero-sum checks validate the first 512 bytes of the xor test's pages: the whole-page
# XOR already proves every source byte is read, and two whole-page zero-sums would triple the
# probe's simulated time.
ZERO_SUM_LEN = 512


class SelfTestError(NoDeviceError):
    """A probe self-test failed: ``test`` names it, ``detail`` says what was read."""

    def __init__(self, device: str, test: str, detail: str) -> None:
        super().__init__(f"{device}: self-test '{test}' failed: {detail}")
        self.test = test
        self.detail = detail


class _Run:
    """The self-tests' shared state: the device, its first channel, pages to free."""

    def __init__(self, dev: DmasimDevice) -> None:
        self.dev = dev
        self.chan: DmasimChan = dev.hw_channels[0]
        self.pages: list[Page] = []
        self.test = ""
        self.xor_srcs: list[Page] = []  # the xor test's sources and result, which the
        self.xor_dest: Page | None = None  # zero-sum test validates (as iop-adma's does)

    def fail(self, detail: str) -> SelfTestError:
        return SelfTestError(str(self.dev.dev), self.test, detail)

    def page(self, fill: int = 0) -> Page:
        p = self.dev.mem.alloc_page()
        self.pages.append(p)
        if fill:
            p.fill(fill)
        return p

    def submit(self, tx: DmaAsyncTxDescriptor | None, what: str) -> int:
        if tx is None:
            raise self.fail(f"prep of the {what} returned no descriptor")
        cookie = tx.tx_submit()
        if cookie < 0:
            raise self.fail(f"tx_submit of the {what} returned {cookie}")
        self.dev.device_issue_pending(self.chan)
        return cookie

    async def wait(self, cookie: int, what: str) -> None:
        """Poll tx_status as iop-adma's tests do after their sleep; DMA_SUCCESS or fail."""
        rt = get_runtime()
        deadline = rt.now_ns() + SELFTEST_TIMEOUT_NS
        status: DmaStatus = DMA_IN_PROGRESS
        while rt.now_ns() <= deadline:
            status = self.dev.device_tx_status(self.chan, cookie)[0]
            if status != DMA_IN_PROGRESS:
                break
            await rt.sleep_ns(POLL_NS)
        self.check_status(status, what)

    def check_status(self, status: DmaStatus, what: str) -> None:
        if status == DMA_SUCCESS:
            return
        c = self.chan
        err = c.failed.get(c.cookie)
        why = f" (channel halted: {err})" if err else " (timed out)" \
            if status == DMA_IN_PROGRESS else ""
        raise self.fail(f"{what} status {status}{why}")

    async def run_op(self, tx: DmaAsyncTxDescriptor | None, what: str) -> None:
        await self.wait(self.submit(tx, what), what)

    def compare(self, page: Page, expect: bytes, what: str) -> None:
        got = page.read(0, len(expect))
        if got != expect:
            k = next(i for i, (a, b) in enumerate(zip(got, expect, strict=True)) if a != b)
            raise self.fail(f"{what} failed compare at offset {k}: read 0x{got[k]:02x}, "
                            f"expected 0x{expect[k]:02x}")

    async def xor_into(self, dest: Page, srcs: list[Page], length: int = PAGE_SIZE) -> None:
        """dest = XOR of srcs (their first ``length`` bytes) in as many descriptors as the
        hardware's source limit needs (later ones in place, dest as their first source)."""
        dev = self.dev
        addrs = [p.addr for p in srcs]
        first = True
        while addrs:
            group = addrs[:dev.max_xor] if first else [dest.addr, *addrs[:dev.max_xor - 1]]
            addrs = addrs[len(group) if first else len(group) - 1:]
            if len(group) == 1:
                tx = dev.device_prep_dma_memcpy(self.chan, dest.addr, group[0], length,
                                                DMA_CTRL_ACK)  # fmt: skip
            else:
                tx = dev.device_prep_dma_xor(self.chan, dest.addr, group, len(group), length,
                                             DMA_CTRL_ACK)  # fmt: skip
            await self.run_op(tx, "xor")
            first = False


class _Callback:
    """A completion callback that records the context it ran in and wakes a waiter."""

    def __init__(self) -> None:
        self.rt = get_runtime()
        self.seen: list[Context] = []
        self.done = self.rt.create_event()

    def __call__(self, _param: Any) -> None:
        self.seen.append(self.rt.current_context())
        self.done.set()

    def attach(self, tx: DmaAsyncTxDescriptor | None) -> DmaAsyncTxDescriptor | None:
        if tx is not None:
            tx.callback = self
        return tx

    async def wait(self) -> bool:
        return await self.done.wait(SELFTEST_TIMEOUT_NS)

    def check_tasklet(self, r: _Run, what: str) -> None:
        if self.seen != [Context.TASKLET]:
            raise r.fail(f"{what} ran in {self.seen[0].value} context, not in a tasklet")


@contextlib.contextmanager
def _own_channel(chan: DmasimChan) -> Iterator[None]:
    """The probe holds the channel like a client while it tests it (the kernel's self-tests
    call alloc_chan_resources directly on the unregistered channel)."""
    chan.client_count += 1
    try:
        yield
    finally:
        chan.client_count -= 1


async def _memcpy(r: _Run) -> None:
    dev, c = r.dev, r.chan
    src, dest = r.page(), r.page()
    pattern = bytes(i % 256 for i in range(COPY_LEN))
    src.write(0, pattern)
    cb = _Callback()
    irqs = c.irq_count
    cookie = r.submit(cb.attach(dev.device_prep_dma_memcpy(
        c, dest.addr, src.addr, COPY_LEN, DMA_PREP_INTERRUPT | DMA_CTRL_ACK)), "copy")
    if not await cb.wait():
        status = dev.device_tx_status(c, cookie)[0]
        raise r.fail(f"no completion callback within {SELFTEST_TIMEOUT_NS} ns (status "
                     f"{status}, interrupt handler ran {c.irq_count - irqs} times)")
    cb.check_tasklet(r, "completion callback")
    r.check_status(dev.device_tx_status(c, cookie)[0], "copy")
    r.compare(dest, pattern, "copy")


async def _xor(r: _Run) -> None:
    srcs = [r.page(1 << k) for k in range(XOR_SRCS)]
    dest = r.page()
    await r.xor_into(dest, srcs)
    r.xor_srcs, r.xor_dest = srcs, dest
    data = dest.read()
    for off in range(0, PAGE_SIZE, 4):
        word = int.from_bytes(data[off:off + 4], "little")
        if word != 0x0F0F0F0F:
            raise r.fail(f"xor failed compare: word at offset 0x{off:x} reads 0x{word:08x}, "
                         "expected 0x0f0f0f0f")


async def _xor_val(r: _Run) -> None:
    dev, c = r.dev, r.chan
    # sources plus their parity must fit one descriptor: with fewer than 5 hardware sources
    # validate a smaller set and its own parity
    n = min(XOR_SRCS, dev.max_xor - 1)
    srcs = r.xor_srcs[:n]
    parity = r.xor_dest
    if n < XOR_SRCS or parity is None:
        parity = r.page()
        await r.xor_into(parity, srcs, ZERO_SUM_LEN)
    addrs = [p.addr for p in (*srcs, parity)]
    result = SumCheck(1)
    await r.run_op(dev.device_prep_dma_xor_val(c, addrs, len(addrs), ZERO_SUM_LEN, result,
                                               DMA_CTRL_ACK), "zero-sum")  # fmt: skip
    if result.value != 0:
        raise r.fail(f"zero-sum of sources and parity reads {result.value}, expected 0")
    await r.run_op(dev.device_prep_dma_memset(c, parity.addr, 0, ZERO_SUM_LEN, DMA_CTRL_ACK),
                   "memset")  # fmt: skip
    r.compare(parity, bytes(ZERO_SUM_LEN), "memset")
    result = SumCheck(0)
    await r.run_op(dev.device_prep_dma_xor_val(c, addrs, len(addrs), ZERO_SUM_LEN, result,
                                               DMA_CTRL_ACK), "zero-sum")  # fmt: skip
    if result.value != SUM_CHECK_P_RESULT:
        raise r.fail(f"zero-sum after clearing the parity reads {result.value}, expected "
                     f"SUM_CHECK_P_RESULT ({SUM_CHECK_P_RESULT})")


async def _interrupt(r: _Run) -> None:
    dev, c = r.dev, r.chan
    cb = _Callback()
    irqs = c.irq_count
    r.submit(cb.attach(dev.device_prep_dma_interrupt(c, DMA_PREP_INTERRUPT | DMA_CTRL_ACK)),
             "interrupt descriptor")  # fmt: skip
    if not await cb.wait():
        raise r.fail(f"interrupt descriptor's callback did not run within "
                     f"{SELFTEST_TIMEOUT_NS} ns (interrupt handler ran "
                     f"{c.irq_count - irqs} times)")  # fmt: skip
    if c.irq_count == irqs:
        raise r.fail("callback ran but the interrupt handler never did: interrupt not "
                     "delivered")  # fmt: skip
    cb.check_tasklet(r, "callback")


TESTS = (("memcpy", _memcpy), ("xor", _xor), ("xor_val", _xor_val), ("interrupt", _interrupt))


async def run_selftests(dev: DmasimDevice) -> dict[str, int]:
    """Run every self-test on the first channel; returns each one's duration in ns."""
    r = _Run(dev)
    rt = get_runtime()
    durations: dict[str, int] = {}
    c = r.chan
    if await dev.device_alloc_chan_resources(c) < 1:
        raise SelfTestError(str(dev.dev), "alloc_chan_resources", "no descriptors")
    try:
        with _own_channel(c):
            for name, test in TESTS:
                r.test = name
                start = rt.now_ns()
                await test(r)
                durations[name] = rt.now_ns() - start
    finally:
        await dev.device_free_chan_resources(c)
        for p in r.pages:
            dev.mem.free_page(p)
    return durations
