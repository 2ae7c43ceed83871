"""The driver stack unchanged inside a simulation: dmaengine + async_tx + SoftDmaDevice under
tb.cocotb_runtime, with descriptor latencies and kernel timeouts in simulated time.

The scenarios are the unit suite's (shared through tests/support): the kernel documentation's
xor -> copy -> xor chain on one engine and across a channel hop, and dma_sync_wait's limit on a
stalled engine.
"""

from __future__ import annotations

import cocotb

from pydriver import dmaengine as de
from pydriver.memory import SystemMemory
from pydriver.runtime import Context
from tests.support.doc_example import doc_example
from tests.support.engines import engines, soft
from tests.support.pages import LEN, filled, pattern, xor_bytes
from tests.support.simulated import DESC_NS, fresh_core


async def doc_chain(profile: str, topology: list[tuple[de.DmaTxType, ...]]) -> None:
    rt = fresh_core(profile)
    mem = SystemMemory(32 * 4096)
    await engines(*(soft(mem, *caps, delay_ns=DESC_NS) for caps in topology))
    xor_dest, s1, s2, s3, copy_src = filled(mem, 10, 1, 2, 3, 4)
    copy_dest = s1  # the copy lands in an xor source: the second xor must see the copied data
    done: list = []
    t0 = rt.now_ns()
    tx1, tx2, tx3 = await doc_example(profile, xor_dest, [xor_dest, s1, s2, s3], copy_dest,
                                      copy_src, done)
    elapsed = rt.now_ns() - t0
    d1 = xor_bytes(pattern(10), pattern(1), pattern(2), pattern(3))
    d2 = xor_bytes(d1, pattern(4), pattern(2), pattern(3))
    assert xor_dest.read(0, LEN) == d2 and copy_dest.read(0, LEN) == pattern(4)
    assert [(p, ctx, data) for p, ctx, data in done] == [("complete", Context.TASKLET, d2)]
    assert None not in (tx1, tx2, tx3)
    # three descriptors ran one after another in simulated time
    assert elapsed >= 3 * DESC_NS, f"chain finished after {elapsed} ns"
    if len(topology) == 2:
        assert tx2.chan.device is not tx1.chan.device and tx3.chan is tx1.chan


@cocotb.test()
async def doc_chain_one_engine_29(dut):
    """2.6.29: xor -> copy -> xor on one engine, in order, callback once in a tasklet."""
    await doc_chain("2.6.29", [(de.DMA_XOR, de.DMA_MEMCPY, de.DMA_INTERRUPT)])


@cocotb.test()
async def doc_chain_channel_hop_32(dut):
    """2.6.32: the copy hops to another engine through interrupt descriptors and back."""
    await doc_chain("2.6.32", [(de.DMA_XOR, de.DMA_INTERRUPT), (de.DMA_MEMCPY, de.DMA_INTERRUPT)])


@cocotb.test()
async def sync_wait_limit_is_simulated_time(dut):
    """dma_sync_wait on a stalled engine reports DMA_ERROR once its limit of simulated ns passed."""
    rt = fresh_core(de.P29)
    mem = SystemMemory(8 * 4096)
    dev = soft(mem, de.DMA_MEMCPY)
    await engines(dev, get=False)
    mask = de.dma_cap_mask_t()
    de.dma_cap_set(de.DMA_MEMCPY, mask)
    chan = await de.dma_request_channel(mask)
    assert chan is not None
    src, dst = filled(mem, 1, 2)
    dev.stall(chan)
    tx = dev.device_prep_dma_memcpy(chan, dst.addr, src.addr, LEN, de.DMA_CTRL_ACK)
    cookie = tx.tx_submit()
    t0 = rt.now_ns()
    assert await de.dma_sync_wait(chan, cookie, timeout_ns=50_000) == de.DMA_ERROR
    waited = rt.now_ns() - t0
    assert 50_000 <= waited <= 50_000 + 100, f"waited {waited} ns"
    dev.resume(chan)
    assert await de.dma_sync_wait(chan, cookie) == de.DMA_SUCCESS
    assert dst.read(0, LEN) == pattern(1)
    await de.dma_release_channel(chan)
