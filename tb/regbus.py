"""Register accesses to dma_top over cocotbext-axi's AXI-Lite master, each bounded in cycles.

dma_csr answers a register access within a few cycles; an access still open after
`ACCESS_CYCLES` means the register bus itself is stuck, and fails the test instead of hanging it.
Every answer must be OKAY (dma_csr never answers anything else).
"""

from __future__ import annotations

from cocotbext.axi import AxiLiteMaster
from cocotbext.axi.constants import AxiResp

from tb.bounded import within

ACCESS_CYCLES = 1000  # generous: a burst of queued accesses takes a few cycles each


async def reg_read(axil: AxiLiteMaster, offset: int) -> int:
    """The 32-bit register at byte offset `offset`."""
    resp = await within(axil.read(offset, 4), ACCESS_CYCLES,
                        f"answer to the AXI-Lite read of 0x{offset:03x} (register bus stuck)")
    assert resp.resp == AxiResp.OKAY, f"AXI-Lite read of 0x{offset:03x}: {resp.resp!r}"
    return int.from_bytes(resp.data, "little")


async def reg_write_bytes(axil: AxiLiteMaster, offset: int, data: bytes) -> None:
    """Write 1..4 bytes at byte offset `offset`: the master sets WSTRB to the bytes written."""
    resp = await within(axil.write(offset, data), ACCESS_CYCLES,
                        f"answer to the AXI-Lite write of 0x{offset:03x} (register bus stuck)")
    assert resp.resp == AxiResp.OKAY, f"AXI-Lite write of 0x{offset:03x}: {resp.resp!r}"


async def reg_write(axil: AxiLiteMaster, offset: int, value: int) -> None:
    """Write the 32-bit register at byte offset `offset` (all four byte strobes)."""
    await reg_write_bytes(axil, offset, (value & 0xFFFFFFFF).to_bytes(4, "little"))
