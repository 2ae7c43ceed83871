"""SoftDmaDevice: a software-only dmaengine provider working on SystemMemory.

It behaves like a ring/slot driver (iop-adma, mv_xor) as seen through the dmaengine API:

- prep hooks check their arguments and build a descriptor (cookie -EBUSY); they return None
  only where a real driver would: when the channel's descriptor slots (``ring_slots``) are all
  in use. Then they schedule the cleanup tasklet, as iop/mv do, so acked descriptors are
  reclaimed.
- tx_submit only queues (assigns the cookie); nothing runs before issue_pending
  (docs/kernel-model.md, R66), or before ``pending_threshold`` submitted descriptors pile up if
  one is set (R57).
- a per-channel "engine" task executes issued descriptors in submission order, each after an
  optional delay, then raises an interrupt: the hard-IRQ handler only schedules the tasklet;
  the tasklet harvests completions in order, records the completed cookie, runs the callback,
  then dma_run_dependencies, and recycles descriptors that are complete AND acked (R58, R63,
  R65, R66).
- device_tx_status answers by the cookie rule and, like iop/mv, runs the cleanup itself when the
  cookie is not yet done (R61).

Test hooks: ``delay_ns`` (per descriptor, also ``tx.delay_ns``), ``stall``/``resume`` an engine,
``alloc_error`` (per device or per channel) to make alloc_chan_resources fail, and the
``alloc_calls``/``free_calls``/``irq_count`` counters. A subclass may override any hook, or
:meth:`execute` to change what the "hardware" does.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Sequence
from typing import Any

from .dmaengine import (
    DMA_INTERRUPT,
    DMA_MEMCPY,
    DMA_MEMSET,
    DMA_PREP_INTERRUPT,
    DMA_PRIVATE,
    DMA_SUCCESS,
    DMA_XOR,
    DMA_XOR_VAL,
    SUM_CHECK_P_RESULT,
    DescState,
    DmaAsyncTxDescriptor,
    DmaChan,
    DmaDevice,
    DmaStatus,
    DmaTxType,
    DriverModule,
    check_tx_type,
    dma_cookie_assign,
    dma_cookie_status,
)
from .drivers import prep_args
from .drivers.bottom_half import complete_descriptor, in_bottom_half, recycle_acked
from .drivers.prep_args import check_int
from .memory import SystemMemory
from .runtime import Context, Event, Tasklet, get_runtime

__all__ = ["SoftDmaDevice", "SoftChan", "SoftDescriptor", "DEFAULT_CAPS"]

log = logging.getLogger(__name__)

DEFAULT_CAPS = (DMA_MEMCPY, DMA_XOR, DMA_XOR_VAL, DMA_MEMSET, DMA_INTERRUPT)
_SUPPORTED = frozenset((*DEFAULT_CAPS, DMA_PRIVATE))
NOMINAL_SLOTS = 128  # what alloc_chan_resources reports when the ring is unlimited


class SoftDescriptor(DmaAsyncTxDescriptor):
    """A descriptor plus the operation the soft engine performs for it."""

    def __init__(self, chan: SoftChan, op: DmaTxType, flags: int, **args: Any) -> None:
        super().__init__(chan, flags, chan.device._tx_submit)
        self.op = op
        self.dest: int | None = args.get("dest")
        self.srcs: tuple[int, ...] = tuple(args.get("srcs", ()))
        self.length: int = args.get("length", 0)
        self.value: int = args.get("value", 0)
        self.result: Any = args.get("result")
        self.delay_ns: int = chan.device.delay_ns
        self.hw_done = False  # the engine has executed it (cleanup not necessarily run)


class SoftChan(DmaChan):
    """A channel of a SoftDmaDevice with its software queues."""

    def __init__(self, device: SoftDmaDevice) -> None:
        super().__init__(device)
        self.pending: deque[SoftDescriptor] = deque()  # submitted, not yet issued
        self.hw_queue: deque[SoftDescriptor] = deque()  # issued, not yet executed
        self.active: deque[SoftDescriptor] = deque()  # issued, not yet cleaned up
        self.unacked: list[SoftDescriptor] = []  # complete, waiting for the client's ack
        self.live = 0  # descriptor slots in use (prepared and not yet recycled)
        self.resources = False  # between alloc_chan_resources and free_chan_resources
        self.tasklet = Tasklet(device.tasklet, self)
        self.engine_running = False
        self.stalled = False
        self._resume: Event | None = None
        self.in_cleanup = False
        self.alloc_error = 0  # test hook: a negative errno makes alloc_chan_resources fail
        self.alloc_calls = 0
        self.free_calls = 0
        self.irq_count = 0
        self.completed = 0  # descriptors cleaned up


class SoftDmaDevice(DmaDevice):
    """A provider that performs its descriptors in Python on ``mem``."""

    def __init__(
        self,
        mem: SystemMemory,
        nr_channels: int = 1,
        caps: Iterable[DmaTxType] = DEFAULT_CAPS,
        max_xor: int = 8,
        *,
        ring_slots: int | None = None,
        delay_ns: int = 0,
        max_len: int = 1 << 24,
        pending_threshold: int | None = None,
        alloc_error: int = 0,
        name: str = "soft_dma",
        owner: DriverModule | None = None,
    ) -> None:
        if not isinstance(mem, SystemMemory):
            raise TypeError(f"mem must be a SystemMemory, got {type(mem).__name__}")
        check_int("nr_channels", nr_channels)
        if nr_channels < 1:
            raise ValueError(f"nr_channels must be >= 1, got {nr_channels}")
        check_int("max_xor", max_xor)
        if max_xor < 2:
            raise ValueError(f"max_xor must be >= 2, got {max_xor}")
        if ring_slots is not None and check_int("ring_slots", ring_slots) < 1:
            raise ValueError(f"ring_slots must be >= 1 or None, got {ring_slots}")
        if check_int("delay_ns", delay_ns) < 0:
            raise ValueError("delay_ns must be >= 0")
        if pending_threshold is not None and check_int("pending_threshold", pending_threshold) < 1:
            raise ValueError("pending_threshold must be >= 1 or None")
        if check_int("alloc_error", alloc_error) > 0:
            raise ValueError("alloc_error must be 0 or a negative errno")
        super().__init__(dev=name, owner=owner)
        self.mem = mem
        self.max_xor = max_xor
        self.ring_slots = ring_slots
        self.delay_ns = delay_ns
        self.max_len = check_int("max_len", max_len)
        self.pending_threshold = pending_threshold
        for t in caps:
            t = check_tx_type(t, "caps entry")
            if t not in _SUPPORTED:
                raise ValueError(f"SoftDmaDevice cannot do {t}")
            self.cap_mask.bits |= 1 << t
        self.channels = [SoftChan(self) for _ in range(nr_channels)]
        for chan in self.channels:
            chan.alloc_error = alloc_error

    # ---------------------------------------------------------------- resources
    async def device_alloc_chan_resources(self, chan: DmaChan) -> int:
        c = self._own(chan)
        c.alloc_calls += 1
        if c.alloc_error:
            return c.alloc_error
        c.resources = True
        return self.ring_slots or NOMINAL_SLOTS

    async def device_free_chan_resources(self, chan: DmaChan) -> None:
        c = self._own(chan)
        c.free_calls += 1
        self._cleanup_bh(c)
        busy = len(c.pending) + len(c.active)
        if busy:  # mv_xor only complains, too
            log.error("%s: freeing %d in-use descriptors", c.name, busy)
        for d in (*c.pending, *c.active, *c.unacked):
            d.state = DescState.FREED
        c.pending.clear()
        c.hw_queue.clear()
        c.active.clear()
        c.unacked.clear()
        c.live = 0
        c.resources = False

    # ---------------------------------------------------------------- checks
    def _own(self, chan: object) -> SoftChan:
        return prep_args.own_chan(self, chan, SoftChan)

    def _usable(self, chan: object, op: str) -> SoftChan:
        return prep_args.usable_chan(self, chan, SoftChan, op)

    def _alloc_slot(self, c: SoftChan) -> bool:
        if self.ring_slots is not None and c.live >= self.ring_slots:
            c.tasklet.schedule()  # like iop/mv: let the cleanup reclaim acked slots
            return False
        c.live += 1
        return True

    # ---------------------------------------------------------------- prep hooks
    def device_prep_dma_memcpy(
        self, chan: DmaChan, dest: int, src: int, length: int, flags: int
    ) -> SoftDescriptor | None:
        c, f, n, d, s = prep_args.memcpy_args(self, chan, SoftChan, dest, src, length, flags)
        if not self._alloc_slot(c):
            return None
        return SoftDescriptor(c, DMA_MEMCPY, f, dest=d, srcs=(s,), length=n)

    def device_prep_dma_xor(
        self, chan: DmaChan, dest: int, srcs: Sequence[int], src_cnt: int, length: int,
        flags: int,
    ) -> SoftDescriptor | None:  # fmt: skip
        c, f, n, d, s = prep_args.xor_args(self, chan, SoftChan, dest, srcs, src_cnt, length,
                                           flags)  # fmt: skip
        if not self._alloc_slot(c):
            return None
        return SoftDescriptor(c, DMA_XOR, f, dest=d, srcs=s, length=n)

    def device_prep_dma_xor_val(
        self, chan: DmaChan, srcs: Sequence[int], src_cnt: int, length: int, result: Any,
        flags: int,
    ) -> SoftDescriptor | None:  # fmt: skip
        c, f, n, s = prep_args.xor_val_args(self, chan, SoftChan, srcs, src_cnt, length, result,
                                            flags)  # fmt: skip
        if not self._alloc_slot(c):
            return None
        return SoftDescriptor(c, DMA_XOR_VAL, f, srcs=s, length=n, result=result)

    def device_prep_dma_memset(
        self, chan: DmaChan, dest: int, value: int, length: int, flags: int
    ) -> SoftDescriptor | None:
        c, f, n, d, v = prep_args.memset_args(self, chan, SoftChan, dest, value, length, flags)
        if not self._alloc_slot(c):
            return None
        return SoftDescriptor(c, DMA_MEMSET, f, dest=d, length=n, value=v)

    def device_prep_dma_interrupt(self, chan: DmaChan, flags: int) -> SoftDescriptor | None:
        c, f = prep_args.interrupt_args(self, chan, SoftChan, flags)
        if not self._alloc_slot(c):
            return None
        return SoftDescriptor(c, DMA_INTERRUPT, f)

    # ---------------------------------------------------------------- submit / issue
    def _tx_submit(self, tx: DmaAsyncTxDescriptor) -> int:
        c = self._usable(tx.chan, "tx_submit")
        cookie = dma_cookie_assign(tx)
        c.pending.append(tx)  # type: ignore[arg-type]
        if self.pending_threshold is not None and len(c.pending) >= self.pending_threshold:
            self._issue(c)
        return cookie

    def device_issue_pending(self, chan: DmaChan) -> None:
        self._issue(self._own(chan))

    def _issue(self, c: SoftChan) -> None:
        if not c.pending:
            return
        c.hw_queue.extend(c.pending)
        c.active.extend(c.pending)
        c.pending.clear()
        if not c.engine_running:
            c.engine_running = True
            get_runtime().spawn(self._engine(c))

    # ---------------------------------------------------------------- the "hardware"
    def stall(self, chan: DmaChan) -> None:
        """Freeze the channel's engine before its next descriptor (a stuck engine)."""
        c = self._own(chan)
        c.stalled = True
        c._resume = get_runtime().create_event()

    def resume(self, chan: DmaChan) -> None:
        c = self._own(chan)
        c.stalled = False
        if c._resume is not None:
            c._resume.set()

    def op_delay_ns(self, desc: SoftDescriptor) -> int:
        """How long the engine takes for ``desc`` (override for a timing model)."""
        return desc.delay_ns

    async def _engine(self, c: SoftChan) -> None:
        rt = get_runtime()
        try:
            while c.hw_queue:
                if c.stalled and c._resume is not None:
                    await c._resume.wait()
                desc = c.hw_queue[0]
                await rt.sleep_ns(self.op_delay_ns(desc))  # always completes later, never inline
                if not c.hw_queue or c.hw_queue[0] is not desc:
                    continue  # resources were freed meanwhile
                if c.stalled:
                    continue
                c.hw_queue.popleft()
                self.execute(desc)
                desc.hw_done = True
                if desc.flags & DMA_PREP_INTERRUPT or desc.op is DMA_INTERRUPT:
                    self._raise_irq(c)
            self._raise_irq(c)  # end of chain
        finally:
            c.engine_running = False

    def execute(self, desc: SoftDescriptor) -> None:
        """Perform ``desc`` on memory (what the hardware data path does)."""
        mem, n = self.mem, desc.length
        if desc.op is DMA_MEMCPY:
            mem.write(desc.dest, mem.read(desc.srcs[0], n))
        elif desc.op is DMA_MEMSET:
            mem.write(desc.dest, bytes([desc.value]) * n)
        elif desc.op in (DMA_XOR, DMA_XOR_VAL):
            acc = 0
            for s in desc.srcs:  # all sources read before dest is written: in-place works
                acc ^= int.from_bytes(mem.read(s, n), "little")
            if desc.op is DMA_XOR:
                mem.write(desc.dest, acc.to_bytes(n, "little"))
            else:
                desc.result.value = 0 if acc == 0 else SUM_CHECK_P_RESULT

    def _raise_irq(self, c: SoftChan) -> None:
        with get_runtime().in_context(Context.HARDIRQ):
            self.interrupt_handler(c)

    def interrupt_handler(self, chan: SoftChan) -> None:
        """Hard-IRQ context: acknowledge and schedule the tasklet; no descriptor is touched."""
        chan.irq_count += 1
        chan.tasklet.schedule()

    # ---------------------------------------------------------------- cleanup
    def tasklet(self, chan: SoftChan) -> None:
        self.cleanup(chan)

    def cleanup(self, chan: SoftChan) -> None:
        """Harvest finished descriptors in order: completed cookie, callback, dependencies,
        then recycle the ones that are complete and acked."""
        if chan.in_cleanup:  # a callback polled its own channel: the kernel holds the lock
            return
        chan.in_cleanup = True
        try:
            while chan.active and chan.active[0].hw_done:
                complete_descriptor(chan, chan.active.popleft())
            recycle_acked(chan, self._release)
        finally:
            chan.in_cleanup = False

    @staticmethod
    def _release(desc: SoftDescriptor) -> None:
        desc.chan.live -= 1

    def device_tx_status(self, chan: DmaChan, cookie: int) -> tuple[DmaStatus, int, int]:
        c = self._own(chan)
        status, last, used = dma_cookie_status(c, cookie)
        if status == DMA_SUCCESS:
            return status, last, used
        if get_runtime().current_context() is not Context.HARDIRQ:
            self._cleanup_bh(c)  # R61: the poller cleans up itself
        return dma_cookie_status(c, cookie)

    def _cleanup_bh(self, chan: SoftChan) -> None:
        in_bottom_half(self.cleanup, chan)
