"""dmaengine registration: the probed device joins the core (dma_async_device_register) with
one channel per hardware channel, named dma<dev>chan<n>, and the capabilities CAPS reports."""

from __future__ import annotations

from pydriver import dmaengine as de
from tb.bringup.context import Context
from tb.bringup.sequencer import StepSkipped

CAPS = {"memcpy": de.DMA_MEMCPY, "xor": de.DMA_XOR, "xor_val": de.DMA_XOR_VAL,
        "memset": de.DMA_MEMSET, "interrupt": de.DMA_INTERRUPT}


async def dmaengine_registration(ctx: Context) -> str:
    dev = ctx.system.device
    if dev is None:
        raise StepSkipped("needs the probed driver (the probe step failed)")
    await de.dma_async_device_register(dev)
    ctx.registered = True
    assert any(d is dev for d in de.state().registered), "the device is not in the core's list"
    names = [c.name for c in dev.channels]
    prefix = names[0].rsplit("chan", 1)[0]
    want = [f"{prefix}chan{i}" for i in range(len(names))]
    assert names == want, f"channel names {names}, expected {want}"
    missing = [n for n, cap in CAPS.items() if not de.dma_has_cap(cap, dev.cap_mask)]
    assert not missing, f"cap_mask lacks {', '.join(missing)} (CAPS has them)"
    assert not de.dma_has_cap(de.DMA_PRIVATE, dev.cap_mask), "registered DMA_PRIVATE"
    return (f"{prefix}: {len(names)} channels {names[0]}..{names[-1]}, caps "
            f"{' '.join(CAPS)}, max_xor {dev.max_xor}, public")
