"""Mutants that break the descriptor life cycle: who may touch it, when it may be reused,
what the cleanup must do with it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...dmaengine import DescState, DmaAsyncTxDescriptor, DmaDevice
from .derive import derive, per_chan

__all__ = ["irq_writes_descriptor", "dependencies_not_run", "reuse_before_ack"]


class IrqWritesDescriptor:
    """The hard-IRQ handler marks finished descriptors complete itself, instead of leaving
    every descriptor update to the tasklet."""

    def interrupt_handler(self, chan: Any) -> None:
        for desc in chan.active:
            if desc.hw_done:
                desc.state = DescState.COMPLETE
        super().interrupt_handler(chan)  # type: ignore[misc]


def irq_writes_descriptor(base: type[DmaDevice]) -> type:
    return derive(base, IrqWritesDescriptor)


class DependenciesNotRun:
    """The cleanup runs callbacks but never calls dma_run_dependencies: descriptors chained
    behind a completed one are never submitted."""

    def cleanup(self, chan: Any) -> None:
        for desc in chan.active:
            if not desc.hw_done:
                break
            desc.next = None  # what dma_run_dependencies would have followed
        super().cleanup(chan)  # type: ignore[misc]


def dependencies_not_run(base: type[DmaDevice]) -> type:
    return derive(base, DependenciesNotRun)


class ReuseBeforeAck:
    """Completed descriptors go back to the free pool whether or not the client acked them,
    and prep hands them out again (the client may still chain on them)."""

    def recycle(self, tx: DmaAsyncTxDescriptor) -> DmaAsyncTxDescriptor:
        pool: list[DmaAsyncTxDescriptor] = per_chan(self, "_pool").setdefault(id(tx.chan), [])
        if not pool:
            return tx
        old = pool.pop(0)
        vars(old).clear()
        vars(old).update(vars(tx))  # re-initialised in place, as a slot allocator would
        return old

    def cleanup(self, chan: Any) -> None:
        super().cleanup(chan)  # type: ignore[misc]
        done: Sequence[DmaAsyncTxDescriptor] = chan.unacked
        per_chan(self, "_pool").setdefault(id(chan), []).extend(done)
        chan.live -= len(done)
        chan.unacked = []


def reuse_before_ack(base: type[DmaDevice]) -> type:
    return derive(base, ReuseBeforeAck, on_prep=lambda self, tx: self.recycle(tx))
