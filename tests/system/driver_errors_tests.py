"""Bus errors under the dma_top driver: a fault injected into the memory (source read,
destination write, descriptor fetch) fails exactly its descriptor with DMA_ERROR (callback
once, error decoded), the descriptors around it and on another channel complete with the right
data, and the faulting channel works again afterwards."""

from __future__ import annotations

import random
from typing import Any

import cocotb

from pydriver import dmaengine as de
from pydriver.drivers.dmasim import DmasimChan
from tb.refmodel import BusFault
from tb.system import DmaSystem

LEN = 512
FLAGS = de.DMA_PREP_INTERRUPT | de.DMA_CTRL_ACK


class Raw:
    """A dmaengine client holding channels exclusively and driving the prep hooks itself."""

    def __init__(self, system: DmaSystem) -> None:
        self.system = system
        self.rng = random.Random(7)
        self.calls: list[Any] = []
        self.jobs: list[tuple[de.DmaAsyncTxDescriptor, int, bytes]] = []

    async def chan(self, index: int) -> DmasimChan:
        mask = de.dma_cap_mask_t()
        de.dma_cap_set(de.DMA_MEMCPY, mask)
        chan = await de.dma_request_channel(mask, lambda c, i: c.chan_id == i, index)
        assert chan is not None and chan.chan_id == index
        return chan

    def copy(self, chan: DmasimChan, name: str) -> tuple[de.DmaAsyncTxDescriptor, int, int]:
        mem = self.system.mem
        src, dst = mem.alloc_page().addr, mem.alloc_page().addr
        data = self.rng.randbytes(LEN)
        mem.write(src, data)
        dev = self.system.device
        tx = dev.device_prep_dma_memcpy(chan, dst, src, LEN, FLAGS)
        assert tx is not None
        tx.callback = lambda p: self.calls.append((p, de.DmaStatus(
            dev.device_tx_status(chan, tx.cookie)[0])))
        tx.callback_param = name
        assert tx.tx_submit() > 0
        self.jobs.append((tx, dst, data))
        return tx, src, dst

    def data_ok(self, tx: de.DmaAsyncTxDescriptor) -> bool:
        _, dst, data = next(j for j in self.jobs if j[0] is tx)
        return self.system.mem.read(dst, LEN) == data


async def fault_run(dut, kind: str) -> None:
    system = await DmaSystem.start(dut)
    raw = Raw(system)
    ch0 = await raw.chan(0)
    others = [await raw.chan(1)] if len(system.device.channels) > 1 else []
    a, _, _ = raw.copy(ch0, "a")
    b, b_src, b_dst = raw.copy(ch0, "b")
    c, _, _ = raw.copy(ch0, "c")
    side = [raw.copy(o, f"side{k}")[0] for o in others for k in range(3)]
    fault = {
        "data_read": BusFault(b_src + 100, 8, write=False),
        "data_write": BusFault(b_dst + 200, 8, read=False),
        "descriptor_fetch": BusFault(ch0.ring.slot_addr(b.count), 32, write=False),
    }[kind]
    system.ram.faults.append(fault)
    for chan in (ch0, *others):
        system.device.device_issue_pending(chan)
    assert await de.dma_sync_wait(ch0, b.cookie) == de.DMA_ERROR
    system.ram.faults.clear()
    for tx in (a, c, *side):
        assert await de.dma_sync_wait(tx.chan, tx.cookie) == de.DMA_SUCCESS, tx
        assert raw.data_ok(tx), f"{tx}: wrong data"
    # exactly the faulting descriptor failed, its callback ran once, with the status
    assert sorted(raw.calls) == sorted([("a", de.DMA_SUCCESS), ("b", de.DMA_ERROR),
                                        ("c", de.DMA_SUCCESS)] +
                                       [(f"side{k}", de.DMA_SUCCESS) for k in range(len(side))])
    assert [n for n, _ in raw.calls if n in "abc"] == ["a", "b", "c"]
    # the decoded error names the code and an address inside the failing range: the slot for
    # a fetch, the beat (or burst) that failed for data (docs/descriptor.md, "Errors")
    err = ch0.failed[b.cookie]
    name, lo = {"data_read": ("DATA_READ", b_src), "data_write": ("DATA_WRITE", b_dst),
                "descriptor_fetch": ("DESC_READ", fault.start)}[kind]
    assert err.name == name and lo <= err.addr <= fault.start, err
    assert ch0.errors == 1 and all(o.errors == 0 for o in others)
    dut._log.info("%s: %s failed cookie %d with %s", kind, ch0.name, b.cookie, err)
    # the channel works again
    d, _, _ = raw.copy(ch0, "d")
    system.device.device_issue_pending(ch0)
    assert await de.dma_sync_wait(ch0, d.cookie) == de.DMA_SUCCESS and raw.data_ok(d)
    for chan in (ch0, *others):
        await de.dma_release_channel(chan)


@cocotb.test()
async def data_read_error(dut):
    """SLVERR on a source read fails that copy only."""
    await fault_run(dut, "data_read")


@cocotb.test()
async def data_write_error(dut):
    """SLVERR on a destination write fails that copy only."""
    await fault_run(dut, "data_write")


@cocotb.test()
async def descriptor_fetch_error(dut):
    """SLVERR fetching a descriptor's ring slot fails that descriptor only."""
    await fault_run(dut, "descriptor_fetch")
