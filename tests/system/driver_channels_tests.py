"""The dma_top driver's channels under load: an exclusive channel beside shared ones, a full
ring that refuses descriptors until the client acks, and interrupt coalescing."""

from __future__ import annotations

import random

import cocotb

from pydriver import dmaengine as de
from pydriver.async_tx import (
    ASYNC_TX_XOR_ZERO_DST,
    async_memcpy,
    async_tx_exit,
    async_tx_init,
    async_tx_quiesce,
    async_xor,
    init_async_submit,
)
from pydriver.drivers.dmasim import DmasimChan
from tb.system import DmaSystem

LEN = 256


def memcpy_mask() -> de.dma_cap_mask_t:
    mask = de.dma_cap_mask_t()
    de.dma_cap_set(de.DMA_MEMCPY, mask)
    return mask


async def exclusive_and_shared(dut, private: bool) -> None:
    system = await DmaSystem.start(dut, nr_cpus=2, private=private)
    soft = await system.add_soft(2)
    hw = system.device
    mem, rng = system.mem, random.Random(3)
    # the exclusive user takes the controller before the shared pool references everything
    excl = await de.dma_request_channel(memcpy_mask(), lambda c, d: c.device is d, hw)
    assert excl is not None and excl.device is hw and excl.client_count == 1
    await async_tx_init()
    assert all(c.client_count == 0 for c in hw.channels if c is not excl)
    assert de.dma_find_channel(de.DMA_MEMCPY).device is soft
    # exclusive: raw copies on the controller; shared: async_tx on whatever the table gives
    jobs, txs = [], []
    for _ in range(6):
        src, dst = mem.alloc_page(), mem.alloc_page()
        data = rng.randbytes(LEN)
        src.write(0, data)
        tx = hw.device_prep_dma_memcpy(excl, dst.addr, src.addr, LEN, de.DMA_CTRL_ACK)
        tx.tx_submit()
        jobs.append((dst, data))
        txs.append(tx)
    hw.device_issue_pending(excl)
    shared = []
    for _ in range(4):
        a, b, p = mem.alloc_page(), mem.alloc_page(), mem.alloc_page()
        a.write(0, rng.randbytes(LEN))
        b.write(0, rng.randbytes(LEN))
        tx = await async_xor(p, [a, b], 0, 2, LEN,
                             init_async_submit(ASYNC_TX_XOR_ZERO_DST, None, None, None))
        expect = bytes(x ^ y for x, y in zip(a.read(0, LEN), b.read(0, LEN), strict=True))
        tx = await async_memcpy(b, p, 0, 0, LEN, init_async_submit(0, tx, None, None))
        shared.append((tx, b, expect))
        assert tx is not None and tx.chan.device is soft
    for tx, b, expect in shared:
        await async_tx_quiesce(tx)
        assert b.read(0, LEN) == expect
    for tx in txs:
        assert await de.dma_sync_wait(excl, tx.cookie) == de.DMA_SUCCESS
    for dst, data in jobs:
        assert dst.read(0, LEN) == data
    assert soft.channels[0].completed + soft.channels[1].completed >= 4
    await async_tx_exit()
    await de.dma_release_channel(excl)


@cocotb.test()
async def exclusive_channel_beside_shared_ones(dut):
    """dma_request_channel takes a controller channel while async_tx's shared references
    use a SoftDmaDevice's channels; both move data at once."""
    await exclusive_and_shared(dut, private=False)


@cocotb.test()
async def private_controller_is_not_shared(dut):
    """Registered with DMA_PRIVATE, the controller never enters the shared pool."""
    await exclusive_and_shared(dut, private=True)


@cocotb.test()
async def ring_full_then_dry_and_recovering(dut):
    """An 8-slot ring: prep returns None once every slot is held by an unacked descriptor;
    acking lets the cleanup give slots back; the ring wraps several times and runs dry."""
    system = await DmaSystem.start(dut, ring_slots=8)
    hw, mem, rng = system.device, system.mem, random.Random(5)
    chan = await de.dma_request_channel(memcpy_mask())
    assert isinstance(chan, DmasimChan) and chan.ring.nslots == 8
    jobs, txs = [], []
    start = chan.head  # the probe's self-tests used channel 0 already

    def copy() -> de.DmaAsyncTxDescriptor | None:
        src, dst = mem.alloc_page(), mem.alloc_page()
        data = rng.randbytes(LEN)
        src.write(0, data)
        tx = hw.device_prep_dma_memcpy(chan, dst.addr, src.addr, LEN, 0)
        if tx is not None:
            tx.tx_submit()
            jobs.append((dst, data))
        return tx

    for _round in range(3):
        batch = [copy() for _ in range(8)]
        assert None not in batch
        assert copy() is None  # full: no slot left
        hw.device_issue_pending(chan)
        assert await de.dma_sync_wait(chan, batch[-1].cookie) == de.DMA_SUCCESS
        assert copy() is None  # complete but not acked: still held
        for tx in batch:
            de.async_tx_ack(tx)
        txs += batch
        await system.runtime.sleep_ns(100)  # the tasklet prep scheduled recycles them
        assert chan.live == 0 and chan.tail == chan.head  # ran dry
    for dst, data in jobs:
        assert dst.read(0, LEN) == data
    assert chan.head == (start + 24) % (1 << 16) and chan.completed >= 24
    await de.dma_release_channel(chan)


@cocotb.test()
async def interrupt_coalescing(dut):
    """COALESCE.COUNT=4 with a timeout: eight interrupting copies raise far fewer than eight
    interrupts, a lone one is reported by the timeout, every callback runs once."""
    system = await DmaSystem.start(dut, coalesce=(4, 400))
    hw, mem = system.device, system.mem
    chan = await de.dma_request_channel(memcpy_mask())
    done: list[int] = []

    def copies(n: int) -> list[de.DmaAsyncTxDescriptor]:
        out = []
        for _ in range(n):
            src, dst = mem.alloc_page(), mem.alloc_page()
            tx = hw.device_prep_dma_memcpy(chan, dst.addr, src.addr, LEN,
                                           de.DMA_PREP_INTERRUPT | de.DMA_CTRL_ACK)
            tx.callback, tx.callback_param = done.append, len(done) + len(out)
            tx.tx_submit()
            out.append(tx)
        return out

    async def wait_callbacks(n: int) -> None:
        for _ in range(200):
            if len(done) >= n:
                return
            await system.runtime.sleep_ns(100)
        raise AssertionError(f"{len(done)} of {n} callbacks ran")

    irqs = chan.irq_count
    copies(8)
    hw.device_issue_pending(chan)
    await wait_callbacks(8)
    coalesced = chan.irq_count - irqs
    assert 1 <= coalesced <= 3, f"{coalesced} interrupts for 8 descriptors"
    irqs = chan.irq_count
    start = system.cycle()
    copies(1)
    hw.device_issue_pending(chan)
    await wait_callbacks(9)
    assert chan.irq_count - irqs == 1 and system.cycle() - start >= 400
    assert done == list(range(9))
    dut._log.info("8 copies: %d interrupts with COALESCE.COUNT=4", coalesced)
    await de.dma_release_channel(chan)
