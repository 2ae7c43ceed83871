"""A GTKWave save file (.gtkw) for the rehearsal's waveform: the AXI4 master's five channels,
the AXI4-Lite register bus, irq, and the first channel's state (the registers software sees and
the decode/completion state machines).

Written by the simulator, which knows the signals' widths. Icarus and Verilator (5.x, FST) both
put the design's top module at the root of the FST's scopes.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

# (group, signals); `*` is the port prefix.
_AXI = (
    ("AXI write address", "m_axi_", ("awvalid", "awready", "awaddr", "awlen", "awsize", "awid")),
    ("AXI write data", "m_axi_", ("wvalid", "wready", "wlast", "wstrb", "wdata")),
    ("AXI write response", "m_axi_", ("bvalid", "bready", "bresp", "bid")),
    ("AXI read address", "m_axi_", ("arvalid", "arready", "araddr", "arlen", "arsize", "arid")),
    ("AXI read data", "m_axi_", ("rvalid", "rready", "rlast", "rresp", "rdata", "rid")),
    ("AXI-Lite registers", "s_axil_", ("awvalid", "awaddr", "wdata", "bvalid", "arvalid",
                                       "araddr", "rvalid", "rdata")),
    ("interrupts", "", ("irq",)),
)
# Channel 0 (gen_ch[0].u_chan): what software sees, then the decoder's and the completion
# writer's state machines. A name the RTL no longer has is left out.
_CHANNEL0 = ("enable", "busy", "halted", "head", "tail", "err_code", "u_regs.int_cause_q",
             "u_decoder.state_q", "u_writer.state_q")

_BIT, _HEX, _COMMENT = "@28", "@22", "@200"


def _lines(top: str, dut) -> Iterable[str]:
    def entry(handle, path: str) -> Iterable[str]:
        width = len(handle)
        yield _BIT if width == 1 else _HEX
        yield path if width == 1 else f"{path}[{width - 1}:0]"

    for group, prefix, names in _AXI:
        yield _COMMENT
        yield f"-{group}"
        for name in names:
            handle = getattr(dut, prefix + name, None)
            if handle is not None:
                yield from entry(handle, f"{top}.{prefix}{name}")
    chan = dut.gen_ch[0].u_chan
    yield _COMMENT
    yield "-channel 0 state"
    for path in _CHANNEL0:
        handle = chan
        for part in path.split("."):
            handle = getattr(handle, part, None) if handle is not None else None
        if handle is not None:
            yield from entry(handle, f"{top}.gen_ch[0].u_chan.{path}")


def write_save_file(path: Path, fst: Path, dut) -> Path:
    """Write the save file for `fst` next to the reports; returns its path."""
    body = "\n".join(_lines(dut._name, dut))
    path.write_text(f'[dumpfile] "{fst}"\n[savefile] "{path}"\n[sst_expanded] 1\n'
                    f"[signals_width] 260\n{body}\n")
    return path
