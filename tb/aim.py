"""Register accesses that land in a chosen clock cycle, for same-cycle race tests.

A read or write through the bench's AXI-Lite master is accepted (ARVALID, or AWVALID with
WVALID, handshake on s_axil) a fixed number of cycles after it is started right after a clock
edge, as long as the register bus is idle. `AimedAccess` measures that latency once per kind
(with SCRATCH accesses), then starts an access early enough for its handshake to fall in the
target cycle, and returns the cycle it actually fell in, from the s_axil handshake monitors: a
race test asserts that it hit. dma_csr samples a read's data, and applies a write, in the cycle
of the handshake.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import cocotb

from pydriver import regs
from tb.cycle_monitors import axi_channel
from tb.dma_tb import DmaTb

ACCEPT_CYCLES = 100  # an idle register bus accepts an access within a few cycles


class AimedAccess:
    def __init__(self, tb: DmaTb) -> None:
        self.tb = tb
        self.mon = {"write": axi_channel(tb.dut, "s_axil_aw", "addr"),
                    "read": axi_channel(tb.dut, "s_axil_ar", "addr")}
        self.latency: dict[str, int] = {}  # cycles from the start of an access to its handshake

    async def _start(self, kind: str, offset: int, access: Callable[[], Awaitable]):
        """Start an access right after the current clock edge; (its handshake cycle, result)."""
        start = self.tb.now()
        task = cocotb.start_soon(access())
        hs = await self.mon[kind].next(ACCEPT_CYCLES, f"AXI-Lite {kind} of 0x{offset:03x}",
                                       lambda h: h["addr"] == offset, after=start - 1)
        return hs.cycle, await task

    async def calibrate(self) -> None:
        """Measure the read and the write latency (done by the first aimed access if not yet:
        call it early when the first target cycle is near)."""
        probes = {"write": lambda: self.tb.write(regs.REG_SCRATCH, 0),
                  "read": lambda: self.tb.read(regs.REG_SCRATCH)}
        for kind, probe in probes.items():
            await self.tb.cycles(1)
            start = self.tb.now()
            accepted, _ = await self._start(kind, regs.REG_SCRATCH, probe)
            self.latency[kind] = accepted - start

    async def _aim(self, kind: str, cycle: int, offset: int, access: Callable[[], Awaitable]):
        if kind not in self.latency:
            await self.calibrate()
        await self.tb.cycles(1)
        lead = cycle - self.latency[kind] - self.tb.now()
        assert lead >= 0, f"cycle {cycle} is too close to aim a {kind} at (now {self.tb.now()})"
        if lead:
            await self.tb.cycles(lead)
        return await self._start(kind, offset, access)

    async def write_in(self, cycle: int, offset: int, value: int) -> int:
        """Write `value` at `offset` aimed at `cycle`; returns the cycle it was accepted in."""
        accepted, _ = await self._aim("write", cycle, offset,
                                      lambda: self.tb.write(offset, value))
        return accepted

    async def read_in(self, cycle: int, offset: int) -> tuple[int, int]:
        """Read `offset` aimed at `cycle`; returns (the cycle it was accepted in, the value)."""
        return await self._aim("read", cycle, offset, lambda: self.tb.read(offset))
