"""Transfer status (``enum dma_status``, R3) and the xor/pq validate result holder."""

from __future__ import annotations

import enum

__all__ = [
    "DmaStatus",
    "DMA_SUCCESS",
    "DMA_COMPLETE",
    "DMA_IN_PROGRESS",
    "DMA_ERROR",
    "SumCheck",
    "SUM_CHECK_P_RESULT",
    "SUM_CHECK_Q_RESULT",
]


class DmaStatus(enum.IntEnum):
    SUCCESS = 0
    IN_PROGRESS = 1
    ERROR = 2

    def __str__(self) -> str:
        return f"DMA_{self.name}"


DMA_SUCCESS = DmaStatus.SUCCESS
DMA_COMPLETE = DmaStatus.SUCCESS  # the modern kernel's name for the same value
DMA_IN_PROGRESS = DmaStatus.IN_PROGRESS
DMA_ERROR = DmaStatus.ERROR

# enum sum_check_flags (2.6.32): what a validate operation reports in *result
# (docs/kernel-model.md, R50)
SUM_CHECK_P_RESULT = 1
SUM_CHECK_Q_RESULT = 2


class SumCheck:
    """The ``*result`` a validate (xor_val / zero_sum) operation writes at completion.

    ``value`` becomes 0 when the XOR of all sources is zero, ``SUM_CHECK_P_RESULT`` otherwise.
    """

    __slots__ = ("value",)

    def __init__(self, value: int = 0) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"SumCheck({self.value})"
