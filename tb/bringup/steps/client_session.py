"""A dmaengine client session on the registered driver: a public client (dmaengine_get, then
dma_find_channel for every capability finds one of this device's channels, dmaengine_put),
then an exclusive one (dma_request_channel, a copy through the channel's prep hook and
dma_sync_wait, dma_release_channel)."""

from __future__ import annotations

from pydriver import dmaengine as de
from tb.bringup.context import Context
from tb.bringup.sequencer import StepSkipped
from tb.bringup.steps.registration import CAPS

COPY = 4096
# Operations with a channel table; DMA_INTERRUPT is a channel property, as in the kernel.
OPERATIONS = {name: cap for name, cap in CAPS.items() if name != "interrupt"}


async def _exclusive_copy(ctx: Context, chan) -> None:
    mem = ctx.system.mem
    src, dst = mem.alloc_page(), mem.alloc_page()
    try:
        data = bytes((i * 7 + 3) & 0xFF for i in range(COPY))
        src.write(0, data)
        dst.write(0, bytes(COPY))
        tx = chan.device.device_prep_dma_memcpy(chan, dst.addr, src.addr, COPY,
                                                de.DMA_CTRL_ACK)
        assert tx is not None, f"{chan.name}: device_prep_dma_memcpy returned None"
        cookie = tx.tx_submit()
        status = await de.dma_sync_wait(chan, cookie)
        assert status == de.DMA_SUCCESS, f"{chan.name}: dma_sync_wait answered {status!r}"
        got = dst.read(0, COPY)
        if got != data:
            at = next(i for i in range(COPY) if got[i] != data[i])
            raise AssertionError(f"{chan.name}: copy differs at byte {at}: read "
                                 f"0x{got[at]:02x}, expected 0x{data[at]:02x}")
    finally:
        mem.free_page(src)
        mem.free_page(dst)


async def client_session(ctx: Context) -> str:
    if not ctx.registered:
        raise StepSkipped("needs the registered driver (an earlier step failed)")
    dev = ctx.system.device
    await de.dmaengine_get()
    try:
        found = {name: de.dma_find_channel(cap) for name, cap in OPERATIONS.items()}
    finally:
        await de.dmaengine_put()
    wrong = [f"{name}: {c.name if c else None}" for name, c in found.items()
             if c is None or c.device is not dev]
    assert not wrong, f"dma_find_channel did not give a channel of {dev.dev}: {', '.join(wrong)}"
    mask = de.dma_cap_mask_t()
    de.dma_cap_set(de.DMA_MEMCPY, mask)
    chan = await de.dma_request_channel(mask)
    assert chan is not None, "dma_request_channel(DMA_MEMCPY) found no free channel"
    assert chan.device is dev, f"dma_request_channel gave {chan.name} of another device"
    try:
        assert chan.client_count == 1, f"{chan.name}: client_count {chan.client_count}, want 1"
        await _exclusive_copy(ctx, chan)
    finally:
        await de.dma_release_channel(chan)
    assert chan.client_count == 0, f"{chan.name}: client_count {chan.client_count} after release"
    finds = ", ".join(f"{n}->{c.name}" for n, c in found.items())
    return (f"dmaengine_get; dma_find_channel {finds}; dmaengine_put; dma_request_channel "
            f"(memcpy) -> {chan.name} exclusive, 4 KiB copy OK, released")
