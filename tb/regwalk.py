"""Walking dma_top's registers against the register map source (pydriver/regs.py, generated from
rtl/dma_regs.rdl): reset values, writable masks, read-only bits, write-1-to-clear and single-pulse
fields. Shared by the register-map bench (tests/rtl/regs_tests.py) and the bring-up rehearsal.

Every failed check raises AssertionError naming the register, what was written, what was read and
what the map says it should have been.
"""

from __future__ import annotations

from pydriver import regs
from tb.dma_tb import DmaTb

PATTERNS = (0xFFFFFFFF, 0xA5A5A5A5, 0x5A5A5A5A, 0x00000001)


def masks(reg: regs.Reg) -> tuple[int, int, int]:
    """(plain read/write bits, read-only bits, bits that always read 0) of a register."""
    rw = ro = zero = 0
    for f in reg.fields:
        m = ((1 << f.width) - 1) << f.lsb
        if f.pulse or f.sw == "w":
            zero |= m
        elif f.w1c:
            ro |= m  # nothing to clear after reset: stays at its reset value
        elif f.sw == "rw":
            rw |= m
        else:
            ro |= m
    return rw, ro, zero


def config_value(tb: DmaTb) -> int:
    """CONFIG as the bench's view of the build (tb.hw) says it must read."""
    return (tb.hw.channels << regs.REG_CONFIG_CHANNELS_SHIFT) \
        | (tb.hw.max_xor_srcs << regs.REG_CONFIG_MAX_XOR_SRCS_SHIFT) \
        | (tb.hw.data_bytes << regs.REG_CONFIG_DATA_BYTES_SHIFT) \
        | (tb.hw.addr_width << regs.REG_CONFIG_ADDR_WIDTH_SHIFT)


def patterns_for(reg: regs.Reg) -> tuple[int, ...]:
    """Values safe to write to a register in a walk: no pulse bits (ABORT/RESET act), no ENABLE
    (the channel would start), TAIL only moving forward and within the default 16-slot ring (no
    TAIL_OVERFLOW; the upper half of the last one must be dropped), a RING_SIZE that is never
    0."""
    if reg.name == "CTRL":
        return (regs.CH_CTRL_CMPL_WB_EN_MASK, 0)
    if reg.name == "TAIL":
        return (0x00000003, 0x0000000A, 0xFFFF0010)
    if reg.name == "RING_SIZE":
        return (0xFFFFFFFF, 0xA5A5A5A5, 0x5A5A5A5A, 0x00000001)
    return PATTERNS


async def walk(tb: DmaTb, offset: int, reg: regs.Reg, reset: int, where: str) -> int:
    """Reset value, then each pattern written and read back through the register's masks;
    leaves the register at its reset value (TAIL through CTRL.RESET: writing it back would be a
    refused TAIL). Returns the number of accesses made."""
    rw, ro, zero = masks(reg)
    value = await tb.read(offset)
    assert value == reset & ~zero, f"{where}: reset value 0x{value:08x}, expected 0x{reset:08x}"
    for p in patterns_for(reg):
        await tb.write(offset, p)
        value = await tb.read(offset)
        want = (p & rw) | (reset & ro)
        assert value == want, (f"{where}: wrote 0x{p:08x}, read 0x{value:08x}, expected "
                               f"0x{want:08x} (rw mask 0x{rw:08x})")
    if reg.name == "TAIL":
        await tb.write(offset - reg.offset + regs.CH_CTRL, regs.CH_CTRL_RESET_MASK)
        await tb.cycles(20)
    else:
        await tb.write(offset, reset & rw)
    return 2 + 2 * len(patterns_for(reg))


async def walk_globals(tb: DmaTb) -> int:
    """Every global register; CONFIG must match the bench's view of the build."""
    accesses = 0
    for reg in regs.GLOBAL_REGS:
        reset = config_value(tb) if reg.name == "CONFIG" else reg.reset
        accesses += await walk(tb, reg.offset, reg, reset, reg.name)
    return accesses


async def walk_channel(tb: DmaTb, ch: int) -> int:
    """Every register of one channel."""
    accesses = 0
    for reg in regs.CHANNEL_REGS:
        accesses += await walk(tb, regs.ch_reg(ch, reg.offset), reg, reg.reset,
                               f"CH[{ch}].{reg.name}")
    return accesses
