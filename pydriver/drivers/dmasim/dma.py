"""Submission, interrupt, cleanup and error recovery of the dma_top driver (as ioat's dma.c and
mv_xor.c's cleanup).

- tx_submit assigns the cookie and writes the descriptor into the ring at software's TAIL; the
  hardware does not see it yet (no doorbell).
- issue_pending asks for an interrupt on the last descriptor written and posts one TAIL write.
- The interrupt handler (hard-IRQ context) reads INT_CAUSE, notes a halted channel's error
  registers, clears the cause, schedules the tasklet; it touches no descriptor.
- The tasklet harvests completions in ring order up to the HEAD the completion record reports:
  status word (xor_val result), completed cookie, callback, dependencies; then recycles the
  descriptors that are complete and acked.
- A halted channel: descriptors before the faulting one complete normally; the faulting one
  completes with DMA_ERROR (its callback runs once, the error is logged with channel, code and
  address); the channel is reset, the descriptors after it are written again from slot 0 and
  the ones that had been issued are issued again. Other channels never notice.
"""

from __future__ import annotations

import errno
import logging
from typing import TYPE_CHECKING

from ... import regs
from ...dmaengine import (
    DMA_ERROR,
    DMA_PREP_FENCE,
    DMA_SUCCESS,
    SUM_CHECK_P_RESULT,
    DescState,
    DmaAsyncTxDescriptor,
    DmaChan,
    DmaStatus,
    dma_cookie_assign,
    dma_cookie_status,
)
from ...io import IRQ_HANDLED, IRQ_NONE
from ...runtime import Context, get_runtime
from .. import prep_args
from ..bottom_half import complete_descriptor, in_bottom_half, recycle_acked
from .chan import DmasimChan, DmasimDescriptor, HwError
from .hw import CompletionRecord, Status
from .ring import count_add, count_distance

if TYPE_CHECKING:
    from .init import DmasimDevice

__all__ = ["DmasimDma", "RESET_TIMEOUT_NS"]

log = logging.getLogger("pydriver.drivers.dmasim")

RESET_TIMEOUT_NS = 200_000  # a channel reset drains outstanding bus transactions first
RESET_POLL_NS = 200


class DmasimDma:
    """Channel resources, submission, interrupt handling and cleanup of ``DmasimDevice``."""

    # ---------------------------------------------------------------- resources
    def _own(self: DmasimDevice, chan: object) -> DmasimChan:
        return prep_args.own_chan(self, chan, DmasimChan)

    async def device_alloc_chan_resources(self: DmasimDevice, chan: DmaChan) -> int:
        c = self._own(chan)
        if c.dead:
            return -errno.EIO
        c.resources = True
        return c.ring.nslots

    async def device_free_chan_resources(self: DmasimDevice, chan: DmaChan) -> None:
        c = self._own(chan)
        in_bottom_half(self.cleanup, c)
        await self.finish_recovery(c)
        busy = len(c.active)
        if busy or c.recovering:
            # mv_xor only complains; the ring must also be emptied before it is reused
            log.error("%s: freeing %d in-use descriptors", c.hw_name, busy)
            for d in c.active:
                d.state = DescState.FREED
            c.active.clear()
            await self.reset_channel(c)
        for d in c.unacked:
            d.state = DescState.FREED
        c.unacked.clear()
        c.live = 0
        c.resources = False

    # ---------------------------------------------------------------- submit / issue
    def tx_submit(self: DmasimDevice, tx: DmaAsyncTxDescriptor) -> int:
        c = prep_args.usable_chan(self, tx.chan, DmasimChan, "tx_submit")
        assert isinstance(tx, DmasimDescriptor)
        cookie = dma_cookie_assign(tx)
        c.active.append(tx)
        if not c.recovering:  # else the recovery writes it once the ring is clean
            self._write_ring(c, tx)
        return cookie

    def _write_ring(self: DmasimDevice, c: DmasimChan, d: DmasimDescriptor) -> None:
        """Write ``d`` at software's TAIL. Ordering between descriptors: the hardware may
        start a descriptor's reads before the previous one's writes are answered unless FENCE
        is set, so the driver fences every descriptor (``fence_all``, what 2.6.29's implicit
        same-channel ordering needs) or the one after a DMA_PREP_FENCE producer."""
        if self.fence_all or c.fence_next:
            d.fence()
        c.fence_next = bool(d.flags & DMA_PREP_FENCE)
        d.count = c.tail
        self._store(c, d)
        c.tail = count_add(c.tail, d.slots)

    def _store(self: DmasimDevice, c: DmasimChan, d: DmasimDescriptor) -> None:
        assert d.count is not None
        c.ring.store(self.mem.write, d.count, d.encode())

    def device_issue_pending(self: DmasimDevice, chan: DmaChan) -> None:
        c = self._own(chan)
        if c.recovering:
            c.issue_requested = c.issue_requested or bool(c.active)
            return
        if c.tail != c.issued_tail:
            self._issue(c, c.active[-1])

    def _issue(self: DmasimDevice, c: DmasimChan, last: DmasimDescriptor) -> None:
        """Hand the hardware every written descriptor up to ``last``: one posted TAIL write.
        ``last`` interrupts on completion so the cleanup runs without polling."""
        assert last.count is not None
        if not last.hw.int_en:
            last.with_interrupt()
            self._store(c, last)  # still ours: TAIL does not cover it yet
        for d in c.active:
            d.issued = True
            if d is last:
                break
        c.issued_tail = count_add(last.count, last.slots)
        self.io.write32(regs.ch_reg(c.index, regs.CH_TAIL), c.issued_tail)

    # ---------------------------------------------------------------- interrupt
    async def interrupt_handler(self: DmasimDevice, line: int) -> int:
        """Hard-IRQ context: read and clear the cause, note an error, schedule the tasklet."""
        c = self.hw_channels[line]
        cause = await self.io.read32(regs.ch_reg(line, regs.CH_INT_CAUSE))
        if not cause:
            return IRQ_NONE
        if cause & regs.CH_INT_CAUSE_ERROR_MASK:
            c.error = await self.read_error(c)
        self.io.write32(regs.ch_reg(line, regs.CH_INT_CAUSE), cause)  # write 1 to clear
        c.irq_count += 1
        c.tasklet.schedule()
        return IRQ_HANDLED

    async def read_error(self: DmasimDevice, c: DmasimChan) -> HwError:
        def reg(off: int) -> int:
            return regs.ch_reg(c.index, off)

        code = await self.io.read32(reg(regs.CH_ERR_CODE))
        desc = await self.io.read32(reg(regs.CH_ERR_DESC))
        lo = await self.io.read32(reg(regs.CH_ERR_ADDR_LO))
        hi = await self.io.read32(reg(regs.CH_ERR_ADDR_HI))
        return HwError(
            code=(code & regs.CH_ERR_CODE_CODE_MASK) >> regs.CH_ERR_CODE_CODE_SHIFT,
            resp=(code & regs.CH_ERR_CODE_RESP_MASK) >> regs.CH_ERR_CODE_RESP_SHIFT,
            desc=(desc & regs.CH_ERR_DESC_SLOT_MASK) >> regs.CH_ERR_DESC_SLOT_SHIFT,
            addr=(hi << 32) | lo)

    # ---------------------------------------------------------------- cleanup
    def tasklet(self: DmasimDevice, c: DmasimChan) -> None:
        self.cleanup(c)

    def cleanup(self: DmasimDevice, c: DmasimChan) -> None:
        """Harvest completions in ring order, handle a halted channel, recycle acked
        descriptors. Re-entry (a callback polling its own channel) returns at once, as the
        kernel's channel lock would make it wait."""
        if c.in_cleanup:
            return
        c.in_cleanup = True
        try:
            if not c.recovering:
                record = CompletionRecord.decode(self.mem.read(c.cmpl_addr, 8))
                self._harvest_to(c, record.head)
                if c.error is not None:
                    self._fail(c)
            recycle_acked(c, self._release)
        finally:
            c.in_cleanup = False

    @staticmethod
    def _release(d: DmasimDescriptor) -> None:
        d.chan.live -= d.slots

    def _status(self: DmasimDevice, c: DmasimChan, d: DmasimDescriptor) -> Status:
        assert d.count is not None
        return Status(int.from_bytes(self.mem.read(c.ring.slot_addr(d.count), 4), "little"))

    def _harvest_to(self: DmasimDevice, c: DmasimChan, hw_head: int) -> None:
        """Complete every descriptor the hardware's HEAD has passed."""
        while c.active:
            d = c.active[0]
            if d.count is None or count_distance(c.head, hw_head) < d.slots:
                return
            self._retire(c, d)

    def _retire(self: DmasimDevice, c: DmasimChan, d: DmasimDescriptor,
                err: HwError | None = None) -> None:
        status = self._status(c, d)
        c.active.popleft()
        c.head = count_add(c.head, d.slots)
        if err is not None:
            d.error = err
            c.remember_failure(d.cookie, err)
        elif d.result is not None:
            d.result.value = SUM_CHECK_P_RESULT if status.xor_nonzero else 0
        complete_descriptor(c, d)

    def _fail(self: DmasimDevice, c: DmasimChan) -> None:
        """The channel halted: finish what completed, fail the faulting descriptor, reset the
        channel and let the recovery re-post the rest."""
        err, c.error = c.error, None
        assert err is not None
        # descriptors the hardware completed before the fault (status DONE, no ERROR)
        while c.active and c.active[0].count not in (None, err.desc):
            st = self._status(c, c.active[0])
            if not st.done or st.error:
                break
            self._retire(c, c.active[0])
        faulting = c.active[0] if c.active and c.active[0].count == err.desc else None
        c.errors += 1
        log.error("%s: channel %d halted: %s, address 0x%x (ERR_DESC %d, cookie %s)",
                  c.hw_name, c.index, err.name, err.addr, err.desc,
                  faulting.cookie if faulting else "none")  # fmt: skip
        c.recovering = True
        self.io.write32(regs.ch_reg(c.index, regs.CH_CTRL), c.ctrl | regs.CH_CTRL_RESET_MASK)
        if faulting is not None:
            self._retire(c, faulting, err)
        c.recovery = get_runtime().spawn(self._recover(c))

    async def finish_recovery(self: DmasimDevice, c: DmasimChan) -> None:
        """Wait for a running recovery (before the channel is reset or freed otherwise)."""
        if c.recovery is not None:
            task, c.recovery = c.recovery, None
            await task

    async def _recover(self: DmasimDevice, c: DmasimChan) -> None:
        """Process context (the kernel would use a workqueue): wait for the reset, then write
        the remaining descriptors again from slot 0 and issue the ones that were issued."""
        if not await self.wait_reset(c):
            return
        self.restart_ring(c)
        c.recovering = False
        reissue, c.issue_requested = c.issue_requested, False
        last_issued = None
        for d in c.active:
            if d.issued:
                last_issued = d
            d.issued = False
            self._write_ring(c, d)
        if reissue:
            self.device_issue_pending(c)
        elif last_issued is not None:
            self._issue(c, last_issued)

    async def reset_channel(self: DmasimDevice, c: DmasimChan) -> bool:
        """CTRL.RESET (configuration kept) and an empty ring; False if the channel is stuck."""
        self.io.write32(regs.ch_reg(c.index, regs.CH_CTRL), c.ctrl | regs.CH_CTRL_RESET_MASK)
        if not await self.wait_reset(c):
            return False
        self.restart_ring(c)
        return True

    async def wait_reset(self: DmasimDevice, c: DmasimChan) -> bool:
        rt = get_runtime()
        deadline = rt.now_ns() + RESET_TIMEOUT_NS
        idle = regs.CH_STATUS_BUSY_MASK | regs.CH_STATUS_HALTED_MASK
        while True:
            status = await self.io.read32(regs.ch_reg(c.index, regs.CH_STATUS))
            head = await self.io.read32(regs.ch_reg(c.index, regs.CH_HEAD))
            if not status & idle and head == 0:
                return True
            if rt.now_ns() > deadline:
                c.dead = True
                log.error("%s: channel %d did not come out of reset (STATUS 0x%x, HEAD %d)",
                          c.hw_name, c.index, status, head)  # fmt: skip
                return False
            await rt.sleep_ns(RESET_POLL_NS)

    def restart_ring(self: DmasimDevice, c: DmasimChan) -> None:
        """After a reset HEAD and TAIL are 0: so is software's view, and the record."""
        self.mem.write(c.cmpl_addr, CompletionRecord(head=0, status=0).encode())
        c.head = c.tail = c.issued_tail = 0
        c.fence_next = False

    # ---------------------------------------------------------------- status
    def device_tx_status(self: DmasimDevice, chan: DmaChan,
                         cookie: int) -> tuple[DmaStatus, int, int]:
        c = self._own(chan)
        if cookie not in c.failed and dma_cookie_status(c, cookie)[0] != DMA_SUCCESS \
                and get_runtime().current_context() is not Context.HARDIRQ:
            in_bottom_half(self.cleanup, c)  # the poller cleans up itself
        status, last, used = dma_cookie_status(c, cookie)
        if cookie in c.failed:
            return DMA_ERROR, last, used
        return status, last, used
