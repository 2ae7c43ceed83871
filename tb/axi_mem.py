"""The memory dma_top masters: cocotbext-axi's AxiRam plus what the benches need around it.

- Error injection: reads or writes touching a `BusFault` range answer SLVERR or DECERR (AxiRam
  only knows SLVERR, raised when its `_read`/`_write` hook throws; the R/B beat is patched to the
  wanted response just before it is sent). Refused writes leave memory unchanged.
- A bus monitor: every AR/AW burst is recorded with its time; accesses outside the RAM's address
  range are recorded as violations (and refused with DECERR) instead of aliasing silently, so a
  controller that drops upper address bits cannot pass by accident.
- Pause generators on all five channels (`set_pause`), for backpressure tests.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterator
from dataclasses import dataclass

from cocotb.simtime import get_sim_time
from cocotbext.axi import AxiBus
from cocotbext.axi.axi_ram import AxiRamRead, AxiRamWrite
from cocotbext.axi.constants import AxiResp
from cocotbext.axi.memory import Memory

from tb.refmodel import BusFault


class InjectedFault(Exception):
    """Raised inside the RAM model to make it answer an error response."""


@dataclass(frozen=True)
class Burst:
    """One AR or AW burst as the slave accepted it."""

    write: bool
    addr: int
    beats: int
    size: int  # bytes per beat
    burst: int  # 0 FIXED, 1 INCR, 2 WRAP
    id: int
    time_ns: float

    @property
    def first(self) -> int:
        return self.addr

    @property
    def last(self) -> int:
        """Last byte address the burst can touch."""
        aligned = self.addr - self.addr % self.size
        return aligned + self.beats * self.size - 1


@dataclass(frozen=True)
class WriteLog:
    """A run of strobed bytes written by one W beat."""

    addr: int
    length: int
    time_ns: float


def pause_pattern(rng: random.Random, prob: float, max_run: int = 8) -> Iterator[bool]:
    """Runs of stall/no-stall cycles: stalled about `prob` of the time, in runs of 1..max_run."""
    while True:
        stall = rng.random() < prob
        for _ in range(rng.randint(1, max_run)):
            yield stall


class _Hooks:
    """Shared state of the read and write halves."""

    def __init__(self, base: int, size: int) -> None:
        self.base = base
        self.size = size
        self.faults: list[BusFault] = []
        self.bursts: list[Burst] = []
        self.violations: list[str] = []
        self.write_log: list[WriteLog] | None = None  # enabled by FaultyAxiRam.log_writes()

    def in_range(self, addr: int, length: int) -> bool:
        return self.base <= addr and addr + length <= self.base + self.size

    def fault(self, addr: int, length: int, write: bool) -> AxiResp | None:
        if not self.in_range(addr, length):
            kind = "write" if write else "read"
            self.violations.append(f"{kind} of 0x{addr:x}+{length} outside the RAM "
                                   f"[0x{self.base:x}, 0x{self.base + self.size:x})")
            return AxiResp.DECERR
        for f in self.faults:
            if (f.write if write else f.read) and f.overlap(addr, length):
                return AxiResp(int(f.resp))
        return None


def _record(hooks: _Hooks, channel, write: bool) -> None:
    """Wrap a sink's recv() so every accepted burst is logged (no per-cycle cost)."""
    recv = channel.recv
    p = "aw" if write else "ar"

    async def recv_and_log():
        t = await recv()
        hooks.bursts.append(Burst(
            write=write, addr=int(getattr(t, f"{p}addr")), beats=int(getattr(t, f"{p}len", 0)) + 1,
            size=1 << int(getattr(t, f"{p}size", 0)), burst=int(getattr(t, f"{p}burst", 1)),
            id=int(getattr(t, f"{p}id", 0)), time_ns=get_sim_time("ns")))
        return t

    channel.recv = recv_and_log


def _patch_resp(channel, field: str, pending: list[AxiResp]) -> None:
    """Wrap a source's send() to put the injected response code on the beat."""
    send = channel.send

    async def send_patched(t):
        if pending:
            setattr(t, field, pending.pop())
            pending.clear()
        await send(t)

    channel.send = send_patched


class _Read(AxiRamRead):
    def __init__(self, hooks: _Hooks, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hooks = hooks
        self.pending: list[AxiResp] = []
        _record(hooks, self.ar_channel, write=False)
        _patch_resp(self.r_channel, "rresp", self.pending)

    async def _read(self, address, length):
        resp = self.hooks.fault(address, length, write=False)
        if resp is not None:
            self.pending.append(resp)
            raise InjectedFault(f"read 0x{address:x}")
        return await super()._read(address, length)


class _Write(AxiRamWrite):
    def __init__(self, hooks: _Hooks, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.hooks = hooks
        self.pending: list[AxiResp] = []
        _record(hooks, self.aw_channel, write=True)
        _patch_resp(self.b_channel, "bresp", self.pending)

    async def _write(self, address, data):
        resp = self.hooks.fault(address, len(data), write=True)
        if resp is not None:
            if not self.pending or resp == AxiResp.DECERR:
                self.pending[:] = [resp]
            raise InjectedFault(f"write 0x{address:x}")
        if self.hooks.write_log is not None:
            self.hooks.write_log.append(WriteLog(address, len(data), get_sim_time("ns")))
        await super()._write(address, data)


class FaultyAxiRam(Memory):
    """AxiRam (same constructor, `mem` a bytearray) with fault injection, a bus monitor and
    pause generators. `base` is the bus address of byte 0."""

    def __init__(self, bus: AxiBus, clock, reset=None, *, size: int, base: int = 0,
                 mem: bytearray | None = None) -> None:
        super().__init__(size, mem if mem is not None else bytearray(size))
        if base % self.size:
            raise ValueError("the RAM's base address must be a multiple of its size")
        self.hooks = _Hooks(base, self.size)
        self.write_if = _Write(self.hooks, bus.write, clock, reset, mem=self.mem)
        self.read_if = _Read(self.hooks, bus.read, clock, reset, mem=self.mem)
        for log in (self.write_if.log, self.read_if.log):
            log.setLevel(logging.WARNING)  # a line per burst would dominate the run time

    # The RAM's own accessors take bus addresses.
    def read(self, address: int, length: int) -> bytes:
        assert self.hooks.in_range(address, length), f"bench read outside RAM 0x{address:x}"
        return bytes(super().read(address - self.hooks.base, length))

    def write(self, address: int, data) -> None:
        assert self.hooks.in_range(address, len(data)), f"bench write outside RAM 0x{address:x}"
        super().write(address - self.hooks.base, bytes(data))

    @property
    def base(self) -> int:
        return self.hooks.base

    @property
    def faults(self) -> list[BusFault]:
        return self.hooks.faults

    @property
    def bursts(self) -> list[Burst]:
        return self.hooks.bursts

    @property
    def violations(self) -> list[str]:
        return self.hooks.violations

    def log_writes(self, enable: bool = True) -> list[WriteLog] | None:
        self.hooks.write_log = [] if enable else None
        return self.hooks.write_log

    def set_queue_depth(self, depth: int) -> None:
        """Let each AXI channel queue `depth` transfers (cocotbext's AxiRam queues 2): with a
        channel held up, the controller's own limits on outstanding bursts show, not the RAM's."""
        for chan in (self.write_if.aw_channel, self.write_if.w_channel, self.write_if.b_channel,
                     self.read_if.ar_channel, self.read_if.r_channel):
            chan.queue_occupancy_limit = depth

    def set_pause(self, rng: random.Random | None = None, *, aw: float = 0.0, w: float = 0.0,
                  b: float = 0.0, ar: float = 0.0, r: float = 0.0, max_run: int = 8) -> None:
        """Stall each AXI channel (ready on AW/W/AR, valid on B/R) about the given fraction of
        cycles (1: always); 0 removes the generator and lets the channel run freely again."""
        rng = rng or random.Random(0)
        chans = {"aw": self.write_if.aw_channel, "w": self.write_if.w_channel,
                 "b": self.write_if.b_channel, "ar": self.read_if.ar_channel,
                 "r": self.read_if.r_channel}
        for name, prob in (("aw", aw), ("w", w), ("b", b), ("ar", ar), ("r", r)):
            sub = random.Random(rng.getrandbits(32))
            chans[name].set_pause_generator(pause_pattern(sub, prob, max_run) if prob else None)
            if not prob:
                chans[name].pause = False  # removing a generator leaves its last state
