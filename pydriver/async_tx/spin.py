"""Forward progress when an XOR engine has no free descriptor (docs/kernel-model.md, R47, R50).

async_xor and async_xor_val never fall back to the CPU once an engine was chosen: if prep
returns None they wait for (and ack) the dependency, then keep kicking the channel and retrying
until the driver has a slot again.  The kernel busy-waits; here each retry yields for a little
simulated time (the core's poll interval) so the engine and its tasklet can run, and a driver
that has no slot for as long as dma_sync_wait would wait (the core's limit, 5 s by default) is
reported as an error instead of hanging the simulation.
"""

from __future__ import annotations

from collections.abc import Callable

from pydriver import dmaengine as dma
from pydriver.errors import DmaError
from pydriver.runtime import get_runtime


async def spin_prep(
    chan: dma.DmaChan,
    prep: Callable[[], dma.DmaAsyncTxDescriptor | None],
    op: str,
) -> dma.DmaAsyncTxDescriptor:
    """Retry ``prep`` after issue_pending on ``chan`` until it returns a descriptor."""
    rt = get_runtime()
    st = dma.state()
    deadline = rt.now_ns() + st.sync_wait_ns
    while True:
        chan.device.device_issue_pending(chan)
        tx = prep()
        if tx is not None:
            return tx
        if rt.now_ns() >= deadline:
            raise DmaError(
                f"{op}: {chan.name} had no free descriptor for {st.sync_wait_ns // 1_000_000} ms "
                "(kernel: spins forever)",
                rule="prep-forward-progress",
            )
        await rt.sleep_ns(st.poll_ns)
