"""The dma_top driver's logic without a simulator: a register seam in Python (``FakeDmaTop``)
answers reads from a register file, records writes, and lets the test play the hardware by
writing status words and completion records into SystemMemory and raising interrupts.

Probe identity checks, prep argument checks, the ring-full rule, what tx_submit and
issue_pending put into memory and onto the bus, cleanup from the completion record, and the
error path (DMA_ERROR, reset, re-post from slot 0) run here in milliseconds; the same driver
on the simulated controller is tested in tests/system.
"""

from __future__ import annotations

import asyncio

import pytest

from pydriver import dmaengine as de
from pydriver import regs
from pydriver.drivers.dmasim import DmasimDevice, HwError, dma, dmasim_probe, selftest
from pydriver.drivers.dmasim.hw import (
    CompletionRecord,
    ErrCode,
    Op,
    RawDescriptor,
    status_error,
    status_ok,
)
from pydriver.drivers.dmasim.init import DMASIM_ID
from pydriver.drivers.dmasim.ring import RingLayout, count_add
from pydriver.errors import DmaError, DmaValueError, NoDeviceError
from pydriver.io import IrqHandler, RegisterIO
from pydriver.memory import SystemMemory
from pydriver.runtime import Context, get_runtime


@pytest.fixture(autouse=True)
def real_time_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The driver's limits are simulated nanoseconds; under asyncio they are real ones."""
    monkeypatch.setattr(selftest, "SELFTEST_TIMEOUT_NS", 2_000_000_000)
    monkeypatch.setattr(dma, "RESET_TIMEOUT_NS", 2_000_000_000)


class FakeDmaTop(RegisterIO):
    """Registers of a dma_top with ``channels`` channels; the test plays the data path."""

    def __init__(self, channels: int = 2, max_xor: int = 8, ident: int = DMASIM_ID,
                 version: int = 0x00010000) -> None:
        self.regs = {regs.REG_ID: ident, regs.REG_VERSION: version,
                     regs.REG_CONFIG: channels | max_xor << 8 | 8 << 16 | 32 << 24,
                     regs.REG_CAPS: 0x7F, regs.REG_MAX_LEN: 0xFFFFFF}
        self.writes: list[tuple[int, int]] = []
        self.handlers: dict[int, IrqHandler] = {}

    async def read32(self, offset: int) -> int:
        await asyncio.sleep(0)
        return self.regs.get(offset, 0)

    def write32(self, offset: int, value: int) -> None:
        self.writes.append((offset, value))
        if offset >= regs.CH_BASE and (offset - regs.CH_BASE) % regs.CH_STRIDE == \
                regs.CH_INT_CAUSE:
            self.regs[offset] = self.regs.get(offset, 0) & ~value  # write 1 to clear

    def request_irq(self, line: int, handler: IrqHandler) -> None:
        self.handlers[line] = handler

    def free_irq(self, line: int) -> None:
        self.handlers.pop(line, None)

    def ch_writes(self, ch: int, reg: int) -> list[int]:
        return [v for off, v in self.writes if off == regs.ch_reg(ch, reg)]

    def last(self, ch: int, reg: int) -> int:
        return self.ch_writes(ch, reg)[-1]

    async def interrupt(self, ch: int, cause: int) -> None:
        self.regs[regs.ch_reg(ch, regs.CH_INT_CAUSE)] = cause
        handler = self.handlers.get(ch)
        if handler is not None:  # a failing probe may have freed it
            with get_runtime().in_context(Context.HARDIRQ):
                await handler(ch)


class Hardware:
    """Completes a channel's descriptors the way dma_top does: status words, then the
    completion record with the new HEAD, then the interrupt."""

    def __init__(self, dev: DmasimDevice, io: FakeDmaTop) -> None:
        self.dev, self.io = dev, io

    def complete(self, ch: int, upto: int, xor_nonzero: bool = False) -> None:
        c = self.dev.hw_channels[ch]
        head = CompletionRecord.decode(self.dev.mem.read(c.cmpl_addr, 8)).head
        while head != upto:
            first = RawDescriptor.decode(self.dev.mem.read(c.ring.slot_addr(head), 32))
            self.dev.mem.write(c.ring.slot_addr(head),
                               status_ok(xor_nonzero).to_bytes(4, "little"))
            head = count_add(head, first.slots)
            self.dev.mem.write(c.cmpl_addr, CompletionRecord(head, status_ok()).encode())


async def probe(io: FakeDmaTop, mem: SystemMemory, **kw) -> DmasimDevice:
    """Probe with the test acting as the hardware for the self-tests."""
    task = asyncio.ensure_future(dmasim_probe(io, mem, register=False, **kw))
    while not task.done():
        await asyncio.sleep(0)
        if not io.handlers:
            continue
        dev_tail = io.ch_writes(0, regs.CH_TAIL)
        if dev_tail:
            await selftest_hardware(io, mem, dev_tail[-1])
    return task.result()


async def selftest_hardware(io: FakeDmaTop, mem: SystemMemory, tail: int) -> None:
    """Execute channel 0's ring up to ``tail`` in Python (the self-tests' operations)."""
    ring = RingLayout(io.last(0, regs.CH_RING_BASE_LO), io.last(0, regs.CH_RING_SIZE))
    cmpl = io.last(0, regs.CH_CMPL_ADDR_LO)
    head = CompletionRecord.decode(mem.read(cmpl, 8)).head
    if head == tail:
        return
    while head != tail:
        addr = ring.slot_addr(head)
        first = mem.read(addr, 32)
        d = RawDescriptor.decode(first, ring.load(mem.read, head + 1,
                                                  RawDescriptor.decode(first).slots - 1))
        nonzero = False
        if d.op == Op.MEMCPY:
            mem.write(d.dst, mem.read(d.srcs[0], d.length))
        elif d.op == Op.FILL:
            mem.write(d.dst, bytes([d.fill_val]) * d.length)
        elif d.op in (Op.XOR, Op.XOR_VAL):
            acc = 0
            for s in d.srcs[:d.nsrc]:
                acc ^= int.from_bytes(mem.read(s, d.length), "little")
            if d.op == Op.XOR:
                mem.write(d.dst, acc.to_bytes(d.length, "little"))
            nonzero = acc != 0
        mem.write(addr, status_ok(nonzero).to_bytes(4, "little"))
        head = count_add(head, d.slots)
        mem.write(cmpl, CompletionRecord(head, status_ok()).encode())
    await io.interrupt(0, regs.CH_INT_CAUSE_DONE_MASK)


async def until(pred, what: str) -> None:
    """Let the driver's tasks run (real time, bounded) until ``pred()``."""
    for _ in range(1000):
        if pred():
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"never: {what}")


@pytest.mark.parametrize("max_xor", [2, 3, 5, 16])
def test_probe_learns_the_hardware_and_runs_its_self_tests(run, mem, max_xor) -> None:
    """Whatever the XOR source limit, the self-tests find their 0x0F0F0F0F and zero-sums."""
    async def body() -> None:
        io = FakeDmaTop(channels=3, max_xor=max_xor)
        dev = await probe(io, mem, ring_slots=16)
        assert len(dev.channels) == 3 and dev.max_xor == max_xor and dev.max_len == 0xFFFFFF
        assert set(dev.selftest_ns) == {"memcpy", "xor", "xor_val", "interrupt"}
        for ch in range(3):
            assert io.ch_writes(ch, regs.CH_RING_SIZE) == [4]
            assert io.ch_writes(ch, regs.CH_CTRL)[-1] == \
                regs.CH_CTRL_ENABLE_MASK | regs.CH_CTRL_CMPL_WB_EN_MASK
            assert io.ch_writes(ch, regs.CH_WIN_BASE_LO) == [4096]
        assert sorted(io.handlers) == [0, 1, 2]
        assert de.state().registered == []  # register=False

    run(body())


@pytest.mark.parametrize("field, value, message", [
    ("ident", 0x12345678, "ID register reads 0x12345678"),
    ("version", 0x00020000, "major 2"),
])
def test_probe_refuses_a_controller_it_does_not_know(run, mem, field, value, message) -> None:
    async def body() -> None:
        free = mem.free_pages
        with pytest.raises(NoDeviceError, match=message):
            await dmasim_probe(FakeDmaTop(**{field: value}), mem)
        assert mem.free_pages == free and de.state().registered == []

    run(body())


@pytest.mark.parametrize("kw, message", [
    ({"ring_slots": 12}, "power of two"),
    ({"ring_slots": 1}, "power of two"),
    ({"coalesce": (256, 0)}, "coalesce"),
])
def test_probe_options_are_checked(run, mem, kw, message) -> None:
    async def body() -> None:
        with pytest.raises(DmaValueError, match=message):
            await dmasim_probe(FakeDmaTop(), mem, **kw)

    run(body())


async def ready(mem: SystemMemory, ring_slots: int = 8) -> tuple[DmasimDevice, FakeDmaTop,
                                                                    de.DmaChan]:
    io = FakeDmaTop()
    dev = await probe(io, mem, ring_slots=ring_slots)
    await de.dma_async_device_register(dev)
    chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY),
                                        lambda c, p: c.chan_id == 1)
    io.writes.clear()
    return dev, io, chan


def test_prep_checks_arguments_and_changes_nothing(run, mem) -> None:
    async def body() -> None:
        dev, io, chan = await ready(mem)
        a, b = mem.alloc_page().addr, mem.alloc_page().addr
        with pytest.raises(DmaValueError, match="exceeds the hardware limit"):
            dev.device_prep_dma_memcpy(chan, a, b, 1 << 24, 0)
        with pytest.raises(DmaValueError, match="exceed max_xor 8"):
            dev.device_prep_dma_xor(chan, a, [b] * 9, 9, 64, 0)
        with pytest.raises(DmaValueError, match="outside DMA memory"):
            dev.device_prep_dma_memset(chan, mem.size, 0, 64, 0)
        with pytest.raises(DmaError, match="foreign channel"):
            dev.device_prep_dma_interrupt(de.DmaChan(), 0)
        with pytest.raises(DmaError, match="unknown control flags"):
            dev.device_prep_dma_interrupt(chan, 1 << 20)
        assert chan.live == 0 and io.writes == []

    run(body())


def test_submit_writes_the_ring_and_issue_rings_the_doorbell_once(run, mem) -> None:
    async def body() -> None:
        dev, io, chan = await ready(mem)
        a, b, p = (mem.alloc_page().addr for _ in range(3))
        srcs = [a, b, p, a, b, p]  # 6 sources: one extension slot
        t1 = dev.device_prep_dma_memcpy(chan, b, a, 100, 0)
        t2 = dev.device_prep_dma_xor(chan, p, srcs, 6, 64, de.DMA_CTRL_ACK)
        assert chan.live == 3 and chan.tail == 0  # prep reserves, writes nothing
        t2.tx_submit()
        t1.tx_submit()  # submission order, not prep order, decides the ring order
        assert (t2.count, t1.count, chan.tail) == (0, 2, 3)
        d2 = RawDescriptor.decode(mem.read(chan.ring.slot_addr(0), 32),
                                  mem.read(chan.ring.slot_addr(1), 32))
        assert d2.op == Op.XOR and d2.srcs[:6] == tuple(srcs) and d2.fence
        assert io.writes == []  # no doorbell before issue_pending
        dev.device_issue_pending(chan)
        dev.device_issue_pending(chan)  # nothing new: no second write
        assert io.ch_writes(1, regs.CH_TAIL) == [3]
        last = RawDescriptor.decode(mem.read(chan.ring.slot_addr(2), 32))
        assert last.int_en and last.op == Op.MEMCPY  # the batch's last one interrupts

    run(body())


def test_cleanup_harvests_from_the_completion_record(run, mem) -> None:
    async def body() -> None:
        dev, io, chan = await ready(mem)
        hw = Hardware(dev, io)
        a, p = mem.alloc_page().addr, mem.alloc_page().addr
        seen = []
        txs = []
        for k in range(3):
            result = de.SumCheck(7)
            tx = dev.device_prep_dma_xor_val(chan, [a, p], 2, 64, result, 0)
            tx.callback, tx.callback_param = seen.append, (k, result)
            tx.tx_submit()
            txs.append(tx)
        dev.device_issue_pending(chan)
        hw.complete(1, 2, xor_nonzero=True)  # two of three done
        await io.interrupt(1, regs.CH_INT_CAUSE_DONE_MASK)
        await asyncio.sleep(0)
        assert [k for k, _ in seen] == [0, 1] and seen[0][1].value == de.SUM_CHECK_P_RESULT
        assert de.dma_async_is_tx_complete(chan, txs[2].cookie)[0] == de.DMA_IN_PROGRESS
        hw.complete(1, 3)
        # tx_status polling cleans up itself (no interrupt needed)
        assert de.dma_async_is_tx_complete(chan, txs[2].cookie)[0] == de.DMA_SUCCESS
        assert [k for k, _ in seen] == [0, 1, 2] and seen[2][1].value == 0
        assert io.regs[regs.ch_reg(1, regs.CH_INT_CAUSE)] == 0  # the handler cleared it

    run(body())


def test_ring_full_returns_none_until_acked_descriptors_are_recycled(run, mem) -> None:
    async def body() -> None:
        dev, io, chan = await ready(mem, ring_slots=4)
        hw = Hardware(dev, io)
        a, b = mem.alloc_page().addr, mem.alloc_page().addr
        txs = [dev.device_prep_dma_memcpy(chan, b, a, 64, 0) for _ in range(4)]
        assert dev.device_prep_dma_memcpy(chan, b, a, 64, 0) is None
        for tx in txs:
            tx.tx_submit()
        dev.device_issue_pending(chan)
        hw.complete(1, 4)
        await io.interrupt(1, regs.CH_INT_CAUSE_DONE_MASK)
        await asyncio.sleep(0)
        assert dev.device_prep_dma_memcpy(chan, b, a, 64, 0) is None  # complete, not acked
        for tx in txs:
            de.async_tx_ack(tx)
        assert dev.device_prep_dma_memcpy(chan, b, a, 64, 0) is None  # schedules the cleanup
        await asyncio.sleep(0)
        assert dev.device_prep_dma_memcpy(chan, b, a, 64, 0) is not None

    run(body())


def test_a_fault_fails_its_descriptor_and_the_rest_is_reposted(run, mem) -> None:
    async def body() -> None:
        dev, io, chan = await ready(mem)
        hw = Hardware(dev, io)
        a, b = mem.alloc_page().addr, mem.alloc_page().addr
        calls = []
        txs = []
        for k in range(4):
            tx = dev.device_prep_dma_memcpy(chan, b, a, 64, de.DMA_CTRL_ACK)
            tx.callback, tx.callback_param = calls.append, k
            tx.tx_submit()
            txs.append(tx)
        dev.device_issue_pending(chan)
        hw.complete(1, 1)  # the first completes, the second faults
        mem.write(chan.ring.slot_addr(1), status_error(ErrCode.DATA_READ).to_bytes(4, "little"))
        r = lambda reg: regs.ch_reg(1, reg)  # noqa: E731
        io.regs.update({r(regs.CH_ERR_CODE): ErrCode.DATA_READ | 2 << 8, r(regs.CH_ERR_DESC): 1,
                        r(regs.CH_ERR_ADDR_LO): a + 8, r(regs.CH_STATUS): 2})
        await io.interrupt(1, regs.CH_INT_CAUSE_ERROR_MASK)
        await asyncio.sleep(0)
        assert calls == [0, 1] and chan.recovering
        assert chan.failed[txs[1].cookie] == HwError(ErrCode.DATA_READ, 2, 1, a + 8)
        assert de.dma_async_is_tx_complete(chan, txs[1].cookie)[0] == de.DMA_ERROR
        assert io.ch_writes(1, regs.CH_CTRL)[-1] & regs.CH_CTRL_RESET_MASK
        io.regs.update({r(regs.CH_STATUS): 0, r(regs.CH_ERR_CODE): 0})  # the reset is done
        await until(lambda: not chan.recovering, "recovered")
        assert not chan.recovering and (txs[2].count, txs[3].count) == (0, 1)
        assert io.ch_writes(1, regs.CH_TAIL)[-1] == 2  # the two after it, issued again
        hw.complete(1, 2)
        await io.interrupt(1, regs.CH_INT_CAUSE_DONE_MASK)
        await asyncio.sleep(0)
        assert calls == [0, 1, 2, 3] and chan.errors == 1

    run(body())
