"""Register-level testbench of dma_top: clock, reset, memory, register bus and channel helpers.

A test creates one `DmaTb` (`tb = await DmaTb.create(dut)`), configures channels, posts
descriptors into their rings, asks the reference model what must happen (`predict`), rings the
doorbells and checks registers and the *whole* memory against the model (`check`): every byte
outside the descriptors' destinations, status words and completion records is a guard byte.
Memory starts filled with random bytes so a stray write shows.

Seeds: every bench draws its randomness from `tb.rng`, seeded from DMASIM_SEED (or cocotb's
COCOTB_RANDOM_SEED) and the test's name; the seed is logged at the start of each test.
"""

from __future__ import annotations

import math
import os
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles
from cocotbext.axi import AxiBus, AxiLiteBus, AxiLiteMaster

from pydriver import regs
from pydriver.drivers.dmasim.hw import (
    SLOT_BYTES,
    Descriptor,
    ErrCode,
    RawDescriptor,
    Status,
)
from tb import coverage
from tb.axi_checker import AxiCheckers, attach_axi_checkers
from tb.axi_mem import FaultyAxiRam, Reorder
from tb.bounded import CLK_NS, cycle_now, until
from tb.refmodel import (
    BusFault,
    ChannelSetup,
    HwConfig,
    Outcome,
    SimMemory,
    compare_memory,
    merge_outcomes,
    run_channel,
)
from tb.regbus import reg_read, reg_write

SOAK = os.environ.get("DMASIM_SOAK", "") not in ("", "0")
# The memory answers out of order and interleaved, with stalls on every channel (tb/axi_mem.py)
AXI_REORDER = os.environ.get("DMASIM_AXI_REORDER", "") not in ("", "0")
REORDER_SLOWDOWN = 4.0  # timeout multiplier for its stalls and held responses


def field_of(value: int, mask: int, shift: int) -> int:
    return (value & mask) >> shift


def _on_icarus() -> bool:
    name = getattr(cocotb, "SIM_NAME", None) or os.environ.get("DMASIM_SIM", "")
    return "icarus" in name.lower()


def scale(default: int, *, icarus: int | None = None, soak: int | None = None) -> int:
    """An iteration count or size: `soak` under DMASIM_SOAK=1, `icarus` on Icarus (where the
    RTL simulates 20-100x slower than on Verilator, so sweeps are sampled), else `default`."""
    if SOAK:
        return default if soak is None else soak
    if icarus is not None and _on_icarus():
        return icarus
    return default


@dataclass
class Channel:
    """Software's view of one channel: its configuration and ring counts."""

    index: int
    setup: ChannelSetup
    ctrl: int = regs.CH_CTRL_ENABLE_MASK  # CTRL bits to keep when writing RESET/ABORT
    tail: int = 0  # software's TAIL: the next free slot count
    head: int = 0  # HEAD the model starts from at the next predict()
    posted: list[Descriptor] = field(default_factory=list)  # since the last predict()

    def reg(self, offset: int) -> int:
        return regs.ch_reg(self.index, offset)


@dataclass(frozen=True)
class ChannelRegs:
    """A channel's status and error registers, read in one go."""

    head: int
    tail: int
    busy: bool
    halted: bool
    err_code: int
    err_resp: int
    err_desc: int
    err_addr: int
    int_cause: int

    def __str__(self) -> str:
        try:
            name = ErrCode(self.err_code).name
        except ValueError:
            name = "?"
        return (f"HEAD={self.head} TAIL={self.tail} BUSY={int(self.busy)} "
                f"HALTED={int(self.halted)} ERR_CODE=0x{self.err_code:02x}({name}) "
                f"RESP={self.err_resp} ERR_DESC={self.err_desc} ERR_ADDR=0x{self.err_addr:x} "
                f"INT_CAUSE={self.int_cause}")


class DmaTb:
    """The bench around one dma_top instance."""

    def __init__(self, dut, name: str, mem_size: int, seed: int | None,
                 mem_base: int | None = None, axi_reorder: bool | None = None) -> None:
        self.dut = dut
        self.log = dut._log
        self.name = name
        base_seed = seed
        if base_seed is None:
            env = os.environ.get("DMASIM_SEED")
            base_seed = int(env, 0) if env else cocotb.RANDOM_SEED
        self.seed = base_seed
        self.rng = random.Random(f"{base_seed}:{name}")
        self.log.info("%s: seed %d (rerun with DMASIM_SEED=%d)", name, base_seed, base_seed)
        self.mem_size = mem_size
        self.mem_base = mem_base
        self.hw = HwConfig()
        self.base = 0
        self.ram: FaultyAxiRam
        self.axil: AxiLiteMaster
        self.axi_checkers: AxiCheckers
        self.channels: dict[int, Channel] = {}
        self._next = 0  # allocator cursor (offset into the RAM)
        self.expected: SimMemory | None = None
        self.axi_reorder = AXI_REORDER if axi_reorder is None else axi_reorder
        self.slowdown = 1.0  # timeout multiplier while backpressure is on
        self.outcomes: dict[int, Outcome] = {}  # per channel, what check() compares
        self.all_outcomes: list[Outcome] = []  # every model run behind `expected`
        self.cov = None  # functional coverage sampler, with DMASIM_COVERAGE=1 only
        if coverage.ENABLED:
            from tb.coverage.collector import Collector

            self.cov = Collector(lambda: self.hw.data_bytes)

    # -- bring-up -----------------------------------------------------------------------------

    @classmethod
    async def create(cls, dut, *, mem_size: int = 1 << 20, seed: int | None = None,
                     name: str | None = None, mem_base: int | None = None,
                     axi_reorder: bool | None = None) -> DmaTb:
        """Clock, reset, memory and register bus; reads CONFIG. `name` defaults to the calling
        test's function name (it seeds the test's random stream); `mem_base` places the RAM
        (a multiple of its size; default: see _mem_base). `axi_reorder`: the memory answers
        out of order with stalls everywhere (default: DMASIM_AXI_REORDER)."""
        tb = cls(dut, name or sys._getframe(1).f_code.co_name, mem_size, seed, mem_base,
                 axi_reorder)
        await tb._start()
        return tb

    async def _start(self) -> None:
        dut = self.dut
        Clock(dut.clk, CLK_NS, unit="ns").start()
        dut.rst.value = 1
        self.axi_checkers = attach_axi_checkers(dut)  # any violation fails the test
        addr_width = len(dut.m_axi_araddr)
        self.base = self._mem_base(addr_width)
        reorder = None
        if self.axi_reorder:
            reorder = Reorder(random.Random(self.rng.getrandbits(64)))
            self.slowdown = REORDER_SLOWDOWN
            self.log.info("memory reorders responses, stalls every channel: %s", reorder)
        self.ram = FaultyAxiRam(AxiBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst,
                                size=self.mem_size, base=self.base, reorder=reorder)
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        for log in (self.axil.write_if.log, self.axil.read_if.log):
            log.setLevel("WARNING")
        await ClockCycles(dut.clk, 8)
        dut.rst.value = 0
        await ClockCycles(dut.clk, 4)
        cfg = await self.read(regs.REG_CONFIG)
        self.hw = HwConfig(
            channels=field_of(cfg, regs.REG_CONFIG_CHANNELS_MASK, regs.REG_CONFIG_CHANNELS_SHIFT),
            data_bytes=field_of(cfg, regs.REG_CONFIG_DATA_BYTES_MASK,
                                regs.REG_CONFIG_DATA_BYTES_SHIFT),
            max_xor_srcs=field_of(cfg, regs.REG_CONFIG_MAX_XOR_SRCS_MASK,
                                  regs.REG_CONFIG_MAX_XOR_SRCS_SHIFT),
            addr_width=field_of(cfg, regs.REG_CONFIG_ADDR_WIDTH_MASK,
                                regs.REG_CONFIG_ADDR_WIDTH_SHIFT))
        # CONFIG must describe the ports we see; the benches size everything from it.
        assert self.hw.channels == len(dut.irq), f"CONFIG.CHANNELS {self.hw.channels}"
        assert self.hw.data_bytes * 8 == len(dut.m_axi_wdata), f"CONFIG {cfg:#x}"
        assert self.hw.addr_width == addr_width, f"CONFIG.ADDR_WIDTH {self.hw.addr_width}"
        self.log.info("dma_top %s, RAM at 0x%x", self.hw, self.base)
        self.ram.mem[:] = self.rng.randbytes(self.mem_size)

    def _mem_base(self, addr_width: int) -> int:
        """Bus address of the RAM: `mem_base` when the test gave one, else DMASIM_MEM_BASE, else
        above 4 GiB when addresses are wider than 32 bits, so the upper address bits of every
        register and bus path are exercised."""
        if self.mem_base is not None:
            return self.mem_base
        env = os.environ.get("DMASIM_MEM_BASE")
        if env:
            return int(env, 0)
        if addr_width <= 32:
            return 0
        return (0x5A5A_5A5A << 32) & ((1 << addr_width) - 1) & ~(self.mem_size - 1)

    # -- time ---------------------------------------------------------------------------------

    @staticmethod
    def now() -> int:
        """Current clock cycle."""
        return cycle_now()

    def last_bus_cycle(self) -> int:
        """Cycle of the last AR/AW burst the RAM accepted (for latency/throughput logs)."""
        return int(max((b.time_ns for b in self.ram.bursts), default=0)) // CLK_NS

    async def cycles(self, n: int) -> None:
        await ClockCycles(self.dut.clk, n)

    # -- registers ----------------------------------------------------------------------------

    async def read(self, offset: int) -> int:
        return await reg_read(self.axil, offset)

    async def write(self, offset: int, value: int) -> None:
        await reg_write(self.axil, offset, value)
        if self.cov:
            self.cov.register_write(offset, value)

    async def write64(self, lo_offset: int, hi_offset: int, value: int) -> None:
        await self.write(lo_offset, value & 0xFFFFFFFF)
        await self.write(hi_offset, value >> 32)

    async def channel_regs(self, ch: Channel | int) -> ChannelRegs:
        idx = ch if isinstance(ch, int) else ch.index

        async def r(off: int) -> int:
            return await self.read(regs.ch_reg(idx, off))

        status = await r(regs.CH_STATUS)
        err = await r(regs.CH_ERR_CODE)
        return ChannelRegs(
            head=await r(regs.CH_HEAD), tail=await r(regs.CH_TAIL),
            busy=bool(status & regs.CH_STATUS_BUSY_MASK),
            halted=bool(status & regs.CH_STATUS_HALTED_MASK),
            err_code=field_of(err, regs.CH_ERR_CODE_CODE_MASK, regs.CH_ERR_CODE_CODE_SHIFT),
            err_resp=field_of(err, regs.CH_ERR_CODE_RESP_MASK, regs.CH_ERR_CODE_RESP_SHIFT),
            err_desc=await r(regs.CH_ERR_DESC),
            err_addr=(await r(regs.CH_ERR_ADDR_HI) << 32) | await r(regs.CH_ERR_ADDR_LO),
            int_cause=await r(regs.CH_INT_CAUSE))

    async def state_of(self, *chans: Channel | int) -> str:
        """Registers of the given channels (every configured one if none), for failure
        messages of bounded waits."""
        idx = [c if isinstance(c, int) else c.index for c in chans] or sorted(self.channels)
        return "; ".join([f"channel {i}: {await self.channel_regs(i)}" for i in idx]
                         + [f"irq 0b{int(self.dut.irq.value):b}"])

    def irq(self, ch: Channel | int) -> bool:
        idx = ch if isinstance(ch, int) else ch.index
        return bool((int(self.dut.irq.value) >> idx) & 1)

    # -- memory -------------------------------------------------------------------------------

    def alloc(self, size: int, *, align: int = 1, offset: int | None = None,
              guard: int | None = None) -> int:
        """Bus address of `size` fresh bytes at `offset` modulo `align` (random if None),
        after a random guard gap. Memory is never reused within a test."""
        guard = self.rng.randint(8, 72) if guard is None else guard
        if offset is None:
            offset = self.rng.randrange(align) if align > 1 else 0
        start = self._next + guard
        start += (offset - start) % align
        if start + size + 64 > self.mem_size:
            raise MemoryError(f"bench RAM exhausted allocating {size} bytes")
        self._next = start + size
        return self.base + start

    def pick(self, items: Sequence, *, icarus: int, keep: Sequence = ()) -> list:
        """All of `items`, or on Icarus a random sample of `icarus` of them (plus `keep`), in
        their original order: systematic sweeps run in full on Verilator."""
        items = list(items)
        n = min(scale(len(items), icarus=icarus), len(items))
        chosen = set(self.rng.sample(range(len(items)), n))
        chosen |= {i for i, x in enumerate(items) if x in keep}
        return [x for i, x in enumerate(items) if i in chosen]

    def move_cursor(self, addr: int) -> None:
        """Continue allocating at bus address `addr` (e.g. inside a region reserved earlier as
        an address window)."""
        self._next = addr - self.base

    def alloc_unaligned(self, size: int) -> int:
        """A buffer at a random byte offset within a 64-byte line."""
        return self.alloc(size, align=64)

    def skip_to_page(self, page_offset: int) -> None:
        """Move the allocator so the next alloc(guard=0) lands at `page_offset` within a
        4 KiB page (for boundary tests)."""
        start = self._next + 64
        start += (page_offset - start) % 4096
        self._next = start

    def set_backpressure(self, *, aw: float = 0.0, w: float = 0.0, b: float = 0.0,
                         ar: float = 0.0, r: float = 0.0, max_run: int = 8) -> None:
        """Random stalls on the five AXI channels (fractions of cycles); timeouts scale."""
        self.ram.set_pause(self.rng, aw=aw, w=w, b=b, ar=ar, r=r, max_run=max_run)
        if self.cov:
            self.cov.backpressure({"aw": aw, "w": w, "b": b, "ar": ar, "r": r})
        worst = max(aw, w, b, ar, r)
        self.slowdown = 2.0 / (1.0 - worst) ** 2 if worst else 1.0
        if self.axi_reorder:
            self.slowdown *= REORDER_SLOWDOWN

    def randomize(self, addr: int, length: int) -> bytes:
        data = self.rng.randbytes(length)
        self.ram.write(addr, data)
        return data

    def status_word(self, ch: Channel, count: int) -> Status:
        """The status word in the first slot of the descriptor at slot count `count`."""
        return Status(int.from_bytes(self.ram.read(ch.setup.slot_addr(count), 4), "little"))

    def snapshot(self) -> SimMemory:
        return SimMemory(self.ram.mem)

    # -- channels -----------------------------------------------------------------------------

    async def setup_channel(self, index: int, *, log2_slots: int = 4,
                            ring_base: int | None = None, window: tuple[int, int] | None = None,
                            cmpl_wb: bool = False, cmpl_addr: int | None = None,
                            int_enable: int = 0, coalesce: tuple[int, int] = (0, 0),
                            enable: bool = True) -> Channel:
        """Program a channel's ring, window, completion record and interrupts; enable it."""
        assert 0 <= index < self.hw.channels
        if ring_base is None:
            ring_base = self.alloc(SLOT_BYTES << log2_slots, align=SLOT_BYTES, offset=0)
        if cmpl_wb and cmpl_addr is None:
            cmpl_addr = self.alloc(8, align=8, offset=0)
        win_base, win_limit = window if window else (0, (1 << 64) - 1)
        setup = ChannelSetup(ring_base=ring_base, log2_slots=log2_slots, win_base=win_base,
                             win_limit=win_limit, cmpl_wb_en=cmpl_wb, cmpl_addr=cmpl_addr or 0)
        ctrl = (regs.CH_CTRL_ENABLE_MASK if enable else 0) | \
            (regs.CH_CTRL_CMPL_WB_EN_MASK if cmpl_wb else 0)
        ch = Channel(index, setup, ctrl)
        r = ch.reg
        await self.write64(r(regs.CH_RING_BASE_LO), r(regs.CH_RING_BASE_HI), ring_base)
        await self.write(r(regs.CH_RING_SIZE), log2_slots)
        await self.write64(r(regs.CH_CMPL_ADDR_LO), r(regs.CH_CMPL_ADDR_HI), setup.cmpl_addr)
        await self.write64(r(regs.CH_WIN_BASE_LO), r(regs.CH_WIN_BASE_HI), win_base)
        await self.write64(r(regs.CH_WIN_LIMIT_LO), r(regs.CH_WIN_LIMIT_HI), win_limit)
        await self.write(r(regs.CH_INT_ENABLE), int_enable)
        await self.write(r(regs.CH_COALESCE),
                         (coalesce[0] << regs.CH_COALESCE_COUNT_SHIFT)
                         | (coalesce[1] << regs.CH_COALESCE_TIMEOUT_SHIFT))
        await self.write(r(regs.CH_CTRL), ctrl)
        head = await self.read(r(regs.CH_HEAD))
        ch.head = ch.tail = head
        self.channels[index] = ch
        return ch

    def post(self, ch: Channel, descs: Iterable[Descriptor]) -> list[int]:
        """Write descriptors into the ring at software's TAIL (wrapping); returns their slot
        counts. The hardware sees them at the next doorbell()."""
        counts = []
        for d in descs:
            counts.append(ch.tail)
            ch.tail = ch.setup.ring.store(self.ram.write, ch.tail, d.encode())
            ch.posted.append(d)
        return counts

    def outstanding(self, ch: Channel) -> int:
        return ch.setup.ring.outstanding(ch.head, ch.tail)

    def predict(self, chans: Sequence[Channel], faults: Sequence[BusFault] = (),
                abort_at: dict[int, int] | None = None,
                snapshot: SimMemory | None = None,
                abort_code: int = ErrCode.ABORTED) -> dict[int, Outcome]:
        """Run the reference model on a snapshot of memory (now, or one taken earlier) for every
        channel, from its HEAD to its TAIL. Channels are modelled one after the other, so their
        data must not overlap. `abort_at`: software stopped these channels when HEAD was there
        (CTRL.ABORT, or with `abort_code` TAIL_OVERFLOW a TAIL write they refused)."""
        mem = snapshot.copy() if snapshot is not None else self.snapshot()
        out = {}
        for ch in chans:
            out[ch.index] = run_channel(mem, self.hw, ch.setup, ch.head, ch.tail, faults,
                                        (abort_at or {}).get(ch.index), abort_code)
        self.expected = mem
        self.outcomes = out
        self.all_outcomes = list(out.values())
        return out

    async def doorbell(self, ch: Channel, tail: int | None = None) -> None:
        await self.write(ch.reg(regs.CH_TAIL), ch.tail if tail is None else tail)

    def estimate_cycles(self, descs: Iterable[Descriptor]) -> int:
        """A generous bound on the cycles a list of descriptors needs (for timeouts)."""
        db = self.hw.data_bytes
        total = 400
        for d in descs:
            raw: RawDescriptor = d.raw()
            beats = math.ceil(min(raw.length & 0xFFFFFF, 1 << 24) / db) + 2
            total += 80 * raw.slots + 3 * beats * (max(raw.nsrc, 1) + 1)
        return int(total * self.slowdown)

    async def wait_settled(self, ch: Channel, head: int | Sequence[int] | None = None,
                           timeout: int = 20000, poll: int = 24) -> ChannelRegs:
        """Wait until the channel is idle (not BUSY) with HEAD at `head` (default: TAIL) or
        halted. Fails after `timeout` cycles rather than hanging."""
        want = {ch.tail} if head is None else {head} if isinstance(head, int) else set(head)
        deadline = self.now() + timeout
        while True:
            status = await self.read(ch.reg(regs.CH_STATUS))
            busy = bool(status & regs.CH_STATUS_BUSY_MASK)
            halted = bool(status & regs.CH_STATUS_HALTED_MASK)
            if not busy:
                hw_head = await self.read(ch.reg(regs.CH_HEAD))
                if halted or hw_head in want:
                    return await self.channel_regs(ch)
            if self.now() > deadline:
                state = await self.channel_regs(ch)
                raise AssertionError(f"channel {ch.index} not done after {timeout} cycles "
                                     f"(waiting for HEAD {sorted(want)}): {state}"
                                     + self._bus_state())
            await self.cycles(poll)

    def _bus_state(self) -> str:
        """What the AXI master still waits for (for a timeout's message)."""
        m_axi = self.axi_checkers.m_axi
        out = m_axi.outstanding() if m_axi is not None else []
        return "; AXI outstanding: " + ("; ".join(out) if out else "nothing")

    async def wait_irq(self, ch: Channel | int, timeout: int = 5000, level: bool = True) -> int:
        """Wait for irq[ch] to reach `level`; returns the cycle it did. Fails on timeout."""
        idx = ch if isinstance(ch, int) else ch.index
        await until(lambda: self.irq(idx) == level, self.dut.clk, timeout,
                    f"irq[{idx}] = {int(level)}", lambda: self.state_of(idx))
        return self.now()

    # -- checking -----------------------------------------------------------------------------

    async def check_channel(self, ch: Channel, out: Outcome) -> ChannelRegs:
        """The channel's registers against the model; advances software's HEAD."""
        state = await self.channel_regs(ch)
        bad = out.check_registers(state.head, state.halted, state.err_code, state.err_resp,
                                  state.err_desc, state.err_addr)
        if state.busy:
            bad.append("STATUS.BUSY still set")
        if out.halted:
            if not state.int_cause & regs.CH_INT_CAUSE_ERROR_MASK:
                bad.append("INT_CAUSE.ERROR not set on a halted channel")
        elif state.int_cause & regs.CH_INT_CAUSE_ERROR_MASK:
            bad.append("INT_CAUSE.ERROR set without a fault")
        assert not bad, f"channel {ch.index}: " + "; ".join(bad) + f" [{state}]"
        if self.cov:
            self.cov.channel_state(ch.index, state.int_cause, out)
        ch.head = state.head
        ch.posted.clear()
        return state

    def check_memory(self, outcomes: Iterable[Outcome] | None = None, *,
                     sample: bool = True) -> None:
        """The whole RAM against the model's image (guard bytes everywhere). Then the outcomes
        count as covered (`sample=False`: the caller samples the completions itself)."""
        assert self.expected is not None, "predict() first"
        outs = self.all_outcomes if outcomes is None else list(outcomes)
        dont_care, alternatives = merge_outcomes(outs)
        # Model images use bus addresses aliased modulo the RAM size, like the RAM itself.
        bad = compare_memory(self.expected, self.ram.mem, dont_care, alternatives)
        assert not bad, "memory differs from the reference model:\n  " + "\n  ".join(bad)
        if self.cov and sample:
            self.cov.outcomes(outs, self.channels)

    def check_bus(self) -> None:
        """Accesses inside the RAM and legal bursts; with every channel idle, no AXI4
        transaction may still be outstanding (register accesses of other tasks may be)."""
        if self.axi_checkers.m_axi is not None:
            self.axi_checkers.m_axi.assert_quiescent()
        if self.axi_reorder:
            self.log.info("reordering memory so far: %s", self.ram.reorder_stats)
        assert not self.ram.violations, "bus accesses outside the RAM:\n  " + \
            "\n  ".join(self.ram.violations[:10])
        # the checker enforces AXI's burst rules as they happen; INCR only is this design's
        for b in self.ram.bursts:
            assert b.burst == 1, f"non-INCR burst {b}"
        if self.cov:
            self.cov.bursts(self.ram.bursts)

    def check_accesses_within(self, ranges: Sequence[tuple[int, int]], since: int = 0) -> None:
        """Every burst since index `since` lies inside one of the [lo, hi] ranges."""
        for b in self.ram.bursts[since:]:
            lo = b.addr - b.addr % b.size
            assert any(r_lo <= lo and b.last <= r_hi for r_lo, r_hi in ranges), \
                f"access outside the allowed windows: {b}"

    async def check(self, chans: Sequence[Channel] | Channel | None = None) -> None:
        """Registers of every predicted channel, the whole memory and the bus."""
        if isinstance(chans, Channel):
            chans = [chans]
        chans = chans if chans is not None else [self.channels[i] for i in self.outcomes]
        for ch in chans:
            await self.check_channel(ch, self.outcomes[ch.index])
        self.check_memory()
        self.check_bus()

    async def run(self, ch: Channel, descs: Sequence[Descriptor], *,
                  faults: Sequence[BusFault] = (), timeout: int | None = None,
                  check: bool = True) -> Outcome:
        """Post, predict, ring the doorbell, wait, check: one channel, one batch."""
        self.post(ch, descs)
        out = self.predict([ch], faults)[ch.index]
        self.ram.faults[:] = list(faults)
        await self.doorbell(ch)
        timeout = timeout or self.estimate_cycles(descs)
        await self.wait_settled(ch, out.head_options, timeout=timeout)
        if check:
            await self.check(ch)
        return out

    async def run_together(self, batches: Sequence[tuple[Channel, Sequence[Descriptor]]]
                           ) -> dict[int, Outcome]:
        """Post each channel's batch, predict, ring every doorbell, wait for all, check: several
        channels at once (their data must not overlap)."""
        for ch, descs in batches:
            self.post(ch, descs)
        chans = [ch for ch, _ in batches]
        outs = self.predict(chans)
        for ch in chans:
            await self.doorbell(ch)
        budget = sum(self.estimate_cycles(descs) for _, descs in batches)
        for ch in chans:
            await self.wait_settled(ch, timeout=budget)
        await self.check(chans)
        return outs

    async def stream(self, ch: Channel, descs: Sequence[Descriptor], *,
                     batch_slots: int | None = None, timeout: int | None = None,
                     poll: int = 16, check: bool = True) -> Outcome:
        """Run more descriptors than the ring holds: batches of at most half the ring, each
        appended (written into freed slots, TAIL doorbell) while the channel is still busy with
        the previous ones. Only for descriptors that complete without a fault.

        The model runs first, batch by batch on one image, writing each batch into the ring
        exactly where and in the order the bench writes it into the RAM later."""
        nslots = ch.setup.nslots
        batch_slots = batch_slots or max(1, nslots // 2)
        batches: list[list[Descriptor]] = [[]]
        used = 0
        for d in descs:
            assert d.slots <= batch_slots, "descriptor larger than a batch"
            if used + d.slots > batch_slots:
                batches.append([])
                used = 0
            batches[-1].append(d)
            used += d.slots
        model = self.snapshot()
        outs: list[Outcome] = []
        tail = ch.tail
        for batch in batches:
            start = tail
            for d in batch:
                tail = ch.setup.ring.store(model.write, tail, d.encode())
            out = run_channel(model, self.hw, ch.setup, start, tail)
            assert not out.halted, f"stream() is for good descriptors: {out.err_code!r}"
            outs.append(out)
        self.expected, self.outcomes, self.all_outcomes = model, {ch.index: outs[-1]}, outs
        final = tail
        timeout = timeout or self.estimate_cycles(descs) + 200 * len(batches)
        deadline = self.now() + timeout
        nxt = 0
        head = ch.head
        while True:
            while nxt < len(batches):
                size = sum(d.slots for d in batches[nxt])
                if size > ch.setup.ring.free(head, ch.tail):
                    break
                self.post(ch, batches[nxt])
                await self.doorbell(ch)
                nxt += 1
            if head == final and nxt == len(batches):
                break
            if self.now() > deadline:
                raise AssertionError(f"stream on channel {ch.index} stuck: "
                                     f"{await self.channel_regs(ch)}, {nxt}/{len(batches)} "
                                     "batches posted" + self._bus_state())
            await self.cycles(poll)
            head = await self.read(ch.reg(regs.CH_HEAD))
            status = await self.read(ch.reg(regs.CH_STATUS))
            assert not status & regs.CH_STATUS_HALTED_MASK, \
                f"channel {ch.index} halted: {await self.channel_regs(ch)}"
        await self.wait_settled(ch, final, timeout=2000)
        if check:
            await self.check(ch)
        return outs[-1]

    async def reset_channel(self, ch: Channel, timeout: int = 5000) -> None:
        """CTRL.RESET (keeping the configuration bits) and check the channel is clean again."""
        await self.write(ch.reg(regs.CH_CTRL), ch.ctrl | regs.CH_CTRL_RESET_MASK)
        deadline = self.now() + timeout
        while True:
            state = await self.channel_regs(ch)
            if not state.busy and state.head == 0 and state.tail == 0:
                break
            assert self.now() < deadline, f"channel {ch.index} did not reset: {state}"
            await self.cycles(16)
        assert (state.halted, state.err_code, state.err_resp, state.err_desc, state.err_addr,
                state.int_cause) == (False, 0, 0, 0, 0, 0), f"after CTRL.RESET: {state}"
        ctrl = await self.read(ch.reg(regs.CH_CTRL))
        assert ctrl == ch.ctrl, f"CTRL 0x{ctrl:x} after reset (configuration 0x{ch.ctrl:x})"
        ch.head = ch.tail = 0
        ch.posted.clear()
