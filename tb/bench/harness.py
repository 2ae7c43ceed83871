"""The performance-bench harness around dma_bench_top: one measured, verified run per `Case`.

No Python runs per clock cycle while a case is measured. The clock is generated in the bench top
(tb/hdl/bench_clock.v), or, for the side-by-side speed comparison, cocotb's C++ (GPI) clock
(DMASIM_BENCH_CLOCK=gpi); the memory is the Verilog model (tb/hdl/axi_mem_model.v), loaded and
checked by backdoor; the register bus (cocotbext-axi AxiLiteMaster) is used for a handful of
accesses per case and sleeps otherwise; completion is one `RisingEdge(irq_all)` (bounded by a
single Timer); every time stamp and beat count comes from the RTL monitors in
tb/hdl/dma_bench_top.v, read once afterwards.

A run: descriptors into the ring of each channel it uses (channel 0, or channels 0..n-1 copying
at once) and random sources by backdoor, random guard bytes around every destination, one TAIL
write per channel (the doorbells), wait for the interrupt of every channel's last descriptor,
then check every destination byte, the guards, every status word, HEAD (and the completion
record), and that the memory model never held the DMA back.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from functools import reduce
from random import Random
from typing import Any

from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, First, RisingEdge, Timer
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from pydriver import regs
from pydriver.drivers.dmasim.hw import (
    CompletionRecord,
    Memcpy,
    Status,
    Xor,
    status_ok,
)
from pydriver.drivers.dmasim.ring import RingLayout
from tb.bench.backdoor import BackdoorMem
from tb.regbus import reg_read, reg_write

CLK_NS = 10                   # the bench top's clock period (a build parameter, tb/bench/run.py)
RUN_CHANNELS = 4              # channels a case may use at once
RING_BASE = 0x0000            # channel n's ring follows channel n - 1's
RING_LOG2 = 8                 # 256 slots: 8 KiB
RING_BYTES = RingLayout(RING_BASE, RING_LOG2).nbytes
RINGS = tuple(RingLayout(RING_BASE + ch * RING_BYTES, RING_LOG2) for ch in range(RUN_CHANNELS))
CMPL_ADDR = RINGS[-1].base + RINGS[-1].nbytes  # channel n's completion record at + 64 * n
DATA_BASE = CMPL_ADDR + 0x1000  # payload buffers from here to the end of the memory
GUARD = 64                    # checked bytes before and after every destination
BLOCK = 256                   # buffers start on this boundary (+ the case's offset)


@dataclass(frozen=True)
class Case:
    """One measured run: `count` descriptors of `op` over `length` bytes each, one doorbell."""

    name: str
    group: str
    op: str = "memcpy"        # "memcpy" or "xor"
    length: int = 4096
    count: int = 1
    nsrc: int = 1             # XOR sources (1 for memcpy)
    src_off: int = 0          # byte offset of every source from a BLOCK boundary
    dst_off: int = 0
    latency: int = 0          # extra read latency of the memory model, cycles
    cmpl_wb: bool = False     # completion record writeback (CTRL.CMPL_WB_EN)
    channels: int = 1         # channels 0..channels-1 each run `count` descriptors at once

    def __post_init__(self) -> None:
        if self.op not in ("memcpy", "xor"):
            raise ValueError(f"{self.name}: unknown op {self.op!r}")
        if (self.op == "memcpy") != (self.nsrc == 1):
            raise ValueError(f"{self.name}: memcpy has one source, XOR 2 or more")
        if self.length < 1 or not 1 <= self.count <= (1 << RING_LOG2):
            raise ValueError(f"{self.name}: bad length or count")
        if not 1 <= self.channels <= RUN_CHANNELS:
            raise ValueError(f"{self.name}: channels must be 1..{RUN_CHANNELS}")


class BenchError(AssertionError):
    """A run that did not do what it was asked: its figures are worthless."""


@dataclass
class _Job:
    channel: int
    dst: int
    srcs: list[int]
    expected: bytes
    slot: int                 # first ring slot (free-running count)
    guard_lo: bytes
    guard_hi: bytes


def _u(handle: Any) -> int:
    return int(handle.value)


class BenchHarness:
    """Clock, reset and register bus of one dma_bench_top; `run(case)` measures one case."""

    def __init__(self, dut: Any, rng: Random) -> None:
        self.dut = dut
        self.log = dut._log
        self.rng = rng
        self.axil = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        for log in (self.axil.write_if.log, self.axil.read_if.log):
            log.setLevel("WARNING")
        self.data_bytes = len(dut.u_mem.s_axi_wdata) // 8
        self.mem_bytes = len(dut.u_mem.mem) * self.data_bytes
        self.mem = BackdoorMem(dut.u_mem.mem, self.data_bytes, self.mem_bytes)
        self.channels = min(len(dut.irq), RUN_CHANNELS)
        self.tail = [0] * self.channels
        self.ctrl = [-1] * self.channels
        self.last: tuple[Case, list[_Job], list[int]] | None = None  # for verify_last()

    @classmethod
    async def start(cls, dut: Any, seed: int | str = 1) -> BenchHarness:
        h = cls(dut, Random(seed))
        # The bus master idles from reset's rising edge on: apply it before the first clock edge.
        dut.rst.value = 1
        dut.cfg_read_latency.value = 0
        dut.cfg_data_lo.value = DATA_BASE
        dut.cfg_data_hi.value = 0  # set per run
        dut.cfg_doorbells.value = 1
        dut.cfg_irq_mask.value = 1
        if os.environ.get("DMASIM_BENCH_CLOCK", "hdl") == "gpi":
            # cocotb's C++ clock: its default ("py" unless COCOTB_TRUST_INERTIAL_WRITES) would
            # run a Python coroutine every half period
            dut.clk_ext.value = 0
            await Timer(1, unit="ns")
            Clock(dut.clk_ext, CLK_NS, unit="ns", impl="gpi").start(start_high=False)
        await ClockCycles(dut.clk, 8)
        dut.rst.value = 0
        await ClockCycles(dut.clk, 4)
        cfg = await h.read(regs.REG_CONFIG)
        db = (cfg & regs.REG_CONFIG_DATA_BYTES_MASK) >> regs.REG_CONFIG_DATA_BYTES_SHIFT
        if db != h.data_bytes:
            raise BenchError(f"CONFIG.DATA_BYTES {db}, bus has {h.data_bytes}")
        for ch in range(h.channels):
            await h.setup_channel(ch)
        return h

    # -- registers ----------------------------------------------------------------------------

    async def read(self, offset: int) -> int:
        return await reg_read(self.axil, offset)

    async def write(self, offset: int, value: int) -> None:
        await reg_write(self.axil, offset, value)

    async def ch_read(self, ch: int, offset: int) -> int:
        return await self.read(regs.ch_reg(ch, offset))

    async def ch_write(self, ch: int, offset: int, value: int) -> None:
        await self.write(regs.ch_reg(ch, offset), value)

    async def setup_channel(self, ch: int) -> None:
        await self.ch_write(ch, regs.CH_RING_BASE_LO, RINGS[ch].base)
        await self.ch_write(ch, regs.CH_RING_BASE_HI, 0)
        await self.ch_write(ch, regs.CH_RING_SIZE, RING_LOG2)
        await self.ch_write(ch, regs.CH_CMPL_ADDR_LO, cmpl_addr(ch))
        await self.ch_write(ch, regs.CH_CMPL_ADDR_HI, 0)
        await self.ch_write(ch, regs.CH_COALESCE, 0)
        await self.ch_write(ch, regs.CH_INT_ENABLE,
                            regs.CH_INT_ENABLE_DONE_MASK | regs.CH_INT_ENABLE_ERROR_MASK)
        await self.set_ctrl(ch, cmpl_wb=False)
        self.tail[ch] = await self.ch_read(ch, regs.CH_TAIL)

    async def set_ctrl(self, ch: int, cmpl_wb: bool) -> None:
        ctrl = regs.CH_CTRL_ENABLE_MASK | (regs.CH_CTRL_CMPL_WB_EN_MASK if cmpl_wb else 0)
        if ctrl != self.ctrl[ch]:
            await self.ch_write(ch, regs.CH_CTRL, ctrl)
            self.ctrl[ch] = ctrl

    # -- one case -----------------------------------------------------------------------------

    def _prepare(self, case: Case) -> tuple[list[_Job], list[int]]:
        """Sources, guards and descriptors into memory (backdoor): what each descriptor must
        give, and the TAIL of each channel that covers them."""
        cursor = DATA_BASE

        def alloc(offset: int) -> int:
            nonlocal cursor
            start = cursor + GUARD
            start += (-start) % BLOCK + offset
            cursor = start + case.length + GUARD
            if cursor > self.mem_bytes:
                raise BenchError(f"{case.name}: does not fit the {self.mem_bytes}-byte memory")
            return start

        jobs: list[_Job] = []
        slot = list(self.tail[:case.channels])
        used = [0] * case.channels
        for i in range(case.count):
            for ch in range(case.channels):
                srcs = [alloc(case.src_off) for _ in range(case.nsrc)]
                dst = alloc(case.dst_off)
                datas = [self.rng.randbytes(case.length) for _ in srcs]
                for addr, data in zip(srcs, datas, strict=True):
                    self.mem.write(addr, data)
                expected = datas[0] if case.nsrc == 1 else bytes(
                    reduce(lambda a, b: a ^ b, col) for col in zip(*datas, strict=True))
                job = _Job(ch, dst, srcs, expected, slot[ch], self.rng.randbytes(GUARD),
                           self.rng.randbytes(GUARD))
                self.mem.write(dst - GUARD, job.guard_lo)
                self.mem.write(dst + case.length, job.guard_hi)
                last = i == case.count - 1
                if case.op == "memcpy":
                    desc = Memcpy(dst, srcs[0], case.length, int_en=last)
                else:
                    desc = Xor(dst, tuple(srcs), case.length, int_en=last)
                slot[ch] = RINGS[ch].store(self.mem.write, slot[ch], desc.encode())
                used[ch] += desc.slots
                jobs.append(job)
        for ch in range(case.channels):
            if used[ch] > RINGS[ch].nslots:
                raise BenchError(f"{case.name}: {used[ch]} slots exceed the ring")
            self.mem.write(cmpl_addr(ch), bytes(8))
        self.dut.cfg_data_hi.value = cursor
        return jobs, slot

    def _monitors(self) -> dict[str, Any]:
        d = self.dut
        names = ("t_db", "n_ar", "n_aw", "n_r", "n_w", "n_r_data", "n_w_data", "t_ar_data",
                 "t_r_first", "t_r_last", "t_w_first", "t_w_last", "t_b_last", "t_irq",
                 "t_irq_first", "seen_ar_data", "seen_r_data", "seen_w_data", "seen_irq")
        m: dict[str, Any] = {n: _u(getattr(d, n)) for n in names}
        m["t_ar_first"] = _u(d.ar_log_t[0]) if m["n_ar"] else 0
        m["n_w_ch"] = [_u(d.n_w_ch[ch]) for ch in range(self.channels)]
        m["n_w_win"] = [_u(d.n_w_win[ch]) for ch in range(self.channels)]
        mem = d.u_mem
        for n in ("st_ar_full", "st_aw_full", "st_w_stall", "st_w_early", "st_r_held",
                  "st_oob", "st_proto"):
            m[n] = _u(getattr(mem, n))
        return m

    async def run(self, case: Case) -> dict[str, Any]:
        """Measure one case; raises BenchError unless every byte and status came out right."""
        d = self.dut
        if case.channels > self.channels:
            raise BenchError(f"{case.name}: needs {case.channels} channels, the bench has "
                             f"{self.channels}")
        chans = range(case.channels)
        wall0 = time.perf_counter()
        for ch in chans:
            await self.set_ctrl(ch, case.cmpl_wb)
        d.cfg_read_latency.value = case.latency
        d.cfg_doorbells.value = case.channels
        d.cfg_irq_mask.value = (1 << case.channels) - 1
        jobs, new_tail = self._prepare(case)
        db_count = _u(d.db_count)
        read_beats = case.channels * case.count * case.nsrc * case.length / self.data_bytes
        write_beats = case.channels * case.count * case.length / self.data_bytes
        budget = int(20 * (read_beats + write_beats) + 200 * case.count * case.channels
                     + 20 * case.latency + 5000)
        if int(d.irq_all.value):
            raise BenchError(f"{case.name}: irq is already high before the doorbell")
        wall1 = time.perf_counter()
        cpu1 = time.process_time()
        sim0 = _u(d.cycle)

        for ch in chans:
            await self.ch_write(ch, regs.CH_TAIL, new_tail[ch])  # the doorbells
        if not int(d.irq_all.value):
            timeout = Timer(budget * CLK_NS, unit="ns")
            if await First(RisingEdge(d.irq_all), timeout) is timeout:
                state = [f"ch{ch} HEAD {await self.ch_read(ch, regs.CH_HEAD)} TAIL "
                         f"{new_tail[ch]} ERR_CODE {await self.ch_read(ch, regs.CH_ERR_CODE):#x}"
                         for ch in chans]
                raise BenchError(f"{case.name}: no interrupt within {budget} cycles "
                                 f"({'; '.join(state)})")
        sim1 = _u(d.cycle)
        wall2 = time.perf_counter()
        cpu2 = time.process_time()

        await ClockCycles(d.clk, 2)  # the monitors register what happened up to the interrupt
        m = self._monitors()
        if _u(d.db_count) != db_count + case.channels:
            raise BenchError(f"{case.name}: the bench saw {_u(d.db_count) - db_count} doorbells, "
                             f"rang {case.channels}")
        self.last = (case, jobs, new_tail)
        await self._verify(case, jobs, new_tail)
        for ch in chans:
            self.tail[ch] = new_tail[ch]
            await self.ch_write(ch, regs.CH_INT_CAUSE,
                                regs.CH_INT_CAUSE_DONE_MASK | regs.CH_INT_CAUSE_ERROR_MASK)
        for n in ("st_ar_full", "st_aw_full", "st_w_stall", "st_oob", "st_proto"):
            if m[n]:
                raise BenchError(f"{case.name}: memory model {n} = {m[n]} (it must never hold "
                                 "the DMA back or see a bad access)")
        wall3 = time.perf_counter()
        db = self.data_bytes

        def beats(addr: int) -> int:  # data beats a byte range of the case spans
            return (addr + case.length - 1) // db - addr // db + 1

        m["n_w_ch"] = m["n_w_ch"][:case.channels]
        m["n_w_win"] = m["n_w_win"][:case.channels]
        rec: dict[str, Any] = {**asdict(case), "data_bytes": db, "dut_channels": len(d.irq),
                               "verified": True, **m,
                               "r_beats_min": sum(beats(a) for j in jobs for a in j.srcs),
                               "w_beats_min": sum(beats(j.dst) for j in jobs)}
        rec.update(cycles=m["t_irq"] - m["t_db"],
                   wall_setup_s=wall1 - wall0, wall_sim_s=wall2 - wall1,
                   wall_check_s=wall3 - wall2, sim_cycles=sim1 - sim0,
                   # the simulator process's CPU time (the model and cocotb run in it): the wall
                   # time of an idle machine, unaffected by other jobs on a shared one
                   cpu_sim_s=cpu2 - cpu1)
        return rec

    async def verify_last(self) -> None:
        """Check the last run's memory again (the harness's own test corrupts it first)."""
        if self.last is None:
            raise BenchError("no run to verify")
        await self._verify(*self.last)

    def last_destinations(self) -> list[tuple[int, int]]:
        """(address, length) of every destination of the last run."""
        if self.last is None:
            return []
        case, jobs, _ = self.last
        return [(j.dst, case.length) for j in jobs]

    async def _verify(self, case: Case, jobs: list[_Job], new_tail: list[int]) -> None:
        errors: list[str] = []
        for i, job in enumerate(jobs):
            status = self.mem.read32(RINGS[job.channel].slot_addr(job.slot))
            what = f"descriptor {i}" + (f" (channel {job.channel})" if case.channels > 1 else "")
            if status != status_ok():
                errors.append(f"{what}: status {Status(status)}")
            got = self.mem.read(job.dst - GUARD, case.length + 2 * GUARD)
            if got[:GUARD] != job.guard_lo or got[GUARD + case.length:] != job.guard_hi:
                errors.append(f"{what}: guard bytes around {job.dst:#x} overwritten")
            data = got[GUARD:GUARD + case.length]
            if data != job.expected:
                bad = next(k for k in range(case.length) if data[k] != job.expected[k])
                nbad = sum(1 for a, b in zip(data, job.expected, strict=True) if a != b)
                errors.append(f"{what}: {nbad} wrong bytes at dst {job.dst:#x}, first "
                              f"at +{bad:#x}: {data[bad]:#04x} != {job.expected[bad]:#04x}")
            if len(errors) >= 4:
                break
        for ch in range(case.channels):
            head = await self.ch_read(ch, regs.CH_HEAD)
            if head != new_tail[ch]:
                errors.append(f"channel {ch}: HEAD {head} != TAIL {new_tail[ch]}")
            err = await self.ch_read(ch, regs.CH_ERR_CODE)
            if err:
                errors.append(f"channel {ch}: ERR_CODE {err:#x}")
            if case.cmpl_wb:
                rec = CompletionRecord.decode(self.mem.read(cmpl_addr(ch), 8))
                if rec.head != new_tail[ch] or rec.status != status_ok():
                    errors.append(f"channel {ch}: completion record {rec}")
        if errors:
            raise BenchError(f"{case.name}: " + "; ".join(errors))


def cmpl_addr(ch: int) -> int:
    """Where channel `ch` writes its completion record (outside the payload range)."""
    return CMPL_ADDR + 64 * ch


def results_path() -> str | None:
    """Where the bench appends its JSON lines (set by tb/bench/run.py)."""
    return os.environ.get("DMASIM_BENCH_RESULTS")
