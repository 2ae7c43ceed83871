"""Bring-up rehearsal of dma_top on the default simulator (`make demo`).

What a board bring-up engineer would do first with a new DMA block, done on the simulated controller
at register level: identify it, walk the register bus, then the probe self-tests that Linux async_tx
drivers run before registering (docs/kernel-model.md, R76-R81: iop-adma's 2000-byte copy, the
4-source XOR giving 0x0F0F0F0F, the zero-sum checks around a fill, ioatdma's interrupt delivery),
every channel at once, and an error's containment and recovery. Each step prints one report line
with its cycle count; the run fails if any step does.

The provider driver for dma_top (the dmaengine path) is a later step of the project; until it
exists the rehearsal drives descriptors directly and says so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import cocotb
from rich.console import Console
from rich.table import Table

from pydriver import regs
from pydriver.drivers.dmasim.hw import ErrCode, Fill, Interrupt, Memcpy, RawDescriptor, Xor, XorVal
from tb.dma_tb import Channel, DmaTb

PAGE = 4096
CAP_NAMES = [f.name for f in next(r for r in regs.GLOBAL_REGS if r.name == "CAPS").fields]


@dataclass
class Step:
    name: str
    ok: bool
    detail: str
    cycles: int | None = None


class Rehearsal:
    """Runs the steps in order, recording each outcome (an exception is a failed step)."""

    def __init__(self, tb: DmaTb) -> None:
        self.tb = tb
        self.steps: list[Step] = []

    async def step(self, name: str, fn: Callable[[], Awaitable[str]]) -> None:
        start = self.tb.now()
        try:
            detail = await fn()
            self.steps.append(Step(name, True, detail, self.tb.now() - start))
        except AssertionError as exc:
            self.steps.append(Step(name, False, str(exc).splitlines()[0]))

    async def execute(self, ch: Channel, descs: list) -> tuple[int, list[int]]:
        """Post, ring, wait; returns the cycles from doorbell to HEAD reaching TAIL and the
        descriptors' slot counts."""
        counts = self.tb.post(ch, descs)
        start = self.tb.now()
        await self.tb.doorbell(ch)
        state = await self.tb.wait_settled(ch)
        assert not state.halted, f"channel {ch.index} halted: {state}"
        ch.head = state.head
        ch.posted.clear()
        return self.tb.now() - start, counts

    def report(self) -> None:
        table = Table(title=f"dmasim bring-up rehearsal: dma_top on {cocotb.SIM_NAME}")
        for col in ("step", "result", "cycles", "detail"):
            table.add_column(col)
        for s in self.steps:
            table.add_row(s.name, "[green]PASS[/]" if s.ok else "[red]FAIL[/]",
                          "" if s.cycles is None else str(s.cycles), s.detail)
        console = Console(force_terminal=False, width=120)
        console.print(table)
        passed = sum(s.ok for s in self.steps)
        console.print(f"{passed} of {len(self.steps)} steps passed. Not rehearsed yet: the "
                      "dmaengine provider driver's probe (the driver for dma_top comes later).")


@cocotb.test()
async def bringup(dut):
    """Identify the controller, run the kernel-style probe self-tests, check containment."""
    tb = await DmaTb.create(dut, mem_size=1 << 20)
    r = Rehearsal(tb)
    hw = tb.hw
    ch0: Channel | None = None

    async def identity() -> str:
        ident = await tb.read(regs.REG_ID)
        assert ident == 0x444D4153, f"ID reads 0x{ident:08X}, expected 0x444D4153"
        ver = await tb.read(regs.REG_VERSION)
        caps = await tb.read(regs.REG_CAPS)
        names = [n for i, n in enumerate(CAP_NAMES) if caps >> i & 1]
        assert {"MEMCPY", "XOR", "XOR_VAL", "FILL", "INTERRUPT"} <= set(names), \
            f"capabilities {names} lack an async_tx operation"
        return (f"v{ver >> 16}.{ver & 0xFFFF}: {hw.channels} channels, {hw.data_bytes * 8}-bit "
                f"data, {hw.max_xor_srcs} XOR sources; {', '.join(names)}")

    async def register_bus() -> str:
        patterns = (0, 0xFFFF_FFFF, 0xA5A5_5A5A, 0x5A5A_A5A5, 1, 0x8000_0000)
        for p in patterns:
            await tb.write(regs.REG_SCRATCH, p)
            got = await tb.read(regs.REG_SCRATCH)
            assert got == p, f"SCRATCH wrote 0x{p:08X}, read 0x{got:08X}"
        return f"SCRATCH walk of {len(patterns)} patterns"

    async def channels_idle() -> str:
        for i in range(hw.channels):
            st = await tb.channel_regs(i)
            assert not (st.busy or st.halted or st.head or st.err_code), \
                f"channel {i} not idle after reset: {st}"
        return f"{hw.channels} channels idle, HEAD 0, no error"

    async def memcpy_selftest() -> str:
        nonlocal ch0
        ch0 = await tb.setup_channel(0, log2_slots=4, int_enable=regs.CH_INT_ENABLE_DONE_MASK)
        src, dst = tb.alloc(2000), tb.alloc(2000)
        pattern = bytes(i % 256 for i in range(2000))
        tb.ram.write(src, pattern)
        tb.ram.write(dst, bytes(2000))
        cycles, _ = await r.execute(ch0, [Memcpy(dst, src, 2000, int_en=True)])
        assert tb.irq(0), "no interrupt after an INT_EN copy"
        assert tb.ram.read(dst, 2000) == pattern, "copy failed compare"
        await tb.write(ch0.reg(regs.CH_INT_CAUSE), regs.CH_INT_CAUSE_DONE_MASK)
        assert not tb.irq(0), "irq stays high after INT_CAUSE was cleared"
        return f"2000-byte i-pattern copy, interrupt raised and cleared ({cycles} cycles)"

    async def xor_selftests() -> str:
        assert ch0 is not None
        srcs = [tb.alloc(PAGE, align=PAGE) for _ in range(4)]
        for k, s in enumerate(srcs):
            tb.ram.write(s, bytes([1 << k]) * PAGE)
        dst = tb.alloc(PAGE, align=PAGE)
        tb.ram.write(dst, bytes(PAGE))
        c_xor, _ = await r.execute(ch0, [Xor(dst, tuple(srcs), PAGE)])
        assert tb.ram.read(dst, PAGE) == bytes([0x0F]) * PAGE, "xor failed compare"
        # zero-sum over sources + parity must pass; after zeroing the parity it must fail
        _, (first, _, second) = await r.execute(
            ch0, [XorVal((*srcs, dst), PAGE), Fill(dst, 0, PAGE), XorVal((*srcs, dst), PAGE)])
        ok, bad = tb.status_word(ch0, first), tb.status_word(ch0, second)
        assert ok.done and not ok.error and not ok.xor_nonzero, f"zero-sum of parity: {ok}"
        assert tb.ram.read(dst, PAGE) == bytes(PAGE), "fill failed compare"
        assert bad.done and bad.xor_nonzero, f"zero-sum missed the cleared parity: {bad}"
        return f"4-page XOR = 0x0F0F0F0F ({c_xor} cycles); zero-sum 0, fill, zero-sum != 0"

    async def all_channels() -> str:
        chans = [ch0] + [await tb.setup_channel(i) for i in range(1, hw.channels)]
        jobs = []
        for ch in chans:
            assert ch is not None
            src, dst = tb.alloc(PAGE), tb.alloc(PAGE)
            data = tb.randomize(src, PAGE)
            jobs.append((ch, dst, data))
            tb.post(ch, [Memcpy(dst, src, PAGE), Interrupt()])
        start = tb.now()
        for ch, _, _ in jobs:
            await tb.doorbell(ch)
        for ch, dst, data in jobs:
            st = await tb.wait_settled(ch)
            assert not st.halted, f"channel {ch.index} halted: {st}"
            assert tb.ram.read(dst, PAGE) == data, f"channel {ch.index} copy failed compare"
            ch.head = st.head
            ch.posted.clear()
        return f"{len(chans)} concurrent 4 KiB copies in {tb.now() - start} cycles"

    async def error_containment() -> str:
        assert ch0 is not None
        await tb.write(ch0.reg(regs.CH_INT_ENABLE), regs.CH_INT_ENABLE_ERROR_MASK)
        tb.post(ch0, [RawDescriptor(0xF, 64, 0, ())])  # an opcode the hardware lacks
        await tb.doorbell(ch0)
        st = await tb.wait_settled(ch0)
        assert st.halted and st.err_code == ErrCode.BAD_OPCODE, f"bad opcode not caught: {st}"
        assert tb.irq(0), "no interrupt for the error"
        others = ""
        if hw.channels > 1:
            ch1 = tb.channels[1]
            src, dst = tb.alloc(256), tb.alloc(256)
            data = tb.randomize(src, 256)
            await r.execute(ch1, [Memcpy(dst, src, 256)])
            assert tb.ram.read(dst, 256) == data, "channel 1 failed while channel 0 halted"
            others = "; channel 1 kept working"
        await tb.write(ch0.reg(regs.CH_CTRL), ch0.ctrl | regs.CH_CTRL_RESET_MASK)
        await tb.wait_settled(ch0, head=0)
        ch0.head = ch0.tail = 0
        ch0.posted.clear()
        src, dst = tb.alloc(512), tb.alloc(512)
        data = tb.randomize(src, 512)
        await r.execute(ch0, [Memcpy(dst, src, 512)])
        assert tb.ram.read(dst, 512) == data, "channel 0 did not recover after RESET"
        return f"BAD_OPCODE halted channel 0 only{others}; RESET recovered it"

    await r.step("identity", identity)
    await r.step("register bus", register_bus)
    await r.step("channels after reset", channels_idle)
    await r.step("memcpy self-test", memcpy_selftest)
    await r.step("xor / zero-sum self-tests", xor_selftests)
    await r.step("all channels at once", all_channels)
    await r.step("error containment", error_containment)
    r.report()
    failed = [s.name for s in r.steps if not s.ok]
    assert not failed, f"bring-up steps failed: {', '.join(failed)}"
