"""The dma_top provider driver's probe on the simulated controller: what it learns from the
hardware, its self-tests (cycle counts logged), registration options, and remove."""

from __future__ import annotations

import cocotb

from pydriver import dmaengine as de
from pydriver import regs
from pydriver.async_tx import async_memcpy, async_tx_init, init_async_submit
from pydriver.drivers.dmasim import SelfTestError, dmasim_probe, dmasim_remove
from pydriver.errors import DeviceBusyError
from pydriver.io import IrqHandler, RegisterIO
from tb.refmodel import BusFault
from tb.system import DmaSystem


@cocotb.test()
async def probe_registers_what_the_hardware_reports(dut):
    """CONFIG/CAPS become channels, max_xor and cap_mask; self-tests pass; registered."""
    system = await DmaSystem.start(dut)
    dev = system.device
    info = dev.info
    assert len(dev.channels) == info.channels == len(dut.irq)
    assert info.data_bytes * 8 == len(dut.m_axi_wdata)
    assert dev.max_xor == info.max_xor
    for cap in (de.DMA_MEMCPY, de.DMA_XOR, de.DMA_XOR_VAL, de.DMA_MEMSET, de.DMA_INTERRUPT):
        assert de.dma_has_cap(cap, dev.cap_mask), cap
    assert not de.dma_has_cap(de.DMA_PRIVATE, dev.cap_mask)
    assert dev in de.state().registered
    assert [c.name for c in dev.channels] == [f"dma0chan{i}" for i in range(info.channels)]
    cycles = system.selftest_cycles()
    assert set(cycles) == {"memcpy", "xor", "xor_val", "interrupt"}
    dut._log.info("probe: %d cycles; self-tests (cycles): %s", system.probe_cycles, cycles)
    assert all(c.client_count == 0 for c in dev.channels)


@cocotb.test()
async def async_memcpy_runs_on_the_controller(dut):
    """A first client: async_memcpy through the registered controller, callback in a tasklet."""
    system = await DmaSystem.start(dut, nr_cpus=1)
    await async_tx_init()
    mem = system.mem
    src, dst = mem.alloc_page(), mem.alloc_page()
    src.write(0, bytes(range(256)) * 4)
    done = system.runtime.create_event()
    tx = await async_memcpy(dst, src, 0, 0, 1024,
                            init_async_submit(0, None, lambda p: done.set(), None))
    assert tx is not None and tx.chan.device is system.device
    de.dma_issue_pending_all()
    assert await done.wait(200_000)
    assert dst.read(0, 1024) == bytes(range(256)) * 4


class IrqNotWired(RegisterIO):
    """The controller's registers, but its interrupt lines reach no handler (a board whose
    irq is not routed)."""

    def __init__(self, io: RegisterIO) -> None:
        self.io = io

    async def read32(self, offset: int) -> int:
        return await self.io.read32(offset)

    def write32(self, offset: int, value: int) -> None:
        self.io.write32(offset, value)

    def request_irq(self, line: int, handler: IrqHandler) -> None:
        pass

    def free_irq(self, line: int) -> None:
        pass


@cocotb.test()
async def failing_self_test_registers_nothing(dut):
    """An interrupt that never arrives, then memory that refuses writes: the probe raises
    SelfTestError naming the test and what it saw, registers nothing and frees its memory;
    the healthy controller then probes fine."""
    system = await DmaSystem.create(dut)
    free = system.mem.free_pages
    try:
        await dmasim_probe(IrqNotWired(system.io), system.mem)
        raise AssertionError("probe without interrupts succeeded")
    except SelfTestError as exc:
        dut._log.info("probe failed as it should: %s", exc)
        assert exc.test == "memcpy" and "no completion callback" in exc.detail
        assert "interrupt handler ran 0 times" in exc.detail
    assert de.state().registered == [] and system.mem.free_pages == free
    system.ram.faults.append(BusFault(0, system.mem.size, read=False))
    try:
        await system.probe()
        raise AssertionError("probe with failing memory writes succeeded")
    except SelfTestError as exc:
        dut._log.info("probe failed as it should: %s", exc)
        assert exc.test == "memcpy" and "DATA_WRITE" in exc.detail
    assert de.state().registered == [] and system.mem.free_pages == free
    system.ram.faults.clear()
    dev = await system.probe()
    assert de.state().registered == [dev]


@cocotb.test()
async def remove_refused_while_in_use(dut):
    """dmasim_remove is refused while a channel is held, then unregisters and stops the
    hardware: channels disabled, interrupts off, memory returned."""
    system = await DmaSystem.create(dut)
    free = system.mem.free_pages
    dev = await system.probe()
    mask = de.dma_cap_mask_t()
    de.dma_cap_set(de.DMA_MEMCPY, mask)
    chan = await de.dma_request_channel(mask)
    try:
        await dmasim_remove(dev)
        raise AssertionError("remove of a device in use succeeded")
    except DeviceBusyError as exc:
        assert "in use" in str(exc)
    assert dev in de.state().registered
    await de.dma_release_channel(chan)
    await dmasim_remove(dev)
    assert de.state().registered == [] and system.mem.free_pages == free
    for c in dev.hw_channels:
        assert await system.io.read32(regs.ch_reg(c.index, regs.CH_CTRL)) == 0
        assert await system.io.read32(regs.ch_reg(c.index, regs.CH_INT_ENABLE)) == 0
