"""dmatest: the kernel's DMA engine test client (drivers/dma/dmatest.c) on dmasim's core.

``await dmatest(...)`` takes the module parameters as keywords and returns one
:class:`DmatestResult` per thread (docs/dmatest.md); the patterns and the classification of
wrong bytes are in :mod:`pydriver.dmatest.patterns`.
"""

from .patterns import (
    DESTINATION_MISMATCH,
    GUARD_OVERWRITTEN,
    NOT_COPIED,
    PATTERN_COPY,
    PATTERN_COUNT_MASK,
    PATTERN_DST,
    PATTERN_OVERWRITE,
    PATTERN_SRC,
    SOURCE_OVERWRITTEN,
    Mismatch,
)
from .result import DmatestResult
from .run import DEFAULT_ITERATIONS, TESTS, dmatest

__all__ = [
    "dmatest",
    "DmatestResult",
    "Mismatch",
    "TESTS",
    "DEFAULT_ITERATIONS",
    "PATTERN_SRC",
    "PATTERN_DST",
    "PATTERN_COPY",
    "PATTERN_OVERWRITE",
    "PATTERN_COUNT_MASK",
    "SOURCE_OVERWRITTEN",
    "DESTINATION_MISMATCH",
    "NOT_COPIED",
    "GUARD_OVERWRITTEN",
]
