"""One dmatest thread (dmatest_func): random lengths and offsets in its buffers, fill, prep,
submit, issue, wait for the callback, check the status and every byte; count and time it."""

from __future__ import annotations

import errno
import logging
import random
from dataclasses import dataclass

from ..dmaengine import (
    DMA_CTRL_ACK,
    DMA_ERROR,
    DMA_MEMCPY,
    DMA_MEMSET,
    DMA_PREP_INTERRUPT,
    DMA_SUCCESS,
    DmaAsyncTxDescriptor,
    DmaChan,
    DmaTxType,
    dma_async_is_tx_complete,
    dma_async_issue_pending,
    state,
)
from ..errors import DmaError, OutOfMemoryError
from ..memory import PAGE_SIZE, Page, SystemMemory
from ..runtime import Event, get_runtime
from .patterns import (
    DESTINATION_MISMATCH,
    GUARD_OVERWRITTEN,
    MAX_ERROR_COUNT,
    PATTERN_COPY,
    PATTERN_DST,
    PATTERN_SRC,
    SOURCE_OVERWRITTEN,
    Mismatch,
    init_dst,
    init_src,
    regions,
    verify,
)
from .result import DmatestResult, dmatest_kbs, dmatest_persec

__all__ = ["Params", "DmatestThread", "OP_NAMES", "GUARD_BYTES"]

log = logging.getLogger("pydriver.dmatest")

OP_NAMES = {DMA_MEMCPY: "copy", DMA_MEMSET: "set", DmaTxType.XOR: "xor"}  # thread name parts
GUARD_BYTES = 64  # checked zone before and after each buffer
ERROR_SLEEP_NS = 100_000_000  # the kernel's msleep(100) after a prep or submit error ...
KEPT_MISMATCHES = 256  # reported wrong bytes kept per thread (all are counted)


@dataclass(frozen=True)
class Params:
    test_buf_size: int
    iterations: int
    xor_sources: int
    timeout_ms: int
    noverify: bool


def error_sleep_ns() -> int:
    """... capped by the core's kernel-timeout setting (reset(sync_wait_timeout_ns=...)), as
    every kernel wait in dmasim is, so a simulation does not idle for 100 ms."""
    return min(ERROR_SLEEP_NS, state().sync_wait_ns)


def min_odd(x: int, y: int) -> int:
    val = min(x, y)
    return val if val % 2 else val - 1


class DmatestThread:
    def __init__(self, chan: DmaChan, tx_type: DmaTxType, index: int, params: Params,
                 seed: int) -> None:  # fmt: skip
        self.chan = chan
        self.tx_type = tx_type
        self.params = params
        self.name = f"{chan.name}-{OP_NAMES[tx_type]}{index}"
        self.rng = random.Random(f"{seed}:{self.name}")
        self.result = DmatestResult(self.name)
        self.finished: Event = get_runtime().create_event()
        self.error: BaseException | None = None
        self._stopped = False

    # ---------------------------------------------------------------- reporting
    def _result(self, err: str, n: int, src_off: int, dst_off: int, length: int,
                data: int) -> None:  # fmt: skip
        line = (f"{self.name}: result #{n}: '{err}' with src_off={src_off:#x} "
                f"dst_off={dst_off:#x} len={length:#x} ({data})")  # fmt: skip
        log.info("%s", line)
        self.result.messages.append(line)

    def _callback(self, done: Event) -> None:
        if self._stopped:
            log.warning("%s: dmatest: Kernel memory may be corrupted!! (late callback)", self.name)
            return
        done.set()

    # ---------------------------------------------------------------- running
    async def run(self) -> None:
        """The thread body; never raises (an unexpected error is kept in ``error``)."""
        try:
            await self._run()
        except Exception as exc:  # reported by dmatest() once every thread has finished
            self.error = exc
        finally:
            self._stopped = True
            log.info("%s", self.result.summary)
            self.finished.set()

    async def _run(self) -> None:
        dev = self.chan.device
        mem: SystemMemory = dev.mem
        p = self.params
        if self.tx_type == DMA_MEMCPY:
            align, src_cnt, is_memset = dev.copy_align, 1, False
        elif self.tx_type == DMA_MEMSET:
            align, src_cnt, is_memset = dev.fill_align, 1, True
        else:  # odd, so that the XOR of identical sources is the source
            align, src_cnt, is_memset = (
                dev.xor_align,
                min_odd(p.xor_sources | 1, dev.max_xor),
                False,
            )
        size = p.test_buf_size
        if 1 << align > size:
            self.result.status = -errno.EINVAL
            self.result.messages.append(f"{self.name}: {size}-byte buffer too small for "
                                        f"{1 << align}-byte alignment")  # fmt: skip
            return
        guard = max(GUARD_BYTES, 1 << align)
        npages = -(-(size + 2 * guard) // PAGE_SIZE)
        blocks: list[list[Page]] = []
        try:
            for _ in range(src_cnt + 1):
                blocks.append(mem.alloc_pages(npages))
        except OutOfMemoryError as exc:
            for block in blocks:
                for page in block:
                    mem.free_page(page)
            self.result.status = -errno.ENOMEM
            self.result.messages.append(f"{self.name}: buffer allocation failed: {exc}")
            return
        try:
            bufs = [b[0].addr + guard for b in blocks]
            await self._loop(mem, bufs[:src_cnt], bufs[src_cnt], align, guard, is_memset)
        finally:
            for block in blocks:
                for page in block:
                    mem.free_page(page)

    async def _loop(self, mem: SystemMemory, srcs: list[int], dst: int, align: int, guard: int,
                    is_memset: bool) -> None:  # fmt: skip
        rt = get_runtime()
        p, res, chan, dev = self.params, self.result, self.chan, self.chan.device
        size = p.test_buf_size
        flags = DMA_CTRL_ACK | DMA_PREP_INTERRUPT
        timeout_ns = None if p.timeout_ms < 0 else p.timeout_ms * 1_000_000
        filltime = comparetime = 0
        start_ns = rt.now_ns()
        while res.tests < p.iterations:
            res.tests += 1
            n = res.tests
            length = size if p.noverify else self.rng.getrandbits(32) % size + 1
            length = (length >> align) << align or 1 << align
            res.total_len += length
            src_off = dst_off = 0
            if not p.noverify:
                t = rt.now_ns()
                src_off = (self.rng.getrandbits(32) % (size - length + 1)) >> align << align
                dst_off = (self.rng.getrandbits(32) % (size - length + 1)) >> align << align
                for s in srcs:
                    mem.write(s - guard, init_src(src_off, length, size, guard, is_memset))
                mem.write(dst - guard, init_dst(dst_off, length, size, guard, is_memset))
                filltime += rt.now_ns() - t
            tx = self._prep(mem, srcs, dst, src_off, dst_off, length, flags)
            if tx is None:
                self._result("prep error", n, src_off, dst_off, length, 0)
                await rt.sleep_ns(error_sleep_ns())
                res.failures += 1
                continue
            done = rt.create_event()
            tx.callback, tx.callback_param = self._callback, done
            try:
                cookie = tx.tx_submit()
            except DmaError as exc:
                log.warning("%s: tx_submit raised %s", self.name, exc)
                cookie = -errno.EINVAL
            if cookie < 0:
                self._result("submit error", n, src_off, dst_off, length, 0)
                await rt.sleep_ns(error_sleep_ns())
                res.failures += 1
                continue
            dma_async_issue_pending(chan)
            completed = await done.wait(timeout_ns)
            status, _, _ = dma_async_is_tx_complete(chan, cookie)
            if not completed:
                self._result("test timed out", n, src_off, dst_off, length, 0)
                res.failures += 1
                continue
            if status != DMA_SUCCESS:
                err = "completion error status" if status == DMA_ERROR else "completion busy status"
                self._result(err, n, src_off, dst_off, length, 0)
                res.failures += 1
                continue
            if p.noverify:
                continue
            t = rt.now_ns()
            errors = self._verify(mem, srcs, dst, src_off, dst_off, length, guard, is_memset)
            comparetime += rt.now_ns() - t
            if errors:
                self._result("data error", n, src_off, dst_off, length, errors)
                res.failures += 1
        res.runtime_us = (rt.now_ns() - start_ns - comparetime - filltime) // 1000
        res.iops = dmatest_persec(res.runtime_us, res.tests)
        res.kbps = dmatest_kbs(res.runtime_us, res.total_len)
        if res.failures and dev.device_terminate_all is not None:
            dev.device_terminate_all(chan)

    def _prep(self, mem: SystemMemory, srcs: list[int], dst: int, src_off: int, dst_off: int,
              length: int, flags: int) -> DmaAsyncTxDescriptor | None:  # fmt: skip
        dev, chan = self.chan.device, self.chan
        try:
            if self.tx_type == DMA_MEMCPY:
                return dev.device_prep_dma_memcpy(chan, dst + dst_off, srcs[0] + src_off,
                                                  length, flags)  # fmt: skip
            if self.tx_type == DMA_MEMSET:
                value = mem.read(srcs[0] + src_off, 1)[0]
                return dev.device_prep_dma_memset(chan, dst + dst_off, value, length, flags)
            addrs = [s + src_off for s in srcs]
            return dev.device_prep_dma_xor(chan, dst + dst_off, addrs, len(addrs), length, flags)
        except DmaError as exc:  # the kernel's prep returns NULL instead
            log.warning("%s: prep refused: %s", self.name, exc)
            return None

    def _verify(self, mem: SystemMemory, srcs: list[int], dst: int, src_off: int, dst_off: int,
                length: int, guard: int, is_memset: bool) -> int:  # fmt: skip
        size = self.params.test_buf_size
        copied = PATTERN_SRC | PATTERN_COPY
        src_regions = regions(src_off, length, src_off, size, guard, PATTERN_SRC, copied,
                              SOURCE_OVERWRITTEN, SOURCE_OVERWRITTEN)  # fmt: skip
        dst_regions = regions(dst_off, length, src_off, size, guard, PATTERN_DST, copied,
                              GUARD_OVERWRITTEN, DESTINATION_MISMATCH)  # fmt: skip
        names = ["srcbuf"] if len(srcs) == 1 else [f"srcbuf{i}" for i in range(len(srcs))]
        jobs = [(s, name, src_regions) for s, name in zip(srcs, names, strict=True)]
        jobs.append((dst, "dstbuf", dst_regions))
        errors = 0
        for addr, name, stretches in jobs:
            data = mem.read(addr - guard, size + 2 * guard)
            for region in stretches:
                found: list[Mismatch] = []
                count = verify(data, -guard, region, name, is_memset, found)
                errors += count
                self._report(found, count)
        return errors

    def _report(self, found: list[Mismatch], count: int) -> None:
        res = self.result
        for m in found:
            if len(res.mismatches) < KEPT_MISMATCHES:
                res.mismatches.append(m)
                res.messages.append(m.message(self.name))
            log.warning("%s", m.message(self.name))
        if count > MAX_ERROR_COUNT:
            line = f"{self.name}: {count - MAX_ERROR_COUNT} errors suppressed"
            log.warning("%s", line)
            res.messages.append(line)
