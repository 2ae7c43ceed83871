"""async_tx module init/exit: the one dmaengine reference async_tx holds
(docs/kernel-model.md, R11).

In the kernel async_tx takes a dmaengine_get() reference at module load and drops it at unload
so that the per-CPU channel table is populated; without a reference every operation takes the
CPU path.  Tests and the simulated system call these where the kernel would load the module.
"""

from __future__ import annotations

from pydriver import dmaengine as dma


async def async_tx_init() -> None:
    """Take async_tx's dmaengine reference (module_init)."""
    await dma.dmaengine_get()


async def async_tx_exit() -> None:
    """Drop async_tx's dmaengine reference (module_exit)."""
    await dma.dmaengine_put()
