"""The simulated system: dma_top, its memory and register bus, the kernel runtime, and the
provider driver probed and registered with the dmaengine core.

```python
system = await DmaSystem.start(dut, nr_cpus=4, profile="2.6.29")
```

starts the clock and reset, attaches the memory (an AxiRam whose storage *is*
``system.mem.storage``: what the hardware writes the driver reads at once, and vice versa) and
the register bus (``tb.cocotb_io``), installs the cocotb runtime, resets the dmaengine core,
probes the controller (self-tests included) and registers it. It takes no dmaengine reference.
``private=True`` registers the device with DMA_PRIVATE; ``register=False`` probes without
registering. Driver options (``ring_slots``, ``coalesce``) pass through to the probe.

A test that needs to act between bring-up and probe (inject a fault, wrap the register seam)
uses ``await DmaSystem.create(dut, ...)`` and then ``await system.probe(...)``. More providers
may join the same core: ``system.add_soft(...)`` registers a SoftDmaDevice on the same memory.

Bus monitors: ``DmaSystem.monitors`` is the one list of factories ``fn(system)`` called for
every new system right after the memory and register bus exist; ``system.attached`` keeps what
they returned. It starts with the AXI protocol checkers (tb/axi_checker.py), so every system
test fails at the first AXI4 or AXI4-Lite violation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

from cocotb.clock import Clock
from cocotb.simtime import get_sim_time
from cocotb.triggers import ClockCycles
from cocotbext.axi import AxiBus

from pydriver import dmaengine as de
from pydriver.drivers.dmasim import DmasimDevice, dmasim_probe
from pydriver.memory import SystemMemory
from pydriver.runtime import set_runtime
from pydriver.soft import SoftDmaDevice
from tb import coverage
from tb.axi_checker import attach_axi_checkers
from tb.axi_mem import FaultyAxiRam
from tb.cocotb_io import CocotbRegisterIO
from tb.cocotb_runtime import CocotbRuntime

CLK_NS = 10
DEFAULT_MEM_SIZE = 1 << 20

MonitorFactory = Callable[["DmaSystem"], Any]


class DmaSystem:
    """One dma_top with its memory, register seam, runtime and (once probed) its driver."""

    monitors: ClassVar[list[MonitorFactory]] = [lambda system: attach_axi_checkers(system.dut)]

    def __init__(self, dut, mem: SystemMemory, ram: FaultyAxiRam, io: CocotbRegisterIO,
                 runtime: CocotbRuntime) -> None:
        self.dut = dut
        self.mem = mem
        self.ram = ram
        self.io = io
        self.runtime = runtime
        self.device: DmasimDevice | None = None
        self.softs: list[SoftDmaDevice] = []
        self.attached: list[Any] = [factory(self) for factory in self.monitors]
        self.probe_cycles = 0
        self.cov = None  # functional coverage of the driver's descriptors (DMASIM_COVERAGE=1)
        if coverage.ENABLED:
            from tb.coverage.collector import Collector

            self.cov = Collector(lambda: self.device.info.data_bytes)

    @classmethod
    async def create(cls, dut, *, nr_cpus: int = 4, profile: str = "2.6.29",
                     mem_size: int = DEFAULT_MEM_SIZE, reset_core: bool = True,
                     **core: Any) -> DmaSystem:
        """Clock, reset, memory, register bus, runtime and a fresh dmaengine core (unless
        ``reset_core`` is False); no driver yet. ``core`` goes to ``dmaengine.reset``."""
        Clock(dut.clk, CLK_NS, unit="ns").start()
        dut.rst.value = 1
        mem = SystemMemory(mem_size)
        ram = FaultyAxiRam(AxiBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=mem_size,
                           mem=mem.storage)  # fmt: skip
        io = CocotbRegisterIO(dut)
        for name in ("cocotb.dma_top.m_axi", "cocotb.dma_top.s_axil"):
            logging.getLogger(name).setLevel(logging.WARNING)
        runtime = CocotbRuntime()
        set_runtime(runtime)
        if reset_core:
            de.reset(profile, nr_cpus, **core)
        system = cls(dut, mem, ram, io, runtime)
        await ClockCycles(dut.clk, 8)
        dut.rst.value = 0
        await ClockCycles(dut.clk, 4)
        return system

    async def probe(self, *, private: bool = False, register: bool = True,
                    **options: Any) -> DmasimDevice:
        """Probe the controller (self-tests included); register unless ``register`` is False."""
        start = self.cycle()
        self.device = await dmasim_probe(self.io, self.mem, private=private, register=register,
                                         **options)  # fmt: skip
        self.probe_cycles = self.cycle() - start
        if self.cov:
            from tb.coverage.driver import watch

            watch(self.cov, self.device)
        return self.device

    @classmethod
    async def start(cls, dut, nr_cpus: int = 4, profile: str = "2.6.29", private: bool = False,
                    register: bool = True, **options: Any) -> DmaSystem:
        """Bring up the system and probe + register the controller's driver."""
        system = await cls.create(dut, nr_cpus=nr_cpus, profile=profile)
        await system.probe(private=private, register=register, **options)
        return system

    async def add_soft(self, nr_channels: int = 1, *, register: bool = True,
                       **kw: Any) -> SoftDmaDevice:
        """A SoftDmaDevice on the same memory, registered in the same core."""
        kw.setdefault("name", f"soft{len(self.softs)}")
        soft = SoftDmaDevice(self.mem, nr_channels, **kw)
        self.softs.append(soft)
        if register:
            await de.dma_async_device_register(soft)
        return soft

    @staticmethod
    def cycle() -> int:
        """The current clock cycle."""
        return int(get_sim_time("ns")) // CLK_NS

    def selftest_cycles(self) -> dict[str, int]:
        assert self.device is not None, "probe first"
        return {name: ns // CLK_NS for name, ns in self.device.selftest_ns.items()}
