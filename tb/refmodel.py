"""Reference model of dma_top's descriptor semantics: the oracle of every bench.

Given a memory image holding a channel's ring (and the data it points at), `run_channel` executes
the slots from HEAD to TAIL the way docs/descriptor.md defines them and returns an `Outcome`: the
expected memory (data, status words, completion record), HEAD, and the error registers. Where the
spec leaves a choice to the hardware (a faulting descriptor's destination may be partly written,
a status word the channel may or may not manage to write, which beat of a failing burst it
reports), the outcome says so with don't-care ranges, alternatives and ranges instead of guessing.

Pure Python, no simulator import: it also serves as the scoreboard of the pyuvm environment and
of the provider driver's tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from pydriver.drivers.dmasim.hw import (
    CMPL_RECORD_BYTES,
    SLOT_BYTES,
    CompletionRecord,
    ErrCode,
    Op,
    RawDescriptor,
    Resp,
    ext_slots,
    status_error,
    status_ok,
)
from pydriver.drivers.dmasim.ring import RingLayout, count_add, count_distance

ADDR64_MASK = (1 << 64) - 1
PAGE = 4096

# Where each error code can be found (Outcome.err_where), in docs/descriptor.md's terms: the
# descriptor check that failed, the access that was refused or answered with an error.
FAULT_SITES: dict[ErrCode, tuple[str, ...]] = {
    ErrCode.BAD_OPCODE: ("opcode",),
    ErrCode.BAD_LENGTH: ("len_zero", "len_high", "interrupt_len"),
    ErrCode.BAD_NSRC: ("nsrc_low", "nsrc_high"),
    ErrCode.RESERVED: ("ctrl_bits", "unused_field", "ext_entry", "addr_width"),
    ErrCode.WINDOW: ("slot", "ext_slot", "src", "dst", "record", "addr_wrap"),
    ErrCode.TAIL_OVERFLOW: ("tail_write",),
    ErrCode.DESC_READ: ("slot", "ext_slot"),
    ErrCode.DATA_READ: ("memcpy_src", "xor_src", "xor_val_src"),
    ErrCode.DATA_WRITE: ("memcpy_dst", "xor_dst", "fill_dst"),
    ErrCode.STATUS_WRITE: ("status_word", "record"),
    ErrCode.ABORTED: ("abort", "reset"),  # CTRL.ABORT, or CTRL.RESET while busy (the bench)
}


def tail_write_refused(ring: RingLayout, head: int, tail: int, new_tail: int) -> bool:
    """A TAIL write the channel refuses with TAIL_OVERFLOW (docs/descriptor.md): it would put more
    slots outstanding than the ring holds, or move TAIL back towards HEAD."""
    outstanding = ring.outstanding(head, new_tail)
    return outstanding > ring.nslots or outstanding < ring.outstanding(head, tail)


class UnspecifiedBehaviour(ValueError):
    """The scenario asks for behaviour the spec leaves open: a test must not build it."""


@dataclass(frozen=True)
class HwConfig:
    """The build parameters the model needs (as CONFIG reports them)."""

    channels: int = 4
    data_bytes: int = 8
    max_xor_srcs: int = 8
    addr_width: int = 32

    @property
    def addr_limit(self) -> int:
        return 1 << self.addr_width


@dataclass(frozen=True)
class ChannelSetup:
    """A channel's configuration registers, as the model needs them."""

    ring_base: int
    log2_slots: int = 4
    win_base: int = 0
    win_limit: int = ADDR64_MASK
    cmpl_wb_en: bool = False
    cmpl_addr: int = 0
    ring: RingLayout = field(init=False, repr=False, compare=False)  # checks base and size

    def __post_init__(self) -> None:
        object.__setattr__(self, "ring", RingLayout(self.ring_base, self.log2_slots))
        if self.cmpl_addr % CMPL_RECORD_BYTES:
            raise ValueError(f"completion address 0x{self.cmpl_addr:x} is not 8-byte aligned")

    @property
    def nslots(self) -> int:
        return self.ring.nslots

    def slot_addr(self, count: int) -> int:
        """Bus address of the slot that slot count `count` (as HEAD/TAIL count) names."""
        return self.ring.slot_addr(count)


@dataclass(frozen=True)
class BusFault:
    """A memory range that answers reads and/or writes with an error response."""

    start: int
    length: int
    resp: Resp = Resp.SLVERR
    read: bool = True
    write: bool = True

    @property
    def end(self) -> int:
        return self.start + self.length

    def overlap(self, addr: int, length: int) -> tuple[int, int] | None:
        """First and last faulting byte of [addr, addr+length), or None."""
        lo, hi = max(addr, self.start), min(addr + length, self.end)
        return (lo, hi - 1) if lo < hi else None


class SimMemory:
    """A flat byte image seen through a bus address space; addresses alias modulo its size
    exactly as cocotbext-axi's AxiRam does."""

    def __init__(self, data: bytes | bytearray | int):
        self.data = bytearray(data)

    @property
    def size(self) -> int:
        return len(self.data)

    def copy(self) -> SimMemory:
        return SimMemory(self.data)

    def read(self, addr: int, length: int) -> bytes:
        out = bytearray()
        while length:
            off = addr % self.size
            n = min(length, self.size - off)
            out += self.data[off:off + n]
            addr, length = addr + n, length - n
        return bytes(out)

    def write(self, addr: int, data: bytes) -> None:
        data = bytes(data)
        while data:
            off = addr % self.size
            n = min(len(data), self.size - off)
            self.data[off:off + n] = data[:n]
            addr, data = addr + n, data[n:]

    def read32(self, addr: int) -> int:
        return int.from_bytes(self.read(addr, 4), "little")


@dataclass(frozen=True)
class Completion:
    """A descriptor the channel completed (status written, HEAD advanced past it)."""

    count: int  # slot count of its first slot
    slots: int
    op: int
    status: int
    int_en: bool
    desc: RawDescriptor | None = None  # the descriptor as executed (all slots decoded)


@dataclass
class Outcome:
    """What the hardware must show after executing a channel's slots from `head_start` to `tail`."""

    memory: SimMemory
    head_start: int
    tail: int
    setup: ChannelSetup | None = None  # the channel it ran on
    head: int = 0
    head_options: tuple[int, ...] = ()  # every acceptable HEAD (the strict one first)
    halted: bool = False
    err_code: int = ErrCode.NONE
    err_where: str = ""  # where the fault was found (FAULT_SITES), for coverage
    err_resp: int = Resp.OKAY
    err_desc: int | None = None  # None: not specified
    err_addr: tuple[int, int] | None = None  # acceptable ERR_ADDR range (inclusive); None: any
    completions: list[Completion] = field(default_factory=list)
    record: CompletionRecord | None = None  # last completion record written (strict)
    dont_care: list[tuple[int, int]] = field(default_factory=list)  # (addr, length)
    alternatives: list[tuple[int, tuple[bytes, ...]]] = field(default_factory=list)

    @property
    def int_en_completions(self) -> int:
        return sum(c.int_en for c in self.completions)

    @property
    def statuses(self) -> dict[int, int]:
        return {c.count: c.status for c in self.completions}

    def check_registers(self, head: int, halted: bool, err_code: int, err_resp: int,
                        err_desc: int, err_addr: int) -> list[str]:
        """Compare the channel registers the hardware shows; returns the discrepancies."""
        bad: list[str] = []
        if head not in self.head_options:
            bad.append(f"HEAD {head} (expected {' or '.join(map(str, self.head_options))})")
        if halted != self.halted:
            bad.append(f"STATUS.HALTED {int(halted)} (expected {int(self.halted)})")
        if err_code != self.err_code:
            bad.append(f"ERR_CODE.CODE 0x{err_code:02x} (expected 0x{self.err_code:02x} "
                       f"{ErrCode(self.err_code).name})")
        if err_resp != self.err_resp:
            bad.append(f"ERR_CODE.RESP {err_resp} (expected {self.err_resp})")
        if self.err_desc is not None and err_desc != count_add(self.err_desc, 0):
            bad.append(f"ERR_DESC {err_desc} (expected {count_add(self.err_desc, 0)})")
        if self.err_addr is not None and not self.err_addr[0] <= err_addr <= self.err_addr[1]:
            lo, hi = self.err_addr
            want = f"0x{lo:x}" if lo == hi else f"in [0x{lo:x}, 0x{hi:x}]"
            bad.append(f"ERR_ADDR 0x{err_addr:x} (expected {want})")
        return bad

    def mismatches(self, actual: bytes | bytearray, limit: int = 12) -> list[str]:
        return compare_memory(self.memory, actual, self.dont_care, self.alternatives, limit)


def merge_outcomes(outcomes: Sequence[Outcome]) -> tuple[list[tuple[int, int]],
                                                         list[tuple[int, tuple[bytes, ...]]]]:
    """Don't-care ranges and alternatives of several channels run on one memory image."""
    dont_care = [d for o in outcomes for d in o.dont_care]
    alternatives = [a for o in outcomes for a in o.alternatives]
    return dont_care, alternatives


def compare_memory(expected: SimMemory, actual: bytes | bytearray,
                   dont_care: Iterable[tuple[int, int]] = (),
                   alternatives: Iterable[tuple[int, tuple[bytes, ...]]] = (),
                   limit: int = 12) -> list[str]:
    """Every byte of `actual` must equal `expected`, except don't-care ranges (anything) and
    alternative ranges (one of the listed contents). Returns readable discrepancies."""
    want = expected.copy()
    got = SimMemory(actual)
    if got.size != want.size:
        return [f"memory size {got.size} != {want.size}"]
    bad: list[str] = []
    for addr, options in alternatives:
        value = got.read(addr, len(options[0]))
        if value not in options:
            opts = " or ".join(o.hex() for o in options)
            bad.append(f"0x{addr:x}: {value.hex()} (expected {opts})")
        want.write(addr, value)
    for addr, length in dont_care:
        want.write(addr, got.read(addr, length))
    if want.data == got.data:
        return bad
    # Find the differing runs chunk by chunk (fast even for a large image).
    chunk = 4096
    for base in range(0, want.size, chunk):
        if want.data[base:base + chunk] == got.data[base:base + chunk]:
            continue
        i = base
        end = min(base + chunk, want.size)
        while i < end:
            if want.data[i] != got.data[i]:
                j = i
                while j < end and want.data[j] != got.data[j]:
                    j += 1
                n = min(j - i, 16)
                bad.append(f"0x{i:x}+{j - i}: {bytes(got.data[i:i + n]).hex()} "
                           f"(expected {bytes(want.data[i:i + n]).hex()})")
                if len(bad) >= limit:
                    return bad + ["..."]
                i = j
            else:
                i += 1
    return bad


def xor_bytes(chunks: Sequence[bytes]) -> bytes:
    acc = int.from_bytes(chunks[0], "little")
    for c in chunks[1:]:
        acc ^= int.from_bytes(c, "little")
    return acc.to_bytes(len(chunks[0]), "little")


def _align_down(addr: int, align: int) -> int:
    return addr - addr % align


def _align_up(addr: int, align: int) -> int:
    return _align_down(addr + align - 1, align)


def _stop_site(code: int) -> str:
    """Where a stop by software is found: CTRL.ABORT, or a refused TAIL write."""
    return "abort" if code == ErrCode.ABORTED else "tail_write"


class _Halt(Exception):
    """Internal: the current descriptor faulted (`where`: one of FAULT_SITES[code])."""

    def __init__(self, code: int, where: str, resp: int = Resp.OKAY,
                 addr: tuple[int, int] | None = None) -> None:
        super().__init__(code)
        self.code, self.where, self.resp, self.addr = code, where, resp, addr


@dataclass
class _Buffer:
    addr: int
    length: int
    is_dst: bool


class _Channel:
    """One run of a channel over its ring; builds the Outcome."""

    def __init__(self, mem: SimMemory, hw: HwConfig, ch: ChannelSetup, head: int, tail: int,
                 faults: Sequence[BusFault]) -> None:
        self.mem, self.hw, self.ch, self.faults = mem, hw, ch, faults
        self.out = Outcome(memory=mem, head_start=count_add(head, 0), tail=count_add(tail, 0),
                           setup=ch)
        self.dirty: list[tuple[int, int]] = []  # data written since the last fence point

    # -- checks -------------------------------------------------------------------------------

    def in_window(self, addr: int, length: int) -> bool:
        last = addr + length - 1
        return (self.ch.win_base <= addr and last <= self.ch.win_limit
                and last < self.hw.addr_limit)

    def bus_fault(self, addr: int, length: int, *, write: bool) -> tuple[BusFault, int, int] | None:
        """The fault a read (whole bus words) or a write (exact bytes) of the range would hit."""
        if not write:
            db = self.hw.data_bytes
            addr, length = _align_down(addr, db), _align_up(addr + length, db) - \
                _align_down(addr, db)
        for f in self.faults:
            if (f.write if write else f.read):
                hit = f.overlap(addr, length)
                if hit:
                    return f, hit[0], hit[1]
        return None

    def bus_err_addr(self, addr: int, length: int, lo: int, hi: int) -> tuple[int, int]:
        """Acceptable ERR_ADDR for a failing access of [addr, addr+length) whose faulting bytes are
        [lo, hi]: the address of the failing burst, beat or byte. A burst starts at or after the
        bus word holding `addr`, in the 4 KiB page of a faulting byte, and at or before `hi`."""
        first = max(_align_down(addr, self.hw.data_bytes), _align_down(lo, PAGE))
        return first, min(hi, addr + length - 1)

    def check_read(self, addr: int, length: int, code: int, where: str) -> None:
        hit = self.bus_fault(addr, length, write=False)
        if hit:
            f, lo, hi = hit
            raise _Halt(code, where, f.resp, self.bus_err_addr(addr, length, lo, hi))

    def check_write(self, addr: int, length: int, code: int, where: str) -> None:
        hit = self.bus_fault(addr, length, write=True)
        if hit:
            f, lo, hi = hit
            raise _Halt(code, where, f.resp, self.bus_err_addr(addr, length, lo, hi))

    def window_fault(self, addr: int, length: int, where: str) -> _Halt | None:
        """The WINDOW fault an access of [addr, addr+length) raises, if any; a range that only
        fails by running past the top of the address space is reported as `addr_wrap`."""
        if self.in_window(addr, length):
            return None
        last = addr + length - 1
        wraps = last >= self.hw.addr_limit and self.ch.win_base <= addr <= self.ch.win_limit \
            and addr < self.hw.addr_limit
        return _Halt(ErrCode.WINDOW, "addr_wrap" if wraps else where, addr=(addr, addr))

    # -- descriptor ---------------------------------------------------------------------------

    def fetch_slot(self, count: int, where: str = "slot") -> bytes:
        addr = self.ch.slot_addr(count)
        if not self.in_window(addr, SLOT_BYTES):
            # ERR_ADDR is 64 bits: a slot past the top of a 64-bit address space shows wrapped
            err_addr = addr & ADDR64_MASK
            raise _Halt(ErrCode.WINDOW, where, addr=(err_addr, err_addr))
        self.check_read(addr, SLOT_BYTES, ErrCode.DESC_READ, where)
        return self.mem.read(addr, SLOT_BYTES)

    def validate(self, d: RawDescriptor, n_ext: int) -> None:
        """The checks of docs/descriptor.md's error table, in the table's order."""
        hw = self.hw
        if d.op not in tuple(Op):
            raise _Halt(ErrCode.BAD_OPCODE, "opcode")
        if d.op == Op.INTERRUPT:
            if d.length != 0:
                raise _Halt(ErrCode.BAD_LENGTH, "interrupt_len")
        elif d.length >> 24 or d.length == 0:
            raise _Halt(ErrCode.BAD_LENGTH, "len_high" if d.length >> 24 else "len_zero")
        if d.op in (Op.XOR, Op.XOR_VAL) and not 2 <= d.nsrc <= hw.max_xor_srcs:
            raise _Halt(ErrCode.BAD_NSRC, "nsrc_low" if d.nsrc < 2 else "nsrc_high")
        used_srcs = {Op.MEMCPY: 1, Op.XOR: d.nsrc, Op.XOR_VAL: d.nsrc, Op.FILL: 0,
                     Op.INTERRUPT: 0}[Op(d.op)]
        srcs = list(d.srcs) + [0] * (2 + 4 * n_ext - len(d.srcs))
        unused = list(srcs[used_srcs:2])  # first-slot fields the OP does not use
        if d.op in (Op.MEMCPY, Op.FILL, Op.INTERRUPT) and d.nsrc:
            unused.append(d.nsrc)
        if d.op != Op.FILL and d.fill_val:
            unused.append(d.fill_val)
        if d.op in (Op.XOR_VAL, Op.INTERRUPT) and d.dst:
            unused.append(d.dst)
        unused_ext = srcs[max(used_srcs, 2):]  # extension-slot entries past SRC(NSRC-1)
        addrs = srcs[:used_srcs] + ([d.dst] if d.op in (Op.MEMCPY, Op.XOR, Op.FILL) else [])
        for where, bad in (("ctrl_bits", d.ctrl_reserved), ("unused_field", any(unused)),
                           ("ext_entry", any(unused_ext)),
                           ("addr_width", any(a >> hw.addr_width for a in addrs
                                              if hw.addr_width < 64))):
            if bad:
                raise _Halt(ErrCode.RESERVED, where)

    def buffers(self, d: RawDescriptor) -> list[_Buffer]:
        n = d.length
        if d.op == Op.MEMCPY:
            return [_Buffer(d.srcs[0], n, False), _Buffer(d.dst, n, True)]
        if d.op == Op.XOR:
            return [_Buffer(s, n, False) for s in d.srcs[:d.nsrc]] + [_Buffer(d.dst, n, True)]
        if d.op == Op.XOR_VAL:
            return [_Buffer(s, n, False) for s in d.srcs[:d.nsrc]]
        if d.op == Op.FILL:
            return [_Buffer(d.dst, n, True)]
        return []

    def execute(self, count: int) -> tuple[RawDescriptor, int]:
        """Run the descriptor at slot count `count`; returns it and its status word.

        Raises _Halt (after recording what the faulting descriptor may leave behind)."""
        out, ch = self.out, self.ch
        slot0 = ch.slot_addr(count)
        status_slot_ok = False  # may the error status be written into slot0?
        dst: _Buffer | None = None
        try:
            first = self.fetch_slot(count)
            status_slot_ok = True
            d = RawDescriptor.decode(first)
            try:
                self.validate(RawDescriptor.decode(first), 0)
            except _Halt as h:
                if h.code != ErrCode.RESERVED:  # reserved-field checks need the extension slots
                    raise
            n_ext = ext_slots(d.op, d.nsrc)
            if count_distance(count, self.out.tail) < 1 + n_ext:
                raise UnspecifiedBehaviour(
                    f"descriptor at slot count {count} needs {1 + n_ext} slots but TAIL covers "
                    f"{count_distance(count, self.out.tail)}")
            ext = b"".join(self.fetch_slot(count + 1 + k, "ext_slot") for k in range(n_ext))
            d = RawDescriptor.decode(first, ext)
            self.validate(d, n_ext)
            bufs = self.buffers(d)
            for b in bufs:
                fault = self.window_fault(b.addr, b.length, "dst" if b.is_dst else "src")
                if fault:
                    raise fault
            dst = next((b for b in bufs if b.is_dst), None)
            op = Op(d.op).name.lower()
            for b in bufs:
                if not b.is_dst:
                    self.check_read(b.addr, b.length, ErrCode.DATA_READ, f"{op}_src")
            if dst:
                self.check_write(dst.addr, dst.length, ErrCode.DATA_WRITE, f"{op}_dst")
            self.check_hazards(d, bufs)
            status = self.perform(d, bufs)
            self.check_write(slot0, 4, ErrCode.STATUS_WRITE, "status_word")
            return d, status
        except _Halt as h:
            if h.addr is None:  # a bad descriptor: ERR_ADDR is its slot address
                h.addr = (slot0, slot0)
            err_status = status_error(h.code).to_bytes(4, "little")
            if h.code in (ErrCode.DATA_READ, ErrCode.DATA_WRITE, ErrCode.STATUS_WRITE) and dst:
                out.dont_care.append((dst.addr, dst.length))
            if h.code == ErrCode.DESC_READ:
                # Whether the channel writes the error into a slot it could not read is its
                # choice ("when its slot can be written").
                out.alternatives.append((slot0, (self.mem.read(slot0, 4), err_status)))
            elif status_slot_ok and h.code != ErrCode.STATUS_WRITE:
                self.mem.write(slot0, err_status)
            raise

    def check_hazards(self, d: RawDescriptor, bufs: list[_Buffer]) -> None:
        srcs = [b for b in bufs if not b.is_dst]
        if d.fence:
            self.dirty.clear()
        for s in srcs:
            for a, n in self.dirty:
                if s.addr < a + n and a < s.addr + s.length:
                    raise UnspecifiedBehaviour(
                        f"descriptor reads 0x{s.addr:x}+{s.length} that an earlier descriptor "
                        "writes, without FENCE")
        dst = next((b for b in bufs if b.is_dst), None)
        if dst:
            for s in srcs:
                same = s.addr == dst.addr and d.op == Op.XOR
                if not same and s.addr < dst.addr + dst.length and dst.addr < s.addr + s.length:
                    # Overlap: result unspecified, but nothing outside the destination changes.
                    self.out.dont_care.append((dst.addr, dst.length))
            self.dirty.append((dst.addr, dst.length))

    def perform(self, d: RawDescriptor, bufs: list[_Buffer]) -> int:
        mem, n = self.mem, d.length
        if d.op == Op.MEMCPY:
            mem.write(d.dst, mem.read(d.srcs[0], n))
        elif d.op == Op.XOR:
            mem.write(d.dst, xor_bytes([mem.read(s, n) for s in d.srcs[:d.nsrc]]))
        elif d.op == Op.XOR_VAL:
            nonzero = any(xor_bytes([mem.read(s, n) for s in d.srcs[:d.nsrc]]))
            return status_ok(xor_nonzero=nonzero)
        elif d.op == Op.FILL:
            mem.write(d.dst, bytes([d.fill_val]) * n)
        return status_ok()

    # -- the ring -----------------------------------------------------------------------------

    def halt(self, h: _Halt, count: int | None) -> None:
        out = self.out
        out.halted = True
        out.err_code, out.err_resp, out.err_addr = h.code, h.resp, h.addr
        out.err_where = h.where
        out.err_desc = count

    def run(self, abort_at: int | None, abort_code: int) -> Outcome:
        out, ch = self.out, self.ch
        count = out.head_start
        out.head = count
        if tail_write_refused(ch.ring, count, count, out.tail):
            self.halt(_Halt(ErrCode.TAIL_OVERFLOW, "tail_write"), None)
            out.head_options = (count,)
            return out
        while count != out.tail:
            if abort_at is not None and count == count_add(abort_at, 0):
                self.abort(count, abort_code)
                out.head_options = (count,)
                return out
            try:
                d, status = self.execute(count)
            except _Halt as h:
                self.halt(h, count)
                if h.code == ErrCode.STATUS_WRITE:
                    first = RawDescriptor.decode(self.mem.read(ch.slot_addr(count), SLOT_BYTES))
                    self.later_may_have_run(count + 1 + ext_slots(first.op, first.nsrc))
                break
            slot0 = ch.slot_addr(count)
            self.mem.write(slot0, status.to_bytes(4, "little"))
            new_head = count_add(count, d.slots)
            out.completions.append(Completion(count, d.slots, d.op, status, d.int_en, d))
            out.head = new_head
            if ch.cmpl_wb_en:
                try:
                    self.write_record(new_head, status)
                except _Halt as h:
                    # The descriptor completed but its record could not be written: the spec
                    # does not say whether HEAD already moved or whether the status is redone.
                    out.completions.pop()
                    self.halt(h, count)
                    out.head_options = (new_head, count)
                    out.alternatives.append((slot0, (status.to_bytes(4, "little"),
                                                     status_error(h.code).to_bytes(4, "little"))))
                    if h.code == ErrCode.WINDOW:  # the check may come before the data moves
                        for b in self.buffers(d):
                            if b.is_dst:
                                out.dont_care.append((b.addr, b.length))
                    else:
                        self.later_may_have_run(new_head)
                    return out
            count = new_head
        if abort_at is not None and not out.halted:
            # Aborted with nothing left to run: the channel halts, ERR_DESC is unspecified.
            self.halt(_Halt(abort_code, _stop_site(abort_code)), None)
        out.head_options = (out.head,)
        return out

    def later_may_have_run(self, count: int) -> None:
        """After a STATUS_WRITE fault, the descriptors behind the faulting one may already have
        written their destinations (docs/descriptor.md: the channel does not hold a descriptor's
        data writes back until the previous status write is answered, which would cost the
        back-to-back small-copy rate). They are never completed; only their destinations become
        don't-care, every other byte must still be unchanged."""
        count = count_add(count, 0)
        while count != self.out.tail:
            try:
                first = self.mem.read(self.ch.slot_addr(count), SLOT_BYTES)
                d = RawDescriptor.decode(first)
                n_ext = ext_slots(d.op, d.nsrc)
                ext = self.ch.ring.load(self.mem.read, count + 1, n_ext)
                d = RawDescriptor.decode(first, ext)
                self.validate(d, n_ext)
                bufs = self.buffers(d)
            except (_Halt, IndexError, ValueError):
                return  # the channel would fault on this one: nothing behind it moves data
            for b in bufs:
                if b.is_dst and self.in_window(b.addr, b.length):
                    self.out.dont_care.append((b.addr, b.length))
            count = count_add(count, 1 + n_ext)

    def write_record(self, head: int, status: int) -> None:
        addr = self.ch.cmpl_addr
        fault = self.window_fault(addr, CMPL_RECORD_BYTES, "record")
        if fault:
            raise fault
        self.check_write(addr, CMPL_RECORD_BYTES, ErrCode.STATUS_WRITE, "record")
        record = CompletionRecord(head, status)
        self.mem.write(addr, record.encode())
        self.out.record = record

    def abort(self, count: int, code: int) -> None:
        """Software stopped the channel (`code`: ABORTED, or TAIL_OVERFLOW for a refused TAIL
        write) while the descriptor at `count` was (or was about to be) running."""
        out, ch = self.out, self.ch
        self.halt(_Halt(code, _stop_site(code)), count)
        out.err_addr = None
        slot0 = ch.slot_addr(count)
        if not self.in_window(slot0, SLOT_BYTES):
            return
        d = RawDescriptor.decode(self.mem.read(slot0, SLOT_BYTES))
        n_ext = ext_slots(d.op, d.nsrc)
        ext = ch.ring.load(self.mem.read, count + 1, n_ext)
        d = RawDescriptor.decode(self.mem.read(slot0, SLOT_BYTES), ext)
        out.alternatives.append((slot0, (self.mem.read(slot0, 4),
                                         status_error(code).to_bytes(4, "little"))))
        try:
            bufs = self.buffers(d)
        except IndexError:
            bufs = []
        for b in bufs:
            if b.is_dst and 0 < b.length <= (1 << 24) and self.in_window(b.addr, b.length):
                out.dont_care.append((b.addr, b.length))


def run_channel(mem: SimMemory, hw: HwConfig, ch: ChannelSetup, head: int, tail: int,
                faults: Sequence[BusFault] = (), abort_at: int | None = None,
                abort_code: int = ErrCode.ABORTED) -> Outcome:
    """Execute a channel's slots [head, tail) on `mem` (updated in place) and return what the
    hardware must show. `abort_at`: software stopped the channel when HEAD was there, with
    CTRL.ABORT (`abort_code` ABORTED) or a TAIL write it refused (TAIL_OVERFLOW)."""
    if abort_code not in (ErrCode.ABORTED, ErrCode.TAIL_OVERFLOW):
        raise ValueError(f"software stops a channel with ABORTED or TAIL_OVERFLOW, not "
                         f"{ErrCode(abort_code).name}")
    return _Channel(mem, hw, ch, head, tail, faults).run(abort_at, abort_code)


def coalesce_done_times(completions: Iterable[tuple[int, bool]], count: int,
                        timeout: int) -> list[int]:
    """Cycles at which INT_CAUSE.DONE is raised, given (cycle, INT_EN) of each completion in
    order: after COUNT (0 or 1: every) INT_EN completions, or TIMEOUT cycles (0: never) after the
    first unreported one, whichever comes first."""
    threshold = max(count, 1)
    raised: list[int] = []
    pending = 0
    first: int | None = None
    for cycle, int_en in completions:
        if first is not None and timeout and cycle >= first + timeout:
            raised.append(first + timeout)
            pending, first = 0, None
        if not int_en:
            continue
        pending += 1
        if first is None:
            first = cycle
        if pending >= threshold:
            raised.append(cycle)
            pending, first = 0, None
    if first is not None and timeout:
        raised.append(first + timeout)
    return raised
