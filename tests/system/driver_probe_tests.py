"""The dma_top provider driver's probe on the simulated controller: what it learns from the
hardware, its self-tests (cycle counts logged), registration options, and remove."""

from __future__ import annotations

import cocotb

from pydriver import dmaengine as de
from pydriver.async_tx import async_memcpy, async_tx_init, init_async_submit
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
