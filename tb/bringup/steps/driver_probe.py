"""The provider driver's probe, as `modprobe` would run it: the driver identifies the
controller, sets up every channel (ring, completion record, window, interrupts) and runs its
self-tests (a 2000-byte copy with a callback, a 4-source XOR, zero-sum checks, an interrupt
descriptor), without registering yet."""

from __future__ import annotations

from tb.bringup.context import Context


async def driver_probe(ctx: Context) -> str:
    system = ctx.system
    dev = await system.probe(register=False)
    want = ctx.params["CHANNELS"]
    assert len(dev.channels) == want, \
        f"the driver set up {len(dev.channels)} channels, the build has {want}"
    tests = ", ".join(f"{name} {cycles}" for name, cycles in system.selftest_cycles().items())
    return f"{dev.dev}: dma_top {dev.info}; self-tests passed (cycles: {tests})"
