"""tb.refmodel: the descriptor-semantics oracle, checked against hand-computed expectations."""

from __future__ import annotations

import random

import pytest

from pydriver.drivers.dmasim.hw import (
    SLOT_BYTES,
    CompletionRecord,
    ErrCode,
    Fill,
    Interrupt,
    Memcpy,
    RawDescriptor,
    Resp,
    Xor,
    XorVal,
    status_error,
    status_ok,
)
from tb.refmodel import (
    BusFault,
    ChannelSetup,
    HwConfig,
    SimMemory,
    UnspecifiedBehaviour,
    coalesce_done_times,
    compare_memory,
    run_channel,
    tail_write_refused,
    xor_bytes,
)

HW = HwConfig(channels=4, data_bytes=8, max_xor_srcs=8, addr_width=32)
RING = 0x1000
MEM = 0x10000


def fresh(seed: int = 1) -> SimMemory:
    return SimMemory(random.Random(seed).randbytes(MEM))


def post(mem: SimMemory, ch: ChannelSetup, start: int, descs) -> int:
    count = start
    for d in descs:
        data = d.encode()
        for k in range(len(data) // SLOT_BYTES):
            mem.write(ch.slot_addr(count + k), data[k * SLOT_BYTES:(k + 1) * SLOT_BYTES])
        count += len(data) // SLOT_BYTES
    return count


def run(descs, *, ch=None, faults=(), hw=HW, head=0, mem=None, abort_at=None,
        abort_code=ErrCode.ABORTED):
    mem = mem or fresh()
    ch = ch or ChannelSetup(ring_base=RING, log2_slots=4)
    tail = post(mem, ch, head, descs)
    before = mem.copy()
    out = run_channel(mem, hw, ch, head, tail, faults, abort_at, abort_code)
    return before, out


def test_memcpy_copies_and_writes_status():
    before, out = run([Memcpy(dst=0x3003, src=0x2001, length=100, int_en=True)])
    assert out.memory.read(0x3003, 100) == before.read(0x2001, 100)
    assert out.memory.read32(RING) == status_ok()
    assert (out.head, out.halted, out.err_code) == (1, False, ErrCode.NONE)
    assert out.int_en_completions == 1
    # nothing else changed
    exp = before.copy()
    exp.write(0x3003, before.read(0x2001, 100))
    exp.write(RING, status_ok().to_bytes(4, "little"))
    assert exp.data == out.memory.data


def test_xor_in_place_and_extension_slots():
    srcs = (0x2000, 0x2100, 0x2200, 0x2300, 0x2400, 0x2500, 0x2600)
    before, out = run([Xor(dst=0x2200, srcs=srcs, length=64)])
    want = xor_bytes([before.read(s, 64) for s in srcs])
    assert out.memory.read(0x2200, 64) == want
    assert out.head == 3  # 1 + ceil(5/4)
    assert out.completions[0].slots == 3


def test_xor_val_result_and_no_data_written():
    mem = fresh()
    a = mem.read(0x2000, 32)
    mem.write(0x2100, a)  # a ^ a == 0
    before, out = run([XorVal(srcs=(0x2000, 0x2100), length=32),
                       XorVal(srcs=(0x2000, 0x2200), length=32)], mem=mem)
    assert out.memory.read32(RING) == status_ok()
    assert out.memory.read32(RING + SLOT_BYTES) == status_ok(xor_nonzero=True)
    diff = [i for i in range(MEM) if before.data[i] != out.memory.data[i]]
    assert all(RING <= i < RING + 2 * SLOT_BYTES for i in diff)


def test_fill_and_interrupt():
    _, out = run([Fill(dst=0x5001, value=0x3C, length=7), Interrupt(int_en=True)])
    assert out.memory.read(0x5001, 7) == b"\x3c" * 7
    assert out.head == 2 and out.int_en_completions == 1


def test_ring_wraps_and_counts_are_free_running():
    ch = ChannelSetup(ring_base=RING, log2_slots=2)
    # start at count 0xFFFE: slots 2, 3, then wrap to 0
    _, out = run([Fill(dst=0x6000, value=1, length=4), Xor(dst=0x6100, srcs=(1, 2, 3), length=4)],
                 ch=ch, head=0xFFFE)
    assert out.head == 1  # 0xFFFE + 1 + 2 mod 2^16
    assert out.memory.read32(RING + 2 * SLOT_BYTES) == status_ok()
    assert out.memory.read32(RING + 3 * SLOT_BYTES) == status_ok()


def test_completion_record():
    ch = ChannelSetup(ring_base=RING, cmpl_wb_en=True, cmpl_addr=0x7000)
    _, out = run([Interrupt(), XorVal(srcs=(0x2000, 0x2001), length=5)], ch=ch)
    rec = CompletionRecord.decode(out.memory.read(0x7000, 8))
    assert rec == CompletionRecord(head=2, status=status_ok(xor_nonzero=True))
    assert out.record == rec


@pytest.mark.parametrize("desc,code", [
    (RawDescriptor(op=0), ErrCode.BAD_OPCODE),
    (RawDescriptor(op=7, length=4), ErrCode.BAD_OPCODE),
    (Memcpy(dst=0x3000, src=0x2000, length=0), ErrCode.BAD_LENGTH),
    (RawDescriptor(op=1, length=0x01000004, dst=0x3000, srcs=(0x2000,)), ErrCode.BAD_LENGTH),
    (RawDescriptor(op=5, length=1), ErrCode.BAD_LENGTH),
    (RawDescriptor(op=2, length=4, nsrc=1, srcs=(0x2000,)), ErrCode.BAD_NSRC),
    (RawDescriptor(op=3, length=4, nsrc=9, srcs=tuple(range(9))), ErrCode.BAD_NSRC),
    (RawDescriptor(op=1, length=4, dst=0x3000, srcs=(0x2000, 0x2100)), ErrCode.RESERVED),
    (RawDescriptor(op=4, length=4, dst=0x3000, nsrc=1), ErrCode.RESERVED),
    (RawDescriptor(op=5, ctrl_reserved=1 << 6), ErrCode.RESERVED),
    (RawDescriptor(op=3, length=4, dst=0x1, nsrc=2, srcs=(0x2000, 0x2100)), ErrCode.RESERVED),
    (RawDescriptor(op=2, length=4, dst=0x3000, nsrc=3, srcs=(1, 2, 3, 4)), ErrCode.RESERVED),
    (Memcpy(dst=0x1_0000_3000, src=0x2000, length=4), ErrCode.RESERVED),
])
def test_bad_descriptor_halts_after_earlier_ones(desc, code):
    before, out = run([Fill(dst=0x4000, value=9, length=16), desc, Interrupt()])
    assert out.halted and out.err_code == code and out.err_resp == 0
    assert out.head == 1 and out.err_desc == 1
    assert out.err_addr == (RING + SLOT_BYTES,) * 2
    assert out.memory.read32(RING) == status_ok()
    assert out.memory.read32(RING + SLOT_BYTES) == status_error(code)
    assert out.memory.read(RING + 2 * SLOT_BYTES, 4) == before.read(RING + 2 * SLOT_BYTES, 4)
    assert [c.count for c in out.completions] == [0]


def test_window_violation_on_data_touches_nothing():
    ch = ChannelSetup(ring_base=RING, win_base=0x1000, win_limit=0x8FFF)
    before, out = run([Memcpy(dst=0x8FF0, src=0x2000, length=17)], ch=ch)
    assert out.err_code == ErrCode.WINDOW and out.err_addr == (0x8FF0, 0x8FF0)
    assert out.memory.read(0x8FF0, 17) == before.read(0x8FF0, 17)
    assert out.memory.read32(RING) == status_error(ErrCode.WINDOW)


def test_window_violation_on_ring_slot_writes_no_status():
    ch = ChannelSetup(ring_base=RING, log2_slots=2, win_base=0x1020, win_limit=0x8FFF)
    before, out = run([Interrupt()], ch=ch)
    assert out.err_code == ErrCode.WINDOW and out.err_addr == (RING, RING)
    assert out.memory.data == before.data


def test_address_space_wrap_is_a_window_error():
    hw = HwConfig(addr_width=32)
    _, out = run([Fill(dst=0xFFFF_FFF0, value=0, length=0x20)], hw=hw)
    assert out.err_code == ErrCode.WINDOW


def test_tail_overflow_executes_nothing():
    mem = fresh()
    ch = ChannelSetup(ring_base=RING, log2_slots=2)
    before = mem.copy()
    out = run_channel(mem, HW, ch, 0, 5)
    assert out.halted and out.err_code == ErrCode.TAIL_OVERFLOW and out.head == 0
    assert mem.data == before.data


@pytest.mark.parametrize("resp", [Resp.SLVERR, Resp.DECERR])
def test_data_read_fault(resp):
    fault = BusFault(0x2040, 0x40, resp, read=True, write=False)
    before, out = run([Memcpy(dst=0x3001, src=0x2003, length=0x100)], faults=[fault])
    assert out.err_code == ErrCode.DATA_READ and out.err_resp == resp
    lo, hi = out.err_addr
    assert lo == 0x2000 and hi == 0x207F
    assert (0x3001, 0x100) in out.dont_care
    assert out.memory.read32(RING) == status_error(ErrCode.DATA_READ)


def test_data_write_and_status_write_faults():
    fault = BusFault(0x3080, 0x10, read=False)
    _, out = run([Fill(dst=0x3001, value=1, length=0x100)], faults=[fault])
    assert out.err_code == ErrCode.DATA_WRITE and out.err_resp == Resp.SLVERR
    status_fault = BusFault(RING + SLOT_BYTES, 4, read=False)
    before, out = run([Interrupt(), Interrupt()], faults=[status_fault])
    assert out.err_code == ErrCode.STATUS_WRITE and out.head == 1 and out.err_desc == 1
    assert out.memory.read(RING + SLOT_BYTES, 4) == before.read(RING + SLOT_BYTES, 4)


def test_desc_read_fault_allows_either_status():
    fault = BusFault(RING + SLOT_BYTES, SLOT_BYTES, write=False)
    before, out = run([Interrupt(), Interrupt()], faults=[fault])
    assert out.err_code == ErrCode.DESC_READ and out.err_desc == 1
    addr, options = out.alternatives[0]
    assert addr == RING + SLOT_BYTES and before.read(addr, 4) in options


def test_completion_record_outside_window():
    ch = ChannelSetup(ring_base=RING, cmpl_wb_en=True, cmpl_addr=0x9000, win_limit=0x8FFF)
    _, out = run([Interrupt()], ch=ch)
    assert out.err_code == ErrCode.WINDOW and out.err_addr == (0x9000, 0x9000)
    assert set(out.head_options) == {0, 1}


def test_abort_marks_running_destination_dont_care():
    _, out = run([Fill(dst=0x4000, value=1, length=8), Fill(dst=0x5000, value=2, length=64),
                  Fill(dst=0x6000, value=3, length=8)], abort_at=1)
    assert out.err_code == ErrCode.ABORTED and out.head == 1 and out.err_desc == 1
    assert (0x5000, 64) in out.dont_care
    assert out.memory.read(0x4000, 8) == b"\x01" * 8


def test_unfenced_read_after_write_is_unspecified():
    with pytest.raises(UnspecifiedBehaviour):
        run([Fill(dst=0x4000, value=1, length=8), Memcpy(dst=0x5000, src=0x4000, length=8)])
    _, out = run([Fill(dst=0x4000, value=1, length=8),
                  Memcpy(dst=0x5000, src=0x4000, length=8, fence=True)])
    assert out.memory.read(0x5000, 8) == b"\x01" * 8


def test_descriptor_past_tail_is_unspecified():
    mem = fresh()
    ch = ChannelSetup(ring_base=RING)
    post(mem, ch, 0, [Xor(dst=0x3000, srcs=(1, 2, 3), length=4)])
    with pytest.raises(UnspecifiedBehaviour):
        run_channel(mem, HW, ch, 0, 1)


def test_compare_memory_dont_care_and_alternatives():
    exp = SimMemory(bytes(64))
    act = bytearray(64)
    act[10] = 1
    assert compare_memory(exp, act)
    assert not compare_memory(exp, act, dont_care=[(8, 4)])
    assert not compare_memory(exp, act, alternatives=[(8, (bytes(4), b"\0\0\1\0"))])
    assert compare_memory(exp, act, alternatives=[(8, (bytes(4),))])


def test_memory_aliases_like_axiram():
    mem = SimMemory(16)
    mem.write(0x1000_0000E, b"abcd")
    assert mem.read(14, 2) == b"ab" and mem.read(0, 2) == b"cd"


def test_coalescing_model():
    # count 3, no timeout: every third INT_EN completion
    comps = [(10 * i, True) for i in range(7)]
    assert coalesce_done_times(comps, 3, 0) == [20, 50]
    # timeout 15 after the first unreported one
    assert coalesce_done_times([(0, True), (5, False), (40, True)], 8, 15) == [15, 55]
    # count 0 and 1 mean every one; non-INT_EN completions never count
    assert coalesce_done_times([(1, True), (2, False), (3, True)], 0, 0) == [1, 3]


def test_tail_write_refused_when_overflowing_or_moving_back():
    ring = ChannelSetup(ring_base=RING, log2_slots=4).ring  # HEAD 10, TAIL 14
    assert not tail_write_refused(ring, 10, 14, 14)  # the same TAIL again
    assert not tail_write_refused(ring, 10, 14, 20)
    assert not tail_write_refused(ring, 10, 14, 26)  # exactly the ring outstanding
    assert tail_write_refused(ring, 10, 14, 27)  # overflow
    assert tail_write_refused(ring, 10, 14, 12)  # back towards HEAD
    assert tail_write_refused(ring, 10, 14, 9)  # behind HEAD: a huge count outstanding
    assert not tail_write_refused(ring, 0xFFFE, 0xFFFF, 3)  # forward across the 2^16 wrap


def test_refused_tail_stops_like_abort_with_its_own_code():
    _, out = run([Fill(dst=0x4000, value=1, length=8), Fill(dst=0x5000, value=2, length=64)],
                 abort_at=0, abort_code=ErrCode.TAIL_OVERFLOW)
    assert out.err_code == ErrCode.TAIL_OVERFLOW and out.head == 0 and out.err_desc == 0
    assert (0x4000, 8) in out.dont_care
    with pytest.raises(ValueError, match="ABORTED or TAIL_OVERFLOW"):
        run([Interrupt()], abort_at=0, abort_code=ErrCode.WINDOW)


def test_ring_slot_past_the_top_of_a_64_bit_space():
    """The refused slot's ERR_ADDR is its address modulo 2^64 (the register is 64 bits)."""
    hw = HwConfig(addr_width=64)
    top = 1 << 64
    ch = ChannelSetup(ring_base=top - SLOT_BYTES, log2_slots=1)
    mem = fresh()
    mem.write(ch.slot_addr(0), Interrupt().encode())
    out = run_channel(mem, hw, ch, 0, 2)
    assert out.err_code == ErrCode.WINDOW and out.head == 1 and out.err_addr == (0, 0)
