"""The cycle counts and bus limits docs/descriptor.md ("Timing") promises for dma_top built with
its default MAX_BURST_LEN and SQ_DEPTH, as the benches check them exactly."""

from __future__ import annotations

from pydriver.drivers.dmasim.hw import SLOT_BYTES
from pydriver.drivers.dmasim.ring import count_distance

DOORBELL_TO_FETCH = 2  # TAIL write accepted in cycle w: first descriptor ARVALID in w + 2
RESPONSE_TO_HEAD = 2  # last completion write's B handshake in cycle b: HEAD and DONE in b + 2
MAX_BURST_LEN = 16  # dma_top's default (beats per burst)
SQ_DEPTH = 8  # fetched slots waiting for the decoder
EXECUTING = 8  # descriptors dispatched and not completed
READS_OUTSTANDING = 16  # a channel's data read bursts without their last beat
WRITES_UNANSWERED = 8  # a channel's write bursts whose data went out, response not yet back
WRITES_AHEAD = 4  # write bursts the AW channel takes ahead of their data (all channels)
PAGE = 4096


def fetch_slots_max(data_bytes: int) -> int:
    """F: the most slots one descriptor read burst carries."""
    return max(1, min(4, MAX_BURST_LEN * data_bytes // SLOT_BYTES))


def prefetch_limit() -> int:
    """Single-slot descriptors a channel reads past HEAD while no descriptor completes."""
    return EXECUTING + 1 + SQ_DEPTH


def fetch_burst(data_bytes: int, nslots: int, slot_addr: int, fetched: int, tail: int) -> int:
    """Slots in a descriptor read burst from slot count `fetched` when the slot queue has room:
    at most F, what TAIL allows, up to the ring's end and up to the next 4 KiB boundary."""
    return min(fetch_slots_max(data_bytes), count_distance(fetched, tail),
               nslots - fetched % nslots, (PAGE - slot_addr % PAGE) // SLOT_BYTES)
