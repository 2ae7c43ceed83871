"""Probe and remove of the dma_top driver (as ioat's init.c).

``await dmasim_probe(io, mem)`` identifies the controller from its registers (ID, VERSION,
CONFIG, CAPS, MAX_LEN), builds ``cap_mask``, ``max_xor`` and one channel per hardware channel,
resets every channel, gives each a ring and a completion record in DMA memory, programs its
address window, interrupts and coalescing, runs the self-tests and registers the device with
the dmaengine core. A controller that is not a dma_top, or a failing self-test, raises
``NoDeviceError``/``SelfTestError`` (naming the test and what was read) and registers nothing:
every channel is quiesced and its memory freed again.

``await dmasim_remove(dev)`` is the rmmod path: refused with ``DeviceBusyError`` while a
channel is in use (``dma_driver_unload``), otherwise the device is unregistered and every
channel is stopped, its interrupt freed and its memory returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ... import regs
from ...dmaengine import (
    DMA_INTERRUPT,
    DMA_MEMCPY,
    DMA_MEMSET,
    DMA_PRIVATE,
    DMA_XOR,
    DMA_XOR_VAL,
    DmaDevice,
    DmaTxType,
    DriverModule,
    dma_async_device_register,
    dma_cap_set,
    dma_driver_unload,
    state,
)
from ...errors import DmaValueError, NoDeviceError
from ...io import RegisterIO
from ...memory import PAGE_SIZE, Page, SystemMemory
from .chan import DmasimChan
from .dma import DmasimDma
from .hw import CMPL_RECORD_BYTES, MAX_LOG2_SLOTS, SLOT_BYTES
from .prep import DmasimPrep
from .ring import RingLayout
from .selftest import run_selftests

__all__ = ["DmasimDevice", "HwInfo", "dmasim_probe", "dmasim_remove", "DMASIM_ID",
           "DMASIM_VERSION_MAJOR"]  # fmt: skip

log = logging.getLogger("pydriver.drivers.dmasim")

DMASIM_ID = 0x444D4153  # "DMAS"
DMASIM_VERSION_MAJOR = 1  # the register and descriptor format this driver speaks
DEFAULT_RING_SLOTS = 128  # one page of 32-byte slots per channel

# CAPS register bit -> the dmaengine capability it provides
_CAPS: tuple[tuple[int, DmaTxType], ...] = (
    (regs.REG_CAPS_MEMCPY_MASK, DMA_MEMCPY),
    (regs.REG_CAPS_XOR_MASK, DMA_XOR),
    (regs.REG_CAPS_XOR_VAL_MASK, DMA_XOR_VAL),
    (regs.REG_CAPS_FILL_MASK, DMA_MEMSET),
    (regs.REG_CAPS_INTERRUPT_MASK, DMA_INTERRUPT),
)


def _field(value: int, mask: int, shift: int) -> int:
    return (value & mask) >> shift


@dataclass(frozen=True)
class HwInfo:
    """What the controller says about itself."""

    version: int
    channels: int
    max_xor: int
    data_bytes: int
    addr_width: int
    caps: int
    max_len: int

    def __str__(self) -> str:
        return (f"v{self.version >> 16}.{self.version & 0xFFFF}, {self.channels} channels, "
                f"{self.data_bytes * 8}-bit data, {self.addr_width}-bit addresses, "
                f"{self.max_xor} XOR sources, CAPS 0x{self.caps:02x}")


class DmasimDevice(DmasimPrep, DmasimDma, DmaDevice):
    """The dmaengine provider for one dma_top controller."""

    def __init__(self, io: RegisterIO, mem: SystemMemory, info: HwInfo, *,
                 name: str = "dmasim", owner: DriverModule | None = None) -> None:
        super().__init__(dev=name, owner=owner)
        self.io = io
        self.mem = mem
        self.info = info
        self.max_xor = info.max_xor
        self.max_len = info.max_len
        self.fence_all = True  # see DmasimDma._write_ring
        self.hw_channels: list[DmasimChan] = []  # by hardware channel number
        self.pages: list[Page] = []  # rings and completion records
        self.selftest_ns: dict[str, int] = {}
        for mask, cap in _CAPS:
            if info.caps & mask:
                dma_cap_set(cap, self.cap_mask)

    def dma_regions(self) -> list[tuple[int, int]]:
        """(bus address, length) of the driver's own DMA memory (rings, records)."""
        return [(p.addr, p.size) for p in self.pages]


async def read_hw_info(io: RegisterIO) -> HwInfo:
    ident = await io.read32(regs.REG_ID)
    if ident != DMASIM_ID:
        raise NoDeviceError(f"dmasim: ID register reads 0x{ident:08x}, not 0x{DMASIM_ID:08x}: "
                            "not a dma_top controller")  # fmt: skip
    version = await io.read32(regs.REG_VERSION)
    major = _field(version, regs.REG_VERSION_MAJOR_MASK, regs.REG_VERSION_MAJOR_SHIFT)
    if major != DMASIM_VERSION_MAJOR:
        raise NoDeviceError(f"dmasim: VERSION reads 0x{version:08x}: major {major}, this "
                            f"driver speaks {DMASIM_VERSION_MAJOR}")  # fmt: skip
    cfg = await io.read32(regs.REG_CONFIG)
    caps = await io.read32(regs.REG_CAPS)
    info = HwInfo(
        version=version,
        channels=_field(cfg, regs.REG_CONFIG_CHANNELS_MASK, regs.REG_CONFIG_CHANNELS_SHIFT),
        max_xor=_field(cfg, regs.REG_CONFIG_MAX_XOR_SRCS_MASK, regs.REG_CONFIG_MAX_XOR_SRCS_SHIFT),
        data_bytes=_field(cfg, regs.REG_CONFIG_DATA_BYTES_MASK, regs.REG_CONFIG_DATA_BYTES_SHIFT),
        addr_width=_field(cfg, regs.REG_CONFIG_ADDR_WIDTH_MASK, regs.REG_CONFIG_ADDR_WIDTH_SHIFT),
        caps=caps,
        max_len=await io.read32(regs.REG_MAX_LEN))
    if not 1 <= info.channels <= regs.CH_MAX:
        raise NoDeviceError(f"dmasim: CONFIG 0x{cfg:08x} reports {info.channels} channels")
    if not caps & regs.REG_CAPS_CMPL_WB_MASK:
        raise NoDeviceError(f"dmasim: CAPS 0x{caps:08x} lacks CMPL_WB, which the driver's "
                            "cleanup reads")  # fmt: skip
    if info.max_len < 1:
        raise NoDeviceError(f"dmasim: MAX_LEN reads {info.max_len}")
    return info


async def _setup_channel(dev: DmasimDevice, index: int, ring_slots: int, cmpl: Page,
                         coalesce: tuple[int, int]) -> DmasimChan:
    """Reset the channel, give it a ring and a completion record, enable its interrupts."""
    log2 = ring_slots.bit_length() - 1
    pages = dev.mem.alloc_pages(-(-(ring_slots * SLOT_BYTES) // PAGE_SIZE))
    dev.pages.extend(pages)
    ring = RingLayout(pages[0].addr, log2)
    ctrl = regs.CH_CTRL_ENABLE_MASK | regs.CH_CTRL_CMPL_WB_EN_MASK
    c = DmasimChan(dev, index, ring, cmpl.addr + index * CMPL_RECORD_BYTES, ctrl)
    io = dev.io

    def reg(off: int) -> int:
        return regs.ch_reg(index, off)

    io.write32(reg(regs.CH_CTRL), regs.CH_CTRL_RESET_MASK)  # disabled while it is set up
    c.ctrl = 0
    if not await dev.wait_reset(c):
        raise NoDeviceError(f"dmasim: channel {index} does not come out of reset")
    c.ctrl = ctrl
    dev.restart_ring(c)
    # The address window is the DMA memory minus page 0, so a stray address (0 included)
    # is refused by the hardware instead of landing anywhere.
    for lo, hi, value in ((regs.CH_RING_BASE_LO, regs.CH_RING_BASE_HI, ring.base),
                          (regs.CH_CMPL_ADDR_LO, regs.CH_CMPL_ADDR_HI, c.cmpl_addr),
                          (regs.CH_WIN_BASE_LO, regs.CH_WIN_BASE_HI, PAGE_SIZE),
                          (regs.CH_WIN_LIMIT_LO, regs.CH_WIN_LIMIT_HI, dev.mem.size - 1)):
        io.write32(reg(lo), value & 0xFFFFFFFF)
        io.write32(reg(hi), value >> 32)
    io.write32(reg(regs.CH_RING_SIZE), log2)
    io.write32(reg(regs.CH_COALESCE), (coalesce[0] << regs.CH_COALESCE_COUNT_SHIFT)
               | (coalesce[1] << regs.CH_COALESCE_TIMEOUT_SHIFT))
    io.write32(reg(regs.CH_INT_ENABLE),
               regs.CH_INT_ENABLE_DONE_MASK | regs.CH_INT_ENABLE_ERROR_MASK)
    io.write32(reg(regs.CH_CTRL), ctrl)
    io.request_irq(index, dev.interrupt_handler)
    return c


def _check_options(ring_slots: int, coalesce: tuple[int, int]) -> None:
    if isinstance(ring_slots, bool) or not isinstance(ring_slots, int) or ring_slots < 2 \
            or ring_slots & (ring_slots - 1) or ring_slots > 1 << MAX_LOG2_SLOTS:
        raise DmaValueError(f"ring_slots must be a power of two in 2..{1 << MAX_LOG2_SLOTS}, "
                            f"got {ring_slots!r}")  # fmt: skip
    count, timeout = coalesce
    if not (0 <= count <= 0xFF and 0 <= timeout <= 0xFFFF):
        raise DmaValueError(f"coalesce (count, timeout) must fit (0..255, 0..65535 cycles), "
                            f"got {coalesce!r}")  # fmt: skip


async def dmasim_probe(io: RegisterIO, mem: SystemMemory, *, name: str = "dmasim",
                       ring_slots: int = DEFAULT_RING_SLOTS, coalesce: tuple[int, int] = (0, 0),
                       private: bool = False, register: bool = True,
                       owner: DriverModule | None = None) -> DmasimDevice:
    """Probe the dma_top behind ``io``; returns the device (registered unless ``register`` is
    False; with DMA_PRIVATE set when ``private``). ``coalesce`` is (COALESCE.COUNT,
    COALESCE.TIMEOUT) for every channel."""
    if not isinstance(io, RegisterIO):
        raise TypeError(f"io must be a RegisterIO, got {type(io).__name__}")
    if not isinstance(mem, SystemMemory):
        raise TypeError(f"mem must be a SystemMemory, got {type(mem).__name__}")
    _check_options(ring_slots, coalesce)
    info = await read_hw_info(io)
    dev = DmasimDevice(io, mem, info, name=name, owner=owner)
    log.info("%s: dma_top %s", name, info)
    try:
        cmpl = mem.alloc_page()
        dev.pages.append(cmpl)
        for index in range(info.channels):
            c = await _setup_channel(dev, index, ring_slots, cmpl, coalesce)
            dev.hw_channels.append(c)
        dev.channels = list(dev.hw_channels)
        dev.selftest_ns = await run_selftests(dev)
        if private:
            dma_cap_set(DMA_PRIVATE, dev.cap_mask)
        if register:
            await dma_async_device_register(dev)
    except BaseException:
        await quiesce(dev)
        raise
    return dev


async def quiesce(dev: DmasimDevice) -> None:
    """Stop every channel (interrupts off and freed, channel disabled and reset) and free the
    driver's memory."""
    for c in dev.hw_channels:
        await dev.finish_recovery(c)
        dev.io.free_irq(c.index)
        dev.io.write32(regs.ch_reg(c.index, regs.CH_INT_ENABLE), 0)
        c.ctrl = 0
        await dev.reset_channel(c)
    await dev.io.flush()
    for page in dev.pages:
        dev.mem.free_page(page)
    dev.pages.clear()


async def dmasim_remove(dev: DmasimDevice) -> None:
    """rmmod: refused (DeviceBusyError, nothing changed) while a channel is in use."""
    if not isinstance(dev, DmasimDevice):
        raise TypeError(f"dmasim_remove expects a DmasimDevice, got {type(dev).__name__}")
    if any(d is dev for d in state().registered):
        await dma_driver_unload(dev)
    await quiesce(dev)

