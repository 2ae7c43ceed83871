"""Mutants whose data path is late: the completion is signalled before the result lands."""

from __future__ import annotations

from typing import Any

from ...dmaengine import DmaDevice
from ...runtime import get_runtime
from .derive import derive

__all__ = ["completion_before_data", "LATE_NS"]

LATE_NS = 200_000  # how long after the completion interrupt the data lands


class CompletionBeforeData:
    """The engine reports a descriptor done when its last write is posted, not when it
    landed: the interrupt (and the callback) come before the data is in memory."""

    def execute(self, desc: Any) -> None:
        land = super().execute  # type: ignore[misc]

        async def posted_write() -> None:
            await get_runtime().sleep_ns(LATE_NS)
            land(desc)

        get_runtime().spawn(posted_write())


def completion_before_data(base: type[DmaDevice]) -> type:
    return derive(base, CompletionBeforeData)
