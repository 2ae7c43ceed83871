"""A short dmatest run (the kernel's drivers/dma/dmatest.c as a client of the core) on one
channel: copy, xor and memset threads, every buffer checked with the kernel's patterns and
guards; the detail is the kernel's summary line of each thread."""

from __future__ import annotations

from pydriver.dmatest import dmatest
from tb.bringup.context import Context
from tb.bringup.sequencer import StepSkipped

ITERATIONS = 8
BUF_SIZE = 2048  # short transfers: the rehearsal shows the path works, `dmasim dmatest` soaks


async def dmatest_channel(ctx: Context, channel: int) -> str:
    if not ctx.registered:
        raise StepSkipped("needs the registered driver (an earlier step failed)")
    name = ctx.system.device.channels[channel].name
    results = await dmatest(test_channel=name, iterations=ITERATIONS, test_buf_size=BUF_SIZE,
                            tests=("copy", "xor", "memset"), seed=ctx.seed)
    assert results, f"dmatest ran no thread on {name}"
    failed = [r.summary for r in results if r.failures or r.tests < ITERATIONS]
    assert not failed, "; ".join(failed)
    return "; ".join(r.summary for r in results)
