"""The same async_tx client code on the simulated controller and on a SoftDmaDevice: the whole
memory must come out byte for byte the same, and so must what the client observed (callbacks
in order with their context, xor_val results, wait statuses).

The controller is probed once per test; each scenario then runs twice from the same memory
image and allocator state: once with the controller's driver registered, once with a
SoftDmaDevice of the same shape (channels, XOR source limit) registered instead. Only the
driver's own DMA memory (descriptor rings, completion records) may differ.
"""

from __future__ import annotations

import cocotb

from pydriver import dmaengine as de
from pydriver.async_tx import async_tx_exit, async_tx_init
from pydriver.memory import SystemMemory
from pydriver.soft import SoftDmaDevice
from tb.system import DmaSystem
from tests.support.async_tx_scenarios import SCENARIOS, Client, check_contexts


async def run_client(mem: SystemMemory, device: de.DmaDevice, profile: str, name: str) -> list:
    """A fresh core with only ``device`` registered; run the scenario as async_tx's user."""
    de.reset(profile, nr_cpus=1)
    await de.dma_async_device_register(device)
    await async_tx_init()
    cl = Client(mem, profile, device.max_xor)
    await SCENARIOS[name](cl)
    await cl.wait()
    await async_tx_exit()
    await de.dma_async_device_unregister(device)
    return cl.observed()


def differences(a: bytes | bytearray, b: bytes | bytearray, skip: list[tuple[int, int]],
                limit: int = 8) -> list[str]:
    out = []
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        if x != y and not any(lo <= i < lo + n for lo, n in skip):
            out.append(f"0x{i:x}: controller 0x{x:02x}, soft 0x{y:02x}")
            if len(out) == limit:
                break
    return out


async def compare(dut, profile: str, names: list[str]) -> None:
    system = await DmaSystem.start(dut, nr_cpus=1, profile=profile, register=False)
    hw = system.device
    assert hw is not None
    for name in names:
        soft_mem = system.mem.copy()
        start = system.cycle()
        seen_hw = await run_client(system.mem, hw, profile, name)
        cycles = system.cycle() - start
        soft = SoftDmaDevice(soft_mem, len(hw.channels), max_xor=hw.max_xor, name="soft")
        seen_soft = await run_client(soft_mem, soft, profile, name)
        check_contexts(seen_hw)
        assert seen_hw == seen_soft, f"{name}: the client saw\n  controller {seen_hw}\n  " \
                                     f"soft       {seen_soft}"
        bad = differences(system.mem.storage, soft_mem.storage, hw.dma_regions())
        assert not bad, f"{name}: memory differs between controller and soft:\n  " + \
            "\n  ".join(bad)
        dut._log.info("%s (%s): identical memory and callbacks; %d cycles on the controller",
                      name, profile, cycles)


@cocotb.test()
async def chains_and_hops_29(dut):
    """2.6.29: the documentation chain (both copy destinations), channel switches, waits."""
    await compare(dut, "2.6.29", ["doc_chain_separate_copy", "doc_chain_copy_into_source",
                                  "channel_switch_chain", "sync_wait_and_quiesce"])


@cocotb.test()
async def chains_and_hops_32(dut):
    """2.6.32: the same chains under the reworked async_tx."""
    await compare(dut, "2.6.32", ["doc_chain_separate_copy", "doc_chain_copy_into_source",
                                  "channel_switch_chain", "sync_wait_and_quiesce"])


@cocotb.test()
async def operations_29(dut):
    """2.6.29: xor past the source limit, destination modes, xor_val, memcpy/memset at page
    edges, callback order, interrupt descriptors."""
    await compare(dut, "2.6.29", ["xor_beyond_the_hardware_limit", "xor_destination_modes",
                                  "xor_val_good_and_corrupted", "memcpy_memset_and_page_edges",
                                  "callbacks_in_submission_order", "interrupt_descriptors"])


@cocotb.test()
async def operations_32(dut):
    """2.6.32: the same operations."""
    await compare(dut, "2.6.32", ["xor_beyond_the_hardware_limit", "xor_destination_modes",
                                  "xor_val_good_and_corrupted", "memcpy_memset_and_page_edges",
                                  "callbacks_in_submission_order", "interrupt_descriptors"])
