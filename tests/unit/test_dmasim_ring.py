"""Ring arithmetic of the dma_top driver (pydriver.drivers.dmasim.ring): slot addresses,
outstanding and free slots, counts modulo 2^16, descriptors written across the ring's end."""

from __future__ import annotations

import pytest

from pydriver.drivers.dmasim.hw import COUNT_MOD, SLOT_BYTES, Xor
from pydriver.drivers.dmasim.ring import RingLayout, count_add, count_distance
from pydriver.memory import SystemMemory


def test_counts_wrap_at_2_16():
    assert count_add(COUNT_MOD - 1, 1) == 0
    assert count_add(COUNT_MOD - 2, 5) == 3
    assert count_distance(COUNT_MOD - 2, 3) == 5
    assert count_distance(7, 7) == 0


def test_slot_addresses_wrap_at_the_ring_size():
    ring = RingLayout(0x1000, 3)
    assert ring.nslots == 8 and ring.nbytes == 8 * SLOT_BYTES
    assert ring.slot_addr(0) == 0x1000 and ring.slot_addr(7) == 0x1000 + 7 * SLOT_BYTES
    assert ring.slot_addr(8) == 0x1000 and ring.slot_addr(COUNT_MOD - 1) == ring.slot_addr(7)
    assert ring.slot_addrs(6, 3) == [ring.slot_addr(6), ring.slot_addr(7), 0x1000]


def test_outstanding_and_free_across_the_count_wrap():
    ring = RingLayout(0, 4)
    head, tail = COUNT_MOD - 3, 5
    assert ring.outstanding(head, tail) == 8 and ring.free(head, tail) == 8
    assert ring.free(tail, tail) == 16


@pytest.mark.parametrize("base, log2", [(0x10, 4), (0, 0), (0, 16)])
def test_bad_geometry_is_refused(base, log2):
    with pytest.raises(ValueError):
        RingLayout(base, log2)


def test_store_and_load_wrap_a_descriptor_over_the_end():
    mem = SystemMemory(4 * 4096)
    ring = RingLayout(4096, 2)
    desc = Xor(dst=0x2000, srcs=tuple(range(0x100, 0x100 + 8 * 7, 8)), length=64)
    data = desc.encode()
    assert desc.slots == 3
    after = ring.store(mem.write, COUNT_MOD - 1, data)
    assert after == 2
    assert mem.read(ring.slot_addr(3), SLOT_BYTES) == data[:SLOT_BYTES]
    assert mem.read(4096, SLOT_BYTES) == data[SLOT_BYTES:2 * SLOT_BYTES]
    assert ring.load(mem.read, COUNT_MOD - 1, 3) == data
    with pytest.raises(ValueError, match="whole"):
        ring.store(mem.write, 0, b"\0" * 33)
