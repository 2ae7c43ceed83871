"""The memory dma_top masters: cocotbext-axi's AxiRam plus what the benches need around it.

- Error injection: reads or writes touching a `BusFault` range answer SLVERR or DECERR (AxiRam
  only knows SLVERR, raised when its `_read`/`_write` hook throws; the R/B beat is patched to the
  wanted response just before it is sent). Refused writes leave memory unchanged.
- A bus monitor: every AR/AW burst is recorded with its time; accesses outside the RAM's address
  range are recorded as violations (and refused with DECERR) instead of aliasing silently, so a
  controller that drops upper address bits cannot pass by accident.
- Pause generators on all five channels (`set_pause`), for backpressure tests.
- Reordering (`reorder=Reorder(rng)`): what an interconnect in front of several slaves may do
  and AXI allows. Accepted reads wait a random number of cycles, then their R beats go out by
  ID in a random mix: bursts of different IDs overtake one another and interleave beat by beat,
  while each ID's bursts keep their order. B responses are likewise held and released in a
  random order across IDs. Used with stalls on every channel (DmaTb: DMASIM_AXI_REORDER=1).
"""

from __future__ import annotations

import logging
import random
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass

import cocotb
from cocotb.simtime import get_sim_time
from cocotb.triggers import Event, RisingEdge
from cocotbext.axi import AxiBus
from cocotbext.axi.axi_ram import AxiRamRead, AxiRamWrite
from cocotbext.axi.constants import AxiResp
from cocotbext.axi.memory import Memory

from tb.axi_rules import AddrBeat, beat_address
from tb.refmodel import BusFault


@dataclass(frozen=True)
class Reorder:
    """How FaultyAxiRam reorders its responses (see the module docstring)."""

    rng: random.Random
    max_hold: int = 24  # an accepted read or a write response waits 0..max_hold beat slots
    switch: float = 0.5  # chance, before each R beat, to move on to another ready ID
    stall: float = 0.2  # fraction of cycles each of the five channels is paused


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
    """Wrap a sink's recv() and recv_nowait() so every accepted burst is logged (no per-cycle
    cost)."""
    p = "aw" if write else "ar"

    def log(t):
        hooks.bursts.append(Burst(
            write=write, addr=int(getattr(t, f"{p}addr")), beats=int(getattr(t, f"{p}len", 0)) + 1,
            size=1 << int(getattr(t, f"{p}size", 0)), burst=int(getattr(t, f"{p}burst", 1)),
            id=int(getattr(t, f"{p}id", 0)), time_ns=get_sim_time("ns")))
        return t

    recv, recv_nowait = channel.recv, channel.recv_nowait

    async def recv_and_log():
        return log(await recv())

    channel.recv = recv_and_log
    channel.recv_nowait = lambda: log(recv_nowait())


def _patch_resp(channel, field: str, pending: list[AxiResp]) -> None:
    """Wrap a source's send() to put the injected response code on the beat."""
    send = channel.send

    async def send_patched(t):
        if pending:
            setattr(t, field, pending.pop())
            pending.clear()
        await send(t)

    channel.send = send_patched


class _ReadBurst:
    """An accepted AR and how far its R beats have gone."""

    __slots__ = ("ar", "seq", "sent", "due")

    def __init__(self, ar: AddrBeat, seq: int, due: int) -> None:
        self.ar = ar
        self.seq = seq  # acceptance order
        self.sent = 0
        self.due = due  # beat slot from which it may answer


@dataclass
class ReorderStats:
    """What the reordering memory actually did (a run that reordered nothing proves little)."""

    overtaking_reads: int = 0  # bursts answered before an older one of another ID
    interleaved_beats: int = 0  # R beats sent while another ID's burst was half done
    overtaking_writes: int = 0  # B responses sent before an older one of another ID

    def __str__(self) -> str:
        return (f"{self.overtaking_reads} reads answered before older ones, "
                f"{self.interleaved_beats} R beats interleaved into other bursts, "
                f"{self.overtaking_writes} B responses before older ones")


class _Read(AxiRamRead):
    def __init__(self, hooks: _Hooks, stats: ReorderStats, *args,
                 reorder: Reorder | None = None, **kwargs) -> None:
        self.reorder = reorder  # read by _process_read, which the base class starts
        self.stats = stats
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

    async def _process_read(self):
        if self.reorder is None:
            await super()._process_read()
        else:
            await self._process_read_reordered(self.reorder)

    async def _process_read_reordered(self, ro: Reorder) -> None:
        """Answer the accepted reads by ID in a random mix (each ID in order). Time is counted
        in beat slots: a beat sent, or a clock cycle waited with nothing due."""
        by_id: defaultdict[int, deque[_ReadBurst]] = defaultdict(deque)
        slot = seq = 0
        current = -1
        clock = RisingEdge(self.clock)
        while True:
            while not self.ar_channel.empty():
                seq = self._accept(self.ar_channel.recv_nowait(), by_id, seq, slot, ro)
            due = [i for i, q in by_id.items() if q and q[0].due <= slot]
            if not due:
                if any(by_id.values()):
                    await clock
                else:  # nothing accepted: sleep until an address comes
                    seq = self._accept(await self.ar_channel.recv(), by_id, seq, slot, ro)
                slot += 1
                continue
            if current not in due or ro.rng.random() < ro.switch:
                left = by_id[current][0] if by_id.get(current) else None
                current = ro.rng.choice(due)
                if left is not None and left.sent and left is not by_id[current][0]:
                    self.stats.interleaved_beats += 1
            burst = by_id[current][0]
            if burst.sent == 0 and any(q[0].seq < burst.seq for q in by_id.values() if q):
                self.stats.overtaking_reads += 1
            await self._send_beat(burst)
            slot += 1
            if burst.sent == burst.ar.beats:
                by_id[current].popleft()

    def _accept(self, t, by_id, seq: int, slot: int, ro: Reorder) -> int:
        ar = AddrBeat(write=False, id=int(getattr(t, "arid", 0)), addr=int(t.araddr),
                      len=int(getattr(t, "arlen", 0)),
                      size=int(getattr(t, "arsize", self.max_burst_size)),
                      burst=int(getattr(t, "arburst", 1)))
        by_id[ar.id].append(_ReadBurst(ar, seq, slot + ro.rng.randint(0, ro.max_hold)))
        return seq + 1

    async def _send_beat(self, b: _ReadBurst) -> None:
        """The next R beat of `b`, read from memory now (as AxiRam does)."""
        ar = b.ar
        r = self.r_channel._transaction_obj()
        r.rid = ar.id
        r.rlast = b.sent == ar.len
        r.rresp = AxiResp.OKAY
        addr = beat_address(ar, b.sent)
        b.sent += 1
        try:
            data = await self._read(addr - addr % self.byte_lanes, self.byte_lanes)
        except InjectedFault:
            data = bytes(self.byte_lanes)
            r.rresp = AxiResp.SLVERR  # the patched send() sets the injected code
        r.rdata = int.from_bytes(data, "little")
        await self.r_channel.send(r)


class _Write(AxiRamWrite):
    def __init__(self, hooks: _Hooks, stats: ReorderStats, *args,
                 reorder: Reorder | None = None, **kwargs) -> None:
        self.reorder = reorder  # read by _process_write, which the base class starts
        self.stats = stats
        super().__init__(*args, **kwargs)
        self.hooks = hooks
        self.pending: list[AxiResp] = []
        _record(hooks, self.aw_channel, write=True)
        self._send_b = self.b_channel.send
        self._held: defaultdict[int, deque] = defaultdict(deque)  # per ID: (seq, B)
        self._held_seq = 0
        self._held_event = Event()
        self._release_task = None
        if reorder is not None:
            self.b_channel.send = self._hold_b
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

    async def _process_write(self):
        if self.reorder is None:
            await super()._process_write()
            return
        # (Re)started at every reset release; a reset kills this task without unwinding it.
        if self._release_task is not None:
            self._release_task.cancel()
        self._held.clear()
        self._release_task = cocotb.start_soon(self._release_b(self.reorder))
        await super()._process_write()

    async def _hold_b(self, b) -> None:
        self._held[int(b.bid)].append((self._held_seq, b))
        self._held_seq += 1
        self._held_event.set()

    async def _release_b(self, ro: Reorder) -> None:
        """Send held B responses after a random wait, a random ID first (each ID in order)."""
        clock = RisingEdge(self.clock)
        while True:
            if not any(self._held.values()):
                self._held_event.clear()
                await self._held_event.wait()
            for _ in range(ro.rng.randint(0, ro.max_hold)):
                await clock
            heads = {i: q[0][0] for i, q in self._held.items() if q}
            bid = ro.rng.choice(list(heads))
            if heads[bid] != min(heads.values()):
                self.stats.overtaking_writes += 1
            await self._send_b(self._held[bid].popleft()[1])


class FaultyAxiRam(Memory):
    """AxiRam (same constructor, `mem` a bytearray) with fault injection, a bus monitor and
    pause generators. `base` is the bus address of byte 0."""

    def __init__(self, bus: AxiBus, clock, reset=None, *, size: int, base: int = 0,
                 mem: bytearray | None = None, reorder: Reorder | None = None) -> None:
        super().__init__(size, mem if mem is not None else bytearray(size))
        if base % self.size:
            raise ValueError("the RAM's base address must be a multiple of its size")
        self.hooks = _Hooks(base, self.size)
        self.reorder = reorder
        self.reorder_stats = ReorderStats()
        self.write_if = _Write(self.hooks, self.reorder_stats, bus.write, clock, reset,
                               mem=self.mem, reorder=reorder)
        self.read_if = _Read(self.hooks, self.reorder_stats, bus.read, clock, reset,
                             mem=self.mem, reorder=reorder)
        for log in (self.write_if.log, self.read_if.log):
            log.setLevel(logging.WARNING)  # a line per burst would dominate the run time
        if reorder is not None:
            p = reorder.stall
            self.set_pause(random.Random(reorder.rng.getrandbits(32)), aw=p, w=p, b=p, ar=p, r=p)

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
