"""The coverage space: the values each coverpoint's bins range over, and how a descriptor is
classified into them.

Bins span every regression parameter set (tb.runner.PARAM_SETS): channel 7 and 16 XOR sources
exist only in the widest set, and the merged database covers them from its runs.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydriver.drivers.dmasim.hw import Op
from tb.runner import PARAM_SETS, full_params

_SETS = [full_params(p) for p in PARAM_SETS.values()]
CHANNELS = tuple(range(max(p["CHANNELS"] for p in _SETS)))
NSRCS = tuple(range(2, max(p["MAX_XOR_SRCS"] for p in _SETS) + 1))

OPS = tuple(op.name.lower() for op in Op)  # memcpy, xor, xor_val, fill, interrupt
XOR_OPS = ("xor", "xor_val")
HAS_SOURCES = ("memcpy", "xor", "xor_val")
HAS_DESTINATION = ("memcpy", "xor", "fill")

NONE = "-"  # the descriptor has no such buffer or length
# Length classes, by what the mover does with them: less than one bus word, a few words, up to
# one maximal burst (dma_top's MAX_BURST_LEN, 16 beats), several bursts.
MAX_BURST_BEATS = 16
LENGTHS = ("lt_word", "words", "burst", "bursts")
ALIGNS = ("aligned", "unaligned")
ON_OFF = ("off", "on")


def op_name(op: int) -> str:
    return Op(op).name.lower()


def length_class(length: int, data_bytes: int) -> str:
    if length < data_bytes:
        return "lt_word"
    if length <= 4 * data_bytes:
        return "words"
    return "burst" if length <= MAX_BURST_BEATS * data_bytes else "bursts"


def alignment(addrs: Iterable[int], data_bytes: int) -> str:
    """`aligned` when every address starts a bus word, `unaligned` when one does not."""
    addrs = list(addrs)
    if not addrs:
        return NONE
    return "aligned" if all(a % data_bytes == 0 for a in addrs) else "unaligned"


def on_off(flag: bool) -> str:
    return ON_OFF[bool(flag)]
