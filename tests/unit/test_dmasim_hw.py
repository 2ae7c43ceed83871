"""The dma_top descriptor codec (pydriver.drivers.dmasim.hw): byte layout of descriptors,
extension slots, status words, completion record; the format constants come from
rtl/dma_desc.toml."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import pytest

from pydriver.drivers.dmasim import desc_format
from pydriver.drivers.dmasim.hw import (
    CTRL_RESERVED_MASK,
    SLOT_BYTES,
    CompletionRecord,
    ErrCode,
    Fill,
    Interrupt,
    Memcpy,
    Op,
    RawDescriptor,
    Status,
    Xor,
    XorVal,
    ext_slots,
    status_error,
    status_ok,
)


def test_memcpy_layout_matches_spec_table():
    d = Memcpy(dst=0x1122334455667788, src=0x0102030405060708, length=0x123456, int_en=True,
               fence=True)
    data = d.encode()
    assert len(data) == SLOT_BYTES
    ctrl, length, dst, src0, src1 = struct.unpack("<IIQQQ", data)
    assert ctrl == Op.MEMCPY | 1 << 4 | 1 << 5
    assert (length, dst, src0, src1) == (0x123456, 0x1122334455667788, 0x0102030405060708, 0)


def test_fill_puts_value_in_ctrl_23_16():
    ctrl = struct.unpack_from("<I", Fill(dst=0x40, value=0xA7, length=3).encode())[0]
    assert ctrl == Op.FILL | 0xA7 << 16


def test_interrupt_has_zero_length_and_no_addresses():
    data = Interrupt(int_en=True).encode()
    assert data == struct.pack("<I", Op.INTERRUPT | 1 << 4) + bytes(28)


@pytest.mark.parametrize("nsrc,slots", [(2, 1), (3, 2), (6, 2), (7, 3), (10, 3), (11, 4),
                                        (16, 5)])
def test_xor_extension_slots(nsrc, slots):
    srcs = tuple(0x1000 * (k + 1) for k in range(nsrc))
    d = Xor(dst=0x99, srcs=srcs, length=64)
    data = d.encode()
    assert d.slots == slots == 1 + ext_slots(Op.XOR, nsrc)
    assert len(data) == SLOT_BYTES * slots
    ctrl = struct.unpack_from("<I", data)[0]
    assert (ctrl >> 8) & 0x1F == nsrc
    # SRC0, SRC1 in the first slot, then four per extension slot, zero padded
    assert struct.unpack_from("<2Q", data, 16) == srcs[:2]
    rest = struct.unpack_from(f"<{4 * (slots - 1)}Q", data, SLOT_BYTES)
    assert rest[:nsrc - 2] == srcs[2:]
    assert not any(rest[nsrc - 2:])


def test_xor_val_has_no_destination():
    d = XorVal(srcs=(1, 2, 3), length=9)
    raw = RawDescriptor.decode(d.encode()[:SLOT_BYTES], d.encode()[SLOT_BYTES:])
    assert raw.op == Op.XOR_VAL and raw.dst == 0 and raw.srcs[:3] == (1, 2, 3)


@pytest.mark.parametrize("desc", [
    Memcpy(dst=5, src=6, length=7, fence=True),
    Xor(dst=1, srcs=(2, 3, 4, 5, 6, 7, 8), length=100, int_en=True),
    XorVal(srcs=(10, 20), length=1),
    Fill(dst=3, value=0xFF, length=0xFFFFFF),
    Interrupt(),
])
def test_encode_decode_round_trip(desc):
    data = desc.encode()
    raw = RawDescriptor.decode(data[:SLOT_BYTES], data[SLOT_BYTES:])
    assert raw.encode() == data
    assert raw.slots == desc.slots


def test_raw_descriptor_carries_bad_fields():
    raw = RawDescriptor(op=9, length=0x01000000, ctrl_reserved=1 << 31, nsrc=31)
    back = RawDescriptor.decode(raw.encode())
    assert (back.op, back.length, back.ctrl_reserved, back.nsrc) == \
        (9, 0x01000000, 1 << 31, 31)
    assert CTRL_RESERVED_MASK & 0xFFFF == 0xE0C0


def test_too_many_source_addresses_for_the_slots_is_refused():
    with pytest.raises(ValueError):
        RawDescriptor(op=Op.XOR, nsrc=3, srcs=tuple(range(7))).encode()


def test_status_words():
    assert Status(status_ok()).done and not Status(status_ok()).error
    assert Status(status_ok(True)).xor_nonzero
    s = Status(status_error(ErrCode.DATA_READ))
    assert s.done and s.error and s.code == 0x11 and not s.xor_nonzero
    assert status_error(ErrCode.WINDOW) == 0xC0000500
    assert "DATA_READ" in str(s)


def test_completion_record_layout():
    rec = CompletionRecord(head=0x1234, status=0x80000001)
    assert rec.encode() == struct.pack("<II", 0x1234, 0x80000001)
    assert CompletionRecord.decode(rec.encode()) == rec
    assert CompletionRecord.decode(struct.pack("<II", 0xABCD0001, 0)).reserved == 0xABCD


ROOT = Path(__file__).resolve().parents[2]


def gen_desc():
    """scripts/gen_desc.py as a module."""
    spec = importlib.util.spec_from_file_location("gen_desc", ROOT / "scripts" / "gen_desc.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    return gen


def test_generated_constants_follow_the_source():
    """desc_format.py, the RTL header and the doc tables say what rtl/dma_desc.toml says."""
    gen = gen_desc()
    root = ROOT
    spec = gen.load()
    assert {o["name"]: o["value"] for o in spec["op"]} == {o.name: o.value for o in Op}
    assert {e["name"]: e["code"] for e in spec["error"]} == {e.name: e.value for e in ErrCode}
    assert desc_format.CTRL_DEFINED | CTRL_RESERVED_MASK == 0xFFFFFFFF
    assert (root / "rtl" / "dma_desc.vh").read_text() == gen.verilog(spec)
    assert (root / "pydriver/drivers/dmasim/desc_format.py").read_text() == gen.python(spec)
    doc = (root / "docs" / "descriptor.md").read_text()
    assert gen.update_doc(doc, gen.doc_tables(spec)) == doc, "docs/descriptor.md is stale"


def test_a_format_that_overlaps_itself_is_refused(tmp_path):
    gen = gen_desc()
    text = (ROOT / "rtl" / "dma_desc.toml").read_text().replace(
        'name = "FENCE"\nlsb = 5', 'name = "FENCE"\nlsb = 4')
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    with pytest.raises(SystemExit, match="FENCE overlaps"):
        gen.load(bad)
