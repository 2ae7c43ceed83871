"""Register map of dma_top against pydriver/regs.py (generated from rtl/dma_regs.rdl).

Walks every global and channel register: reset values, read/write masks, read-only fields,
write-1-to-clear and single-pulse fields (read 0), channel blocks past CONFIG.CHANNELS (read 0,
ignore writes, never alias a real channel), holes, a global reset, and concurrent accesses.
"""

from __future__ import annotations

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import ErrCode
from tb.dma_tb import DmaTb, field_of
from tb.regwalk import config_value, masks, walk, walk_channel


def expected_config(tb: DmaTb, dut) -> int:
    assert tb.hw.channels == len(dut.irq)
    try:  # parameters are visible on both simulators; keep the test usable if not
        assert tb.hw.max_xor_srcs == int(dut.MAX_XOR_SRCS.value)
    except AttributeError:
        tb.log.warning("MAX_XOR_SRCS parameter not visible; CONFIG checked against ports only")
    assert 2 <= tb.hw.max_xor_srcs <= 16 and tb.hw.data_bytes in (4, 8, 16)
    return config_value(tb)


def reset_value(tb: DmaTb, dut, reg: regs.Reg) -> int:
    return expected_config(tb, dut) if reg.name == "CONFIG" else reg.reset


async def snapshot_channels(tb: DmaTb) -> dict[tuple[int, str], int]:
    return {(ch, r.name): await tb.read(regs.ch_reg(ch, r.offset))
            for ch in range(tb.hw.channels) for r in regs.CHANNEL_REGS}


@cocotb.test()
async def global_registers(dut):
    """Every global register: reset value, CONFIG matching the ports and parameters, SCRATCH
    read/write, read-only registers ignoring writes; IRQ_SUMMARY mirrors irq."""
    tb = await DmaTb.create(dut)
    for reg in regs.GLOBAL_REGS:
        await walk(tb, reg.offset, reg, reset_value(tb, dut, reg), reg.name)
    caps = await tb.read(regs.REG_CAPS)
    for f in next(r for r in regs.GLOBAL_REGS if r.name == "CAPS").fields:
        assert (caps >> f.lsb) & 1, f"CAPS.{f.name} not set"
    assert await tb.read(regs.REG_IRQ_SUMMARY) == int(dut.irq.value) == 0


@cocotb.test()
async def channel_registers(dut):
    """Every register of every implemented channel (on Icarus: the first, the last and one
    more): reset values, rw masks (RING_BASE_LO 32-byte and CMPL_ADDR_LO 8-byte granular, TAIL
    16 bits, COALESCE's two fields), read-only STATUS/HEAD/ERR_*, INT_CAUSE write-1-to-clear with
    nothing pending, and CTRL.RESET restoring TAIL."""
    tb = await DmaTb.create(dut)
    last = tb.hw.channels - 1
    for ch in tb.pick(range(tb.hw.channels), icarus=1, keep=(0, last)):
        await walk_channel(tb, ch)
        # The TAIL walk left TAIL at 0 again; a RESET must also bring it back from non-zero.
        await tb.write(regs.ch_reg(ch, regs.CH_TAIL), 5)
        await tb.write(regs.ch_reg(ch, regs.CH_CTRL), regs.CH_CTRL_RESET_MASK)
        await tb.cycles(20)
        assert await tb.read(regs.ch_reg(ch, regs.CH_TAIL)) == 0, f"CH[{ch}] TAIL after RESET"
        state = await tb.channel_regs(ch)
        assert (state.busy, state.halted, state.err_code, state.head) == (False, False, 0, 0), \
            f"CH[{ch}] after RESET: {state}"


@cocotb.test()
async def channels_are_independent(dut):
    """Distinct values in every channel's configuration registers read back per channel (no
    decode aliasing between channel blocks)."""
    tb = await DmaTb.create(dut)
    offsets = (regs.CH_RING_BASE_LO, regs.CH_RING_BASE_HI, regs.CH_CMPL_ADDR_LO,
               regs.CH_CMPL_ADDR_HI, regs.CH_WIN_BASE_LO, regs.CH_WIN_BASE_HI,
               regs.CH_WIN_LIMIT_LO, regs.CH_WIN_LIMIT_HI, regs.CH_COALESCE)
    values = {}
    for ch in range(tb.hw.channels):
        for off in offsets:
            values[ch, off] = tb.rng.getrandbits(32)
            await tb.write(regs.ch_reg(ch, off), values[ch, off])
    rw = {r.offset: masks(r)[0] for r in regs.CHANNEL_REGS}
    for (ch, off), v in values.items():
        got = await tb.read(regs.ch_reg(ch, off))
        assert got == v & rw[off], f"CH[{ch}]+0x{off:02x}: 0x{got:08x} != 0x{v & rw[off]:08x}"


@cocotb.test()
async def unimplemented_channels_read_zero(dut):
    """Channel blocks CONFIG.CHANNELS..15 (on Icarus: the first, the last and one more) read 0
    and ignore writes; writing them (even CTRL with ABORT/RESET/ENABLE, TAIL) changes no register
    of an implemented channel."""
    tb = await DmaTb.create(dut)
    before = await snapshot_channels(tb)
    absent = range(tb.hw.channels, regs.CH_MAX)
    for ch in tb.pick(absent, icarus=1, keep=(absent[0], regs.CH_MAX - 1) if absent else ()):
        for reg in regs.CHANNEL_REGS:
            off = regs.ch_reg(ch, reg.offset)
            assert await tb.read(off) == 0, f"CH[{ch}].{reg.name} reads non-zero"
            await tb.write(off, 0xFFFFFFFF)
            assert await tb.read(off) == 0, f"CH[{ch}].{reg.name} kept a write"
    await tb.cycles(50)
    after = await snapshot_channels(tb)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"writes to unimplemented channels changed {changed}"
    assert int(dut.irq.value) == 0


@cocotb.test()
async def holes_do_not_alias(dut):
    """Offsets between registers (a sample of 40 on Icarus) answer OKAY (no hang) and writing
    them changes no register."""
    tb = await DmaTb.create(dut)
    named = {r.offset for r in regs.GLOBAL_REGS}
    holes = [off for off in range(0, regs.CH_BASE, 4) if off not in named]
    ch_named = {r.offset for r in regs.CHANNEL_REGS}
    for ch in range(tb.hw.channels):
        holes += [regs.ch_reg(ch, off) for off in range(0, regs.CH_STRIDE, 4)
                  if off not in ch_named]
    holes += list(range(regs.ch_reg(regs.CH_MAX, 0), 0x1000, 0x40))
    holes = tb.pick(holes, icarus=40)
    before = await snapshot_channels(tb)
    globals_before = {r.name: await tb.read(r.offset) for r in regs.GLOBAL_REGS}
    for off in holes:
        await tb.read(off)  # value unspecified; must answer OKAY
        await tb.write(off, 0xFFFFFFFF)
    assert await snapshot_channels(tb) == before
    assert {r.name: await tb.read(r.offset) for r in regs.GLOBAL_REGS} == globals_before


@cocotb.test()
async def pulse_fields_read_zero(dut):
    """CTRL.ABORT and CTRL.RESET are single pulses: CTRL reads back without them. ABORT on an
    idle enabled channel halts it with ABORTED; RESET clears that and keeps ENABLE and
    CMPL_WB_EN."""
    tb = await DmaTb.create(dut)
    keep = regs.CH_CTRL_ENABLE_MASK | regs.CH_CTRL_CMPL_WB_EN_MASK
    for ch in range(tb.hw.channels):
        ctrl = regs.ch_reg(ch, regs.CH_CTRL)
        await tb.write(ctrl, keep | regs.CH_CTRL_ABORT_MASK)
        assert await tb.read(ctrl) == keep
        await tb.cycles(20)
        state = await tb.channel_regs(ch)
        assert state.halted and state.err_code == ErrCode.ABORTED and not state.busy, \
            f"CH[{ch}] after ABORT on an idle channel: {state}"
        assert state.int_cause & regs.CH_INT_CAUSE_ERROR_MASK
        await tb.write(ctrl, keep | regs.CH_CTRL_RESET_MASK)
        assert await tb.read(ctrl) == keep
        await tb.cycles(20)
        state = await tb.channel_regs(ch)
        assert (state.halted, state.err_code, state.int_cause, state.head, state.tail) == \
            (False, 0, 0, 0, 0), f"CH[{ch}] after RESET: {state}"
        await tb.write(ctrl, 0)


@cocotb.test()
async def global_reset_restores_defaults(dut):
    """The synchronous rst brings every register back to its reset value (channels sampled on
    Icarus)."""
    tb = await DmaTb.create(dut)
    await tb.write(regs.REG_SCRATCH, 0x12345678)
    chans = tb.pick(range(tb.hw.channels), icarus=1, keep=(0, tb.hw.channels - 1))
    for ch in chans:
        for reg in regs.CHANNEL_REGS:
            if reg.name not in ("CTRL", "TAIL", "INT_CAUSE") and masks(reg)[0]:
                await tb.write(regs.ch_reg(ch, reg.offset), tb.rng.getrandbits(32) | 1)
    dut.rst.value = 1
    await tb.cycles(4)
    dut.rst.value = 0
    await tb.cycles(4)
    assert await tb.read(regs.REG_SCRATCH) == 0
    for ch in chans:
        for reg in regs.CHANNEL_REGS:
            value = await tb.read(regs.ch_reg(ch, reg.offset))
            assert value == reg.reset, f"CH[{ch}].{reg.name} 0x{value:08x} after rst"


@cocotb.test()
async def concurrent_accesses(dut):
    """Many reads and writes in flight at once on the AXI-Lite port all land correctly."""
    tb = await DmaTb.create(dut)
    offs = [regs.REG_SCRATCH] + [regs.ch_reg(ch, regs.CH_WIN_BASE_LO)
                                 for ch in range(tb.hw.channels)]
    values = {off: tb.rng.getrandbits(32) for off in offs}
    writes = [cocotb.start_soon(tb.write(off, v)) for off, v in values.items()]
    reads = [cocotb.start_soon(tb.read(regs.REG_ID)) for _ in range(8)]
    for t in writes:
        await t
    for t in reads:
        assert await t == 0x444D4153
    for off, v in values.items():
        assert await tb.read(off) == v
    cfg = await tb.read(regs.REG_CONFIG)
    assert field_of(cfg, regs.REG_CONFIG_CHANNELS_MASK, regs.REG_CONFIG_CHANNELS_SHIFT) == \
        tb.hw.channels
