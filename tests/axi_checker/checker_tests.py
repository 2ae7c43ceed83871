"""tb/axi_checker.py against a bus that breaks each rule on purpose (axi_probe_top.v: the test
drives both ends of m_axi and s_axil), and against legal traffic that must pass: stalls on every
channel, write data ahead of its address, read data of several IDs out of order and interleaved,
FIXED/WRAP/narrow bursts.

Each case runs its script on a fresh checker in collecting mode (`fail=False`) and checks the
first violation's message names the rule; `violation_fails_the_test` shows the default mode
fails the running test.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, RisingEdge

from tb.axi_checker import AxiCheckers, attach_axi_checkers
from tb.axi_rules import AxiProtocolError

FIXED, INCR, WRAP = 0, 1, 2
SLVERR, EXOKAY = 2, 1


class Bus:
    """Drives the probe's inputs: `step(**signals)` sets m_axi signals (short names) and waits
    for the clock edge that samples them; `lite=True` drives s_axil instead."""

    def __init__(self, dut, lite: bool = False) -> None:
        self.dut = dut
        self.prefix = "s_axil" if lite else "m_axi"
        self.data_bytes = len(dut.m_axi_wdata) // 8

    def set(self, **signals: int) -> None:
        for name, value in signals.items():
            getattr(self.dut, f"{self.prefix}_{name}").value = value

    async def step(self, **signals: int) -> None:
        self.set(**signals)
        await RisingEdge(self.dut.clk)

    async def handshake(self, ch: str, **payload: int) -> None:
        """One cycle with VALID and READY high on channel `ch`, then both low."""
        await self.step(**{f"{ch}valid": 1, f"{ch}ready": 1},
                        **{f"{ch}{k}": v for k, v in payload.items()})
        self.set(**{f"{ch}valid": 0, f"{ch}ready": 0})

    @property
    def full_size(self) -> int:
        """AxSIZE of a bus-wide transfer."""
        return self.data_bytes.bit_length() - 1

    async def aw(self, addr: int, len: int = 0, size: int | None = None, burst: int = INCR,
                 id: int = 0) -> None:
        size = self.full_size if size is None else size
        await self.handshake("aw", addr=addr, len=len, size=size, burst=burst, id=id)

    async def ar(self, addr: int, len: int = 0, size: int | None = None, burst: int = INCR,
                 id: int = 0) -> None:
        size = self.full_size if size is None else size
        await self.handshake("ar", addr=addr, len=len, size=size, burst=burst, id=id)

    async def w(self, beats: int, strb: int | None = None, last_at: int | None = None,
                strobes: list[int] | None = None) -> None:
        """`beats` W beats, WLAST on beat `last_at` (from 0; default the last), strobes all
        `strb` (default all lanes) or one per beat from `strobes`."""
        strb = (1 << self.data_bytes) - 1 if strb is None else strb
        strobes = strobes or [strb] * beats
        last_at = beats - 1 if last_at is None else last_at
        for k in range(beats):
            await self.handshake("w", data=k, strb=strobes[k], last=int(k == last_at))

    async def r(self, id: int, beats: int, resp: int = 0, last_at: int | None = None) -> None:
        last_at = beats - 1 if last_at is None else last_at
        for k in range(beats):
            await self.handshake("r", id=id, data=k, resp=resp, last=int(k == last_at))

    async def b(self, id: int = 0, resp: int = 0) -> None:
        await self.handshake("b", id=id, resp=resp)


def start_clock(dut) -> None:
    Clock(dut.clk, 10, unit="ns").start()


async def fresh(dut, *, fail: bool = False) -> AxiCheckers:
    """Reset the probe (every input low) and attach new checkers."""
    dut.rst.value = 1
    checkers = attach_axi_checkers(dut, fail=fail)
    for c in checkers.attached:
        for sig in c.bus._signals.values():
            sig.value = 0
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    await RisingEdge(dut.clk)
    return checkers


async def expect(dut, rule: str, script: Callable[[Bus, Bus], Awaitable[None]]) -> None:
    """Run `script(m_axi, s_axil)` under fresh checkers; the first violation must mention
    `rule` (and there must be one)."""
    checkers = await fresh(dut)
    await script(Bus(dut), Bus(dut, lite=True))
    await ClockCycles(dut.clk, 2)
    found = checkers.violations
    checkers.kill()
    assert found, f"no violation reported; expected one about {rule!r}"
    dut._log.info("caught: %s", found[0])
    assert rule in found[0], f"expected a violation about {rule!r}, got: {found[0]}"


# -- legal traffic -----------------------------------------------------------------------------

@cocotb.test()
async def legal_traffic_passes(dut):
    """Stalls on all channels, W before AW, reordered and interleaved R of two IDs, out-of-order
    B, FIXED/WRAP/narrow bursts with their exact strobes: no violation, nothing outstanding."""
    start_clock(dut)
    checkers = await fresh(dut)
    m, lite = Bus(dut), Bus(dut, lite=True)
    db = m.data_bytes
    full = (1 << db) - 1
    # AW stalled two cycles with a stable payload, then its data with W stalls
    await m.step(awvalid=1, awaddr=0x1000, awlen=1, awsize=m.full_size, awburst=INCR, awid=2)
    await m.step()
    await m.step(awready=1)
    m.set(awvalid=0, awready=0)
    await m.step(wvalid=1, wdata=1, wstrb=full, wlast=0)
    await m.step(wready=1)
    await m.step(wdata=2, wlast=1)
    m.set(wvalid=0, wready=0)
    # a second write whose data comes before its address (ID 3), then both B out of order
    await m.w(2)
    await m.aw(0x2000, len=1, id=3)
    await m.step(bvalid=1, bid=3, bresp=0)
    await m.step(bready=1)
    m.set(bvalid=0, bready=0)
    await m.b(id=2, resp=SLVERR)
    # two reads of different IDs answered newest first, their beats interleaved, R stalled
    await m.ar(0x3000, len=2, id=4)
    await m.ar(0x4000, len=1, id=5)
    await m.r(5, 1, last_at=-1)
    await m.step(rvalid=1, rid=4, rdata=7, rresp=0, rlast=0)
    await m.step(rready=1)
    m.set(rvalid=0, rready=0)
    await m.r(5, 1, last_at=0)
    await m.r(4, 2)
    # FIXED burst of 16 beats, narrow WRAP, an unaligned INCR with its first beat's lanes only
    await m.aw(0x5004, len=15, size=2, burst=FIXED, id=1)
    await m.w(16, strb=0xF0 & full if db > 4 else 0xF)
    start = 0x6008 & ~(db - 1) | 4
    await m.aw(start, len=3, size=2, burst=WRAP, id=1)
    low = start & ~15  # 4 beats of 4 bytes wrap inside a 16-byte container
    addrs = [low + (start - low + 4 * k) % 16 for k in range(4)]
    await m.w(4, strobes=[0xF << (a % db) for a in addrs])
    await m.b(id=1)
    await m.b(id=1)
    await m.aw(0x7003, len=1, id=6)
    await m.w(2, strobes=[full & ~0b111, full])
    await m.b(id=6)
    # AXI-Lite: write with W before AW, a stalled read response
    await lite.handshake("w", data=5, strb=0xF)
    await lite.handshake("aw", addr=0x10)
    await lite.handshake("b", resp=0)
    await lite.handshake("ar", addr=0x10)
    await lite.step(rvalid=1, rdata=5, rresp=0)
    await lite.step(rready=1)
    lite.set(rvalid=0, rready=0)
    await ClockCycles(dut.clk, 2)
    violations = checkers.violations
    assert not violations, "\n".join(violations)
    assert not checkers.m_axi.outstanding(), checkers.m_axi.outstanding()
    checkers.assert_quiescent()
    stats = checkers.m_axi.channel_stats
    assert all(stats[c].stall_cycles > 0 for c in ("AW", "W", "B", "R")), stats
    assert stats["W"].handshakes == 2 + 2 + 16 + 4 + 2, stats


# -- handshake rules, each channel -------------------------------------------------------------

def _dropped(ch: str, **payload: int):
    async def script(m: Bus, lite: Bus) -> None:
        bus = lite if ch.startswith("l_") else m
        c = ch.removeprefix("l_")
        await bus.step(**{f"{c}valid": 1}, **{f"{c}{k}": v for k, v in payload.items()})
        await bus.step(**{f"{c}valid": 0})
    return script


def _changed(ch: str, field: str, **payload: int):
    async def script(m: Bus, lite: Bus) -> None:
        bus = lite if ch.startswith("l_") else m
        c = ch.removeprefix("l_")
        await bus.step(**{f"{c}valid": 1}, **{f"{c}{k}": v for k, v in payload.items()})
        await bus.step(**{f"{c}{field}": payload[field] ^ 1})
    return script


MASTER_PAYLOAD = {"aw": {"addr": 0x100, "len": 0, "size": 2, "burst": INCR},
                  "w": {"data": 0x55, "strb": 1, "last": 1},
                  "b": {"id": 0, "resp": 0},
                  "ar": {"addr": 0x200, "len": 0, "size": 2, "burst": INCR},
                  "r": {"id": 0, "data": 0xAA, "resp": 0, "last": 1}}
LITE_PAYLOAD = {"aw": {"addr": 0x10}, "w": {"data": 0x1234, "strb": 0xF}, "b": {"resp": 0},
                "ar": {"addr": 0x14}, "r": {"data": 0x4321, "resp": 0}}
CHANGED_FIELD = {"aw": "addr", "w": "data", "b": "resp", "ar": "addr", "r": "data"}


@cocotb.test()
async def valid_dropped_before_ready(dut):
    """VALID withdrawn before READY, on each of the ten channels."""
    start_clock(dut)
    for ch, payload in MASTER_PAYLOAD.items():
        await expect(dut, f"{ch.upper()}VALID dropped before {ch.upper()}READY",
                     _dropped(ch, **payload))
    for ch, payload in LITE_PAYLOAD.items():
        await expect(dut, f"{ch.upper()}VALID dropped before", _dropped("l_" + ch, **payload))


@cocotb.test()
async def payload_changed_while_stalled(dut):
    """The payload changes while VALID waits for READY, on each of the ten channels."""
    start_clock(dut)
    for ch, payload in MASTER_PAYLOAD.items():
        f = CHANGED_FIELD[ch]
        await expect(dut, f"{ch.upper()} payload changed while {ch.upper()}VALID waited "
                          f"for {ch.upper()}READY: {ch.upper()}{f.upper()}",
                     _changed(ch, f, **payload))
    for ch, payload in LITE_PAYLOAD.items():
        f = CHANGED_FIELD[ch]
        await expect(dut, f"{ch.upper()} payload changed", _changed("l_" + ch, f, **payload))


@cocotb.test()
async def strobe_change_while_stalled(dut):
    """WSTRB dropping to 0 on a stalled write beat (the defect of a DMA error stop)."""
    start_clock(dut)
    async def script(m: Bus, lite: Bus) -> None:
        await m.aw(0x100, len=0)
        await m.step(wvalid=1, wdata=3, wstrb=0xF, wlast=1)
        await m.step(wstrb=0)
    await expect(dut, "W payload changed while WVALID waited for WREADY: WSTRB 0xf -> 0x0",
                 script)


@cocotb.test()
async def valid_during_reset(dut):
    """A VALID high while reset has been asserted for more than a cycle."""
    start_clock(dut)
    checkers = await fresh(dut)
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    await Bus(dut).step(arvalid=1)
    await ClockCycles(dut.clk, 2)
    found = checkers.violations
    checkers.kill()
    dut.m_axi_arvalid.value = 0
    assert found and "ARVALID high during reset" in found[0], found


# -- address channel rules ---------------------------------------------------------------------

@cocotb.test()
async def illegal_addresses(dut):
    """Reserved AxBURST, AxSIZE wider than the bus, long FIXED, odd or unaligned WRAP, INCR
    across 4 KiB, on AW and AR."""
    start_clock(dut)
    db = len(dut.m_axi_wdata) // 8
    cases = [("BURST is the reserved value 3", dict(addr=0, burst=3)),
             ("wider than the", dict(addr=0, size=db.bit_length())),
             ("FIXED burst of 17 beats", dict(addr=0, len=16, burst=FIXED)),
             ("WRAP burst of 3 beats", dict(addr=0, len=2, burst=WRAP)),
             ("WRAP burst start not aligned", dict(addr=2, len=3, size=2, burst=WRAP)),
             ("INCR burst crosses a 4 KiB boundary", dict(addr=0xFFC, len=1)),
             ("INCR burst crosses a 4 KiB boundary", dict(addr=0x1F01, len=255, size=0))]
    for rule, args in cases:
        args.setdefault("size", 2)
        for ch in ("aw", "ar"):
            async def script(m: Bus, lite: Bus, ch=ch, args=args) -> None:
                await getattr(m, ch)(**args)
            await expect(dut, rule, script)


# -- write data rules --------------------------------------------------------------------------

@cocotb.test()
async def wlast_errors(dut):
    """WLAST early, WLAST missing on the last beat, and a W burst longer than its AW, with the
    address before and after the data."""
    start_clock(dut)
    async def early(m: Bus, lite: Bus) -> None:
        await m.aw(0x100, len=3)
        await m.w(4, last_at=1)

    async def missing(m: Bus, lite: Bus) -> None:
        await m.aw(0x100, len=1)
        await m.w(2, last_at=5)

    async def early_data_first(m: Bus, lite: Bus) -> None:
        await m.w(2)
        await m.aw(0x100, len=3)

    async def long_data_first(m: Bus, lite: Bus) -> None:
        await m.w(3)
        await m.aw(0x100, len=1)

    for rule, script in [("WLAST on beat 2 of a 4-beat burst", early),
                         ("WLAST missing on beat 2, the last of the burst", missing),
                         ("WLAST on beat 2 of a 4-beat burst", early_data_first),
                         ("WLAST missing on beat 2, the last of the burst", long_data_first)]:
        await expect(dut, rule, script)


@cocotb.test()
async def strobes_outside_addressed_bytes(dut):
    """WSTRB enabling lanes a beat does not address: below an unaligned start, outside a narrow
    transfer, and beside a narrow FIXED beat."""
    start_clock(dut)
    db = len(dut.m_axi_wdata) // 8

    async def below_start(m: Bus, lite: Bus) -> None:
        await m.aw(0x103, len=0)
        await m.w(1, strb=0b1111)

    async def narrow(m: Bus, lite: Bus) -> None:
        await m.aw(0x101, len=1, size=0)
        await m.w(1, strb=0b10, last_at=5)  # beat 0 addresses byte 1: fine
        await m.w(1, strb=0b10)  # beat 1 addresses byte 2 only

    async def fixed(m: Bus, lite: Bus) -> None:
        await m.aw(0x104, len=1, size=2, burst=FIXED)
        await m.w(2, strb=0xF)  # lanes 4..7 on a bus of 8 bytes or more (lanes 0..3 at 4)

    await expect(dut, "WSTRB 0xf on beat 1 enables byte lanes outside the addressed bytes",
                 below_start)
    await expect(dut, "WSTRB 0x2 on beat 2 enables byte lanes outside", narrow)
    if db > 4:
        await expect(dut, "WSTRB 0xf on beat 1 enables byte lanes outside", fixed)


# -- response rules ----------------------------------------------------------------------------

@cocotb.test()
async def responses_without_requests(dut):
    """B and R for IDs with nothing outstanding, B before the last W beat, RLAST early or
    missing, EXOKAY to a normal access; AXI-Lite B and R with nothing outstanding."""
    start_clock(dut)
    async def b_nothing(m: Bus, lite: Bus) -> None:
        await m.b(id=1)

    async def b_wrong_id(m: Bus, lite: Bus) -> None:
        await m.aw(0x100, id=1)
        await m.w(1)
        await m.b(id=2)

    async def b_early(m: Bus, lite: Bus) -> None:
        await m.aw(0x100, len=1, id=1)
        await m.w(1, last_at=5)
        await m.b(id=1)

    async def r_wrong_id(m: Bus, lite: Bus) -> None:
        await m.ar(0x100, id=4)
        await m.r(5, 1)

    async def rlast_early(m: Bus, lite: Bus) -> None:
        await m.ar(0x100, len=3, id=4)
        await m.r(4, 2)

    async def rlast_missing(m: Bus, lite: Bus) -> None:
        await m.ar(0x100, len=1, id=4)
        await m.r(4, 2, last_at=7)

    async def two_responses(m: Bus, lite: Bus) -> None:
        await m.aw(0x100, id=1)
        await m.w(1)
        await m.b(id=1)
        await m.b(id=1)

    async def exokay(m: Bus, lite: Bus) -> None:
        await m.ar(0x100, id=4)
        await m.r(4, 1, resp=EXOKAY)

    async def lite_b(m: Bus, lite: Bus) -> None:
        await lite.handshake("aw", addr=0x10)
        await lite.handshake("b", resp=0)

    async def lite_r(m: Bus, lite: Bus) -> None:
        await lite.handshake("r", data=1, resp=0)

    for rule, script in [("B for BID=0x1, which has no write outstanding", b_nothing),
                         ("B for BID=0x2, which has no write outstanding", b_wrong_id),
                         ("B for BID=0x1 before the last W beat", b_early),
                         ("R beat for RID=0x5, which has no read outstanding", r_wrong_id),
                         ("RLAST on beat 2 of a 4-beat burst", rlast_early),
                         ("RLAST missing on beat 2, the last of the burst", rlast_missing),
                         ("B for BID=0x1, which has no write outstanding", two_responses),
                         ("EXOKAY to a normal (non-exclusive) access", exokay),
                         ("B with no write outstanding", lite_b),
                         ("R with no read outstanding", lite_r)]:
        await expect(dut, rule, script)


@cocotb.test()
async def missing_response_at_quiescence(dut):
    """A write and a read never answered: the quiescence check lists both."""
    start_clock(dut)
    checkers = await fresh(dut)
    m = Bus(dut)
    await m.aw(0x100, id=3)
    await m.w(1)
    await m.ar(0x200, len=1, id=4)
    await m.r(4, 1, last_at=5)
    await RisingEdge(dut.clk)  # the checker has seen the last beat
    checkers.m_axi.assert_quiescent()
    found = checkers.violations
    checkers.kill()
    assert len(found) == 1 and "outstanding on an idle bus" in found[0], found
    assert "AWID=0x3" in found[0] and "waits for B" in found[0], found
    assert "ARID=0x4" in found[0] and "waits for 1 R beat(s)" in found[0], found


@cocotb.test(expect_error=AxiProtocolError)
async def violation_fails_the_test(dut):
    """In its default mode the checker fails the running test at the first violation: this
    test breaks a rule and expects exactly that failure."""
    start_clock(dut)
    await fresh(dut, fail=True)
    m = Bus(dut)
    await m.b(id=7)
    await ClockCycles(dut.clk, 4)
