"""Reset and identity: the first reads of a new board. ID and VERSION against the register map,
CONFIG decoded and compared with the parameters the RTL was built with, CAPS and MAX_LEN."""

from __future__ import annotations

from pydriver import regs
from tb.bringup.context import Context
from tb.dma_tb import field_of

_REG = {r.name: r for r in regs.GLOBAL_REGS}
# (CONFIG field, build parameter, how the field encodes it)
_CONFIG = (
    ("CHANNELS", "CHANNELS", 1),
    ("MAX_XOR_SRCS", "MAX_XOR_SRCS", 1),
    ("DATA_BYTES", "DATA_WIDTH", 8),  # the field counts bytes, the parameter bits
    ("ADDR_WIDTH", "ADDR_WIDTH", 1),
)


def _field(value: int, reg: str, name: str) -> int:
    f = next(f for f in _REG[reg].fields if f.name == name)
    return (value >> f.lsb) & ((1 << f.width) - 1)


def _ascii(value: int) -> str:
    text = value.to_bytes(4, "big").decode("latin-1")
    return text if text.isprintable() else "?"


async def reset_and_identity(ctx: Context) -> str:
    tb = ctx.bench
    irq = int(tb.dut.irq.value)
    assert irq == 0, f"irq reads 0x{irq:x} after reset, expected 0"
    ident = await tb.read(regs.REG_ID)
    assert ident == ctx.expect_id, \
        f"ID reads 0x{ident:08X} ('{_ascii(ident)}'), expected 0x{ctx.expect_id:08X}"
    version = await tb.read(regs.REG_VERSION)
    assert version == _REG["VERSION"].reset, \
        f"VERSION reads 0x{version:08X}, the register map is 0x{_REG['VERSION'].reset:08X}"
    config = await tb.read(regs.REG_CONFIG)
    bad = []
    for fname, param, scale in _CONFIG:
        got = _field(config, "CONFIG", fname) * scale
        if got != ctx.params[param]:
            bad.append(f"CONFIG.{fname} gives {param}={got}, built with {ctx.params[param]}")
    assert not bad, f"CONFIG reads 0x{config:08X}: " + "; ".join(bad)
    caps = await tb.read(regs.REG_CAPS)
    want = _REG["CAPS"].reset
    missing = [f.name for f in _REG["CAPS"].fields if (want >> f.lsb) & 1 and not
               (caps >> f.lsb) & 1]
    assert not missing, f"CAPS reads 0x{caps:08X}: {', '.join(missing)} missing"
    max_len = await tb.read(regs.REG_MAX_LEN)
    assert max_len == _REG["MAX_LEN"].reset, \
        f"MAX_LEN reads 0x{max_len:X}, the register map is 0x{_REG['MAX_LEN'].reset:X}"
    major = field_of(version, regs.REG_VERSION_MAJOR_MASK, regs.REG_VERSION_MAJOR_SHIFT)
    minor = field_of(version, regs.REG_VERSION_MINOR_MASK, regs.REG_VERSION_MINOR_SHIFT)
    p = ctx.params
    caps_names = " ".join(f.name for f in _REG["CAPS"].fields if (caps >> f.lsb) & 1)
    return (f"ID 0x{ident:08X} '{_ascii(ident)}' v{major}.{minor}; CONFIG = build: "
            f"{p['CHANNELS']} channels, {p['DATA_WIDTH']}-bit data, {p['ADDR_WIDTH']}-bit "
            f"addresses, {p['MAX_XOR_SRCS']} XOR sources; CAPS {caps_names}; "
            f"MAX_LEN {max_len} bytes")
