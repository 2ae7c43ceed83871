"""The register seam: how a provider driver reaches its device's registers and interrupts
(the kernel's ``readl``/``writel`` of <linux/io.h> plus ``request_irq``).

A driver under ``pydriver/drivers/`` talks to its hardware only through a :class:`RegisterIO`
and through DMA memory (``SystemMemory``). The simulation implements it in ``tb/cocotb_io.py``
over an AXI4-Lite master and the controller's ``irq`` lines; a test may implement it in Python.

- ``await read32(offset)``: a register read. It returns only after every earlier
  ``write32`` of this seam was answered by the device (a read flushes posted writes, as on PCI
  and AXI), so a read that follows a write sees its effect.
- ``write32(offset, value)``: a posted write. A plain function, callable from any context
  (prep, tx_submit, issue_pending, tasklets): it queues the write and returns at once; writes
  reach the device in call order.
- ``request_irq(line, handler)``: deliver interrupt ``line`` to ``handler``. The platform calls
  ``await handler(line)`` in hard-IRQ context (``Runtime.in_context(Context.HARDIRQ)``) while
  the level line is asserted and enabled, and again after each call as long as it stays
  asserted.

Why the handler is a coroutine: a kernel interrupt handler reads and clears its cause register
with ``readl``, a bus read that stalls the CPU until the device answers. In a simulation that
stall is simulated time, so the read must be awaited; the handler still does nothing else that
waits (it reads and clears the cause, notes what it read, schedules the tasklet and touches no
descriptor).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable

__all__ = ["IrqHandler", "RegisterIO", "IRQ_NONE", "IRQ_HANDLED"]

IRQ_NONE = 0  # the handler found nothing to do (a shared or spurious interrupt)
IRQ_HANDLED = 1

IrqHandler = Callable[[int], Awaitable[int]]


class RegisterIO(ABC):
    """One device's register window and interrupt lines."""

    @abstractmethod
    async def read32(self, offset: int) -> int:
        """The 32-bit register at byte ``offset``, after every earlier write was answered."""

    @abstractmethod
    def write32(self, offset: int, value: int) -> None:
        """Post a 32-bit write of ``value`` to byte ``offset`` (returns at once)."""

    @abstractmethod
    def request_irq(self, line: int, handler: IrqHandler) -> None:
        """Deliver level interrupt ``line`` to ``handler`` from now on."""

    @abstractmethod
    def free_irq(self, line: int) -> None:
        """Stop delivering ``line`` (the handler is not called again once this returns)."""

    async def flush(self) -> None:
        """Wait until every posted write was answered (a read of any register does it too)."""
        await self.read32(0)
