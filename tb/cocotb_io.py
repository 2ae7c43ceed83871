"""The register seam (pydriver.io.RegisterIO) over cocotbext-axi's AxiLiteMaster and dma_top's
``irq`` lines: the one place the provider driver meets the simulation.

Posted writes: ``write32`` queues the write and returns; one writer task sends the queue in
order and waits for each B response. AXI-Lite's read and write channels are independent, so
``read32`` first waits until that queue is empty and every write was answered: a read returns
only after every earlier write reached the device, as on a real bus.

Interrupts: one task per controller waits for the ``irq`` vector to change (no per-cycle
Python). While a line with a requested handler is asserted, it calls ``await handler(line)``
inside ``Runtime.in_context(Context.HARDIRQ)``; after the handlers ran it waits until their
posted writes (the cause clears) were answered and the level settled, then samples again, so a
level that stays asserted is delivered again.
"""

from __future__ import annotations

import errno
import logging
from collections import deque

import cocotb
from cocotb.triggers import Event, FallingEdge
from cocotbext.axi import AxiLiteBus, AxiLiteMaster
from cocotbext.axi.constants import AxiResp

from pydriver.errors import DmaError
from pydriver.io import IrqHandler, RegisterIO
from pydriver.runtime import Context, get_runtime
from tb.bounded import within
from tb.regbus import ACCESS_CYCLES


class RegisterBusError(DmaError):
    """A register access was answered with an error response (the kernel sees all-ones or
    a machine check; here the driver gets an exception naming the register)."""

    default_errno = errno.EIO


class CocotbRegisterIO(RegisterIO):
    """``RegisterIO`` for one dma_top instance: its ``s_axil_*`` slave and ``irq`` vector."""

    def __init__(self, dut, prefix: str = "s_axil") -> None:
        self.dut = dut
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, prefix), dut.clk, dut.rst)
        for log in (self.axil.write_if.log, self.axil.read_if.log):
            log.setLevel(logging.WARNING)  # a line per access would dominate the run time
        self.irq_lines = len(dut.irq)
        self._queue: deque[tuple[int, int]] = deque()
        self._writer_busy = False
        self._drained = Event()
        self._drained.set()
        self._errors: list[str] = []
        self._handlers: dict[int, IrqHandler] = {}
        self._irq_task = None
        self.reads = 0
        self.writes = 0
        self.irq_calls = 0

    # ------------------------------------------------------------------ registers
    def write32(self, offset: int, value: int) -> None:
        self._check(offset)
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"write32 value must be an int, got {type(value).__name__}")
        self._queue.append((offset, value & 0xFFFFFFFF))
        self.writes += 1
        if not self._writer_busy:
            self._writer_busy = True
            self._drained.clear()
            cocotb.start_soon(self._writer())

    async def _writer(self) -> None:
        try:
            while self._queue:
                offset, value = self._queue.popleft()
                resp = await within(self.axil.write(offset, value.to_bytes(4, "little")),
                                    ACCESS_CYCLES, f"answer to the posted write of 0x{offset:03x} "
                                    "(register bus stuck)")
                if resp.resp != AxiResp.OKAY:
                    self._errors.append(f"write of 0x{value:08x} to 0x{offset:03x}: "
                                        f"{AxiResp(resp.resp).name}")  # fmt: skip
        finally:
            self._writer_busy = False
            self._drained.set()

    async def flush(self) -> None:
        while self._writer_busy:
            await self._drained.wait()
        if self._errors:
            errors, self._errors = self._errors, []
            raise RegisterBusError("posted register " + "; ".join(errors))

    async def read32(self, offset: int) -> int:
        self._check(offset)
        await self.flush()
        resp = await within(self.axil.read(offset, 4), ACCESS_CYCLES,
                            f"answer to the read of 0x{offset:03x} (register bus stuck)")
        self.reads += 1
        if resp.resp != AxiResp.OKAY:
            raise RegisterBusError(f"register read of 0x{offset:03x}: "
                                   f"{AxiResp(resp.resp).name}")  # fmt: skip
        return int.from_bytes(resp.data, "little")

    @staticmethod
    def _check(offset: int) -> None:
        if isinstance(offset, bool) or not isinstance(offset, int):
            raise TypeError(f"register offset must be an int, got {type(offset).__name__}")
        if offset < 0 or offset % 4:
            raise ValueError(f"register offset 0x{offset:x} is not a 32-bit register")

    # ------------------------------------------------------------------ interrupts
    def request_irq(self, line: int, handler: IrqHandler) -> None:
        if not 0 <= line < self.irq_lines:
            raise ValueError(f"irq line {line} does not exist (the device has "
                             f"{self.irq_lines})")  # fmt: skip
        if line in self._handlers:
            raise DmaError(f"irq line {line} already has a handler", errno=errno.EBUSY)
        self._handlers[line] = handler
        if self._irq_task is None:
            # through the runtime: the task keeps its own kernel context (HARDIRQ marks)
            self._irq_task = get_runtime().spawn(self._deliver())

    def free_irq(self, line: int) -> None:
        self._handlers.pop(line, None)

    def _asserted(self) -> list[int]:
        value = self.dut.irq.value
        if not value.is_resolvable:
            return []
        bits = int(value)
        return [line for line in sorted(self._handlers) if bits >> line & 1]

    async def _deliver(self) -> None:
        rt = get_runtime()
        while True:
            lines = self._asserted()
            if not lines:
                await self.dut.irq.value_change
                continue
            for line in lines:
                handler = self._handlers.get(line)
                if handler is None:
                    continue
                self.irq_calls += 1
                with rt.in_context(Context.HARDIRQ):
                    await handler(line)
            await self.flush()  # the cause clears reached the device
            await FallingEdge(self.dut.clk)  # and the level was recomputed from them
