"""The AXI4 and AXI4-Lite transaction rules, over handshakes (no simulator, no cocotb).

tb/axi_checker.py samples the wires and feeds every completed handshake in here; the per-cycle
rules (VALID held until READY, payload stable while stalled) live there. Each rule raises
`AxiProtocolError` naming the rule and the values that break it; section numbers refer to the
AMBA AXI and ACE Protocol Specification (ARM IHI 0022E):

- address channels (A3.4.1): AxBURST is not the reserved 3; AxSIZE is at most the bus width;
  FIXED bursts have at most 16 beats; WRAP bursts have 2, 4, 8 or 16 beats and an aligned start;
  an INCR burst stays inside one 4 KiB page.
- write data (A3.4.3, A5.2): W follows AW order (AXI4 has no write interleaving, and data may
  run ahead of its address); WLAST is set on beat AWLEN+1 and no other; WSTRB only enables byte
  lanes the beat addresses.
- responses (A5.3, A3.4.4): one B per AW, with its ID, after the burst's last W beat; R beats of
  one ID arrive in AR order (IDs may interleave), RLAST on beat ARLEN+1 and no other; no R or B
  for an ID with nothing outstanding; EXOKAY only answers an exclusive access.
- AXI4-Lite (B1): one B per AW and W pair, one R per AR, no EXOKAY.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass

FIXED, INCR, WRAP = 0, 1, 2
BURST_NAMES = {FIXED: "FIXED", INCR: "INCR", WRAP: "WRAP", 3: "reserved(3)"}
EXOKAY = 1
PAGE = 4096


class AxiProtocolError(AssertionError):
    """A bus broke an AXI rule. An AssertionError, so cocotb reports the test as failed."""


@dataclass(frozen=True)
class AddrBeat:
    """One AW or AR handshake."""

    write: bool
    id: int
    addr: int
    len: int  # AxLEN: beats - 1
    size: int  # AxSIZE: log2(bytes per beat)
    burst: int
    lock: int = 0

    @property
    def beats(self) -> int:
        return self.len + 1

    @property
    def nbytes(self) -> int:
        return 1 << self.size

    def __str__(self) -> str:
        p = "AW" if self.write else "AR"
        return (f"{p}ID=0x{self.id:x} {p}ADDR=0x{self.addr:x} {p}LEN={self.len} "
                f"{p}SIZE={self.size} ({self.nbytes} B) {p}BURST={BURST_NAMES[self.burst]}")


def check_address(a: AddrBeat, data_bytes: int) -> None:
    """The A3.4.1 rules on one AW or AR."""
    p = "AW" if a.write else "AR"
    if a.burst not in (FIXED, INCR, WRAP):
        raise AxiProtocolError(f"{p}BURST is the reserved value 3: {a}")
    if a.nbytes > data_bytes:
        raise AxiProtocolError(f"{p}SIZE {a.size} ({a.nbytes} bytes) is wider than the "
                               f"{data_bytes}-byte data bus: {a}")
    if a.burst == FIXED and a.beats > 16:
        raise AxiProtocolError(f"FIXED burst of {a.beats} beats (at most 16): {a}")
    if a.burst == WRAP:
        if a.beats not in (2, 4, 8, 16):
            raise AxiProtocolError(f"WRAP burst of {a.beats} beats (2, 4, 8 or 16): {a}")
        if a.addr % a.nbytes:
            raise AxiProtocolError(f"WRAP burst start not aligned to its {a.nbytes}-byte "
                                   f"transfers: {a}")
    if a.burst == INCR:
        aligned = a.addr - a.addr % a.nbytes
        last = aligned + a.beats * a.nbytes - 1
        if a.addr // PAGE != last // PAGE:
            raise AxiProtocolError(f"INCR burst crosses a 4 KiB boundary (bytes 0x{a.addr:x}.."
                                   f"0x{last:x}): {a}")


def beat_address(a: AddrBeat, beat: int) -> int:
    """Address of beat `beat` (from 0) of a legal burst (A3.4.1): the start address for the
    first beat, the next aligned transfer after it."""
    nb = a.nbytes
    if a.burst == FIXED or beat == 0:
        return a.addr
    if a.burst == INCR:
        return a.addr - a.addr % nb + beat * nb
    span = nb * a.beats  # WRAP: the start is aligned; addresses wrap inside this container
    low = a.addr - a.addr % span
    return low + (a.addr - low + beat * nb) % span


def beat_lanes(a: AddrBeat, beat: int, data_bytes: int) -> int:
    """Mask of the byte lanes beat `beat` (from 0) of a legal burst may strobe (A3.4.1)."""
    nb = a.nbytes
    addr = beat_address(a, beat)
    lower = addr % data_bytes
    upper = (addr - addr % nb) % data_bytes + nb - 1  # the end of this beat's aligned container
    return ((1 << (upper + 1)) - 1) & ~((1 << lower) - 1)


def check_response(resp: int, exclusive: bool, what: str) -> None:
    if resp == EXOKAY and not exclusive:
        raise AxiProtocolError(f"{what} answers EXOKAY to a normal (non-exclusive) access")


class AxiTransactions:
    """Outstanding AXI4 bursts, fed with handshakes in clock order: W to AW, B and R to IDs."""

    def __init__(self, data_bytes: int) -> None:
        self.data_bytes = data_bytes
        self.reset()

    def reset(self) -> None:
        self.aw_waiting: deque[AddrBeat] = deque()  # AWs whose W data is not complete yet
        self.w_ahead: deque[list[int]] = deque()  # complete W bursts that came before their AW
        self.w_strobes: list[int] = []  # the W burst in progress
        self.writes: defaultdict[int, int] = defaultdict(int)  # per ID: AWs without a B yet
        self.writes_done: defaultdict[int, deque[AddrBeat]] = defaultdict(deque)  # data complete
        self.reads: defaultdict[int, deque[AddrBeat]] = defaultdict(deque)  # per ID, in AR order
        self.r_beat: defaultdict[int, int] = defaultdict(int)  # beats of the oldest read so far

    def outstanding(self) -> list[str]:
        """What still waits for data or a response (empty when the bus is quiet)."""
        out = [f"write {a} waits for W data" for a in self.aw_waiting]
        if self.w_ahead:
            out.append(f"{len(self.w_ahead)} W burst(s) with no AW yet")
        if self.w_strobes:
            out.append(f"a W burst without WLAST after {len(self.w_strobes)} beat(s)")
        out += [f"write {a} waits for B" for q in self.writes_done.values() for a in q]
        out += [f"read {a} waits for {a.beats - (self.r_beat[i] if k == 0 else 0)} R beat(s)"
                for i, q in self.reads.items() for k, a in enumerate(q)]
        return out

    # -- address channels ---------------------------------------------------------------------

    def aw(self, a: AddrBeat) -> None:
        check_address(a, self.data_bytes)
        self.writes[a.id] += 1
        if self.w_ahead:  # its data came first, complete
            self._check_w(a, self.w_ahead.popleft(), complete=True)
            self.writes_done[a.id].append(a)
            return
        if not self.aw_waiting and self.w_strobes:  # its data is arriving
            self._check_w(a, self.w_strobes, complete=False)
        self.aw_waiting.append(a)

    def ar(self, a: AddrBeat) -> None:
        check_address(a, self.data_bytes)
        self.reads[a.id].append(a)

    # -- write data and responses -------------------------------------------------------------

    def w(self, strb: int, last: bool) -> None:
        self.w_strobes.append(strb)
        n = len(self.w_strobes)
        a = self.aw_waiting[0] if self.aw_waiting else None
        if a is not None:
            self._check_beat(a, n - 1, strb, last)
        if not last:
            return
        if a is None:
            self.w_ahead.append(self.w_strobes)
        else:
            self.aw_waiting.popleft()
            self.writes_done[a.id].append(a)
        self.w_strobes = []

    def _check_w(self, a: AddrBeat, strobes: list[int], complete: bool) -> None:
        """Check a W burst (or its first beats) that arrived before its AW."""
        for k, s in enumerate(strobes):
            self._check_beat(a, k, s, complete and k == len(strobes) - 1)

    def _check_beat(self, a: AddrBeat, k: int, strb: int, last: bool) -> None:
        if last and k != a.len:
            raise AxiProtocolError(f"WLAST on beat {k + 1} of a {a.beats}-beat burst: {a}")
        if not last and k == a.len:
            raise AxiProtocolError(f"WLAST missing on beat {k + 1}, the last of the burst: {a}")
        lanes = beat_lanes(a, k, self.data_bytes)
        if strb & ~lanes:
            raise AxiProtocolError(f"WSTRB 0x{strb:x} on beat {k + 1} enables byte lanes outside "
                                   f"the addressed bytes (lanes 0x{lanes:x}): {a}")

    def b(self, bid: int, resp: int) -> None:
        done = self.writes_done.get(bid)
        if not done:
            if self.writes.get(bid):
                raise AxiProtocolError(f"B for BID=0x{bid:x} before the last W beat of its "
                                       f"burst")
            raise AxiProtocolError(f"B for BID=0x{bid:x}, which has no write outstanding")
        a = done.popleft()
        self.writes[bid] -= 1
        check_response(resp, a.lock == 1, f"B (BID=0x{bid:x})")

    def r(self, rid: int, resp: int, last: bool) -> None:
        q = self.reads.get(rid)
        if not q:
            raise AxiProtocolError(f"R beat for RID=0x{rid:x}, which has no read outstanding")
        a = q[0]
        self.r_beat[rid] += 1
        n = self.r_beat[rid]
        check_response(resp, a.lock == 1, f"R (RID=0x{rid:x})")
        if last and n != a.beats:
            raise AxiProtocolError(f"RLAST on beat {n} of a {a.beats}-beat burst: {a}")
        if not last and n == a.beats:
            raise AxiProtocolError(f"RLAST missing on beat {n}, the last of the burst: {a}")
        if last:
            q.popleft()
            self.r_beat[rid] = 0


class AxiLiteTransactions:
    """Outstanding AXI4-Lite accesses: a B needs an AW and a W, an R needs an AR."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.n_aw = self.n_w = self.n_b = self.n_ar = self.n_r = 0

    def outstanding(self) -> list[str]:
        out = []
        if self.n_aw != self.n_b or self.n_w != self.n_b:
            out.append(f"{self.n_aw} AW, {self.n_w} W, {self.n_b} B")
        if self.n_ar != self.n_r:
            out.append(f"{self.n_ar} AR, {self.n_r} R")
        return out

    def aw(self) -> None:
        self.n_aw += 1

    def w(self) -> None:
        self.n_w += 1

    def ar(self) -> None:
        self.n_ar += 1

    def b(self, resp: int) -> None:
        if self.n_b >= min(self.n_aw, self.n_w):
            raise AxiProtocolError(f"B with no write outstanding (after {self.n_aw} AW, "
                                   f"{self.n_w} W, {self.n_b} B)")
        self.n_b += 1
        if resp == EXOKAY:
            raise AxiProtocolError("B answers EXOKAY, which AXI4-Lite does not have")

    def r(self, resp: int) -> None:
        if self.n_r >= self.n_ar:
            raise AxiProtocolError(f"R with no read outstanding (after {self.n_ar} AR, "
                                   f"{self.n_r} R)")
        self.n_r += 1
        if resp == EXOKAY:
            raise AxiProtocolError("R answers EXOKAY, which AXI4-Lite does not have")
