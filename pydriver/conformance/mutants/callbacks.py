"""Mutants that get completion callbacks wrong: where, how often, under which lock."""

from __future__ import annotations

import itertools
from typing import Any

from ...dmaengine import DmaAsyncTxDescriptor, DmaDevice, dma_cookie_assign
from ...errors import DmaError
from .derive import derive, per_chan, wrap_callback, wrap_submit

__all__ = [
    "callback_in_irq",
    "callback_in_issue_pending",
    "double_callback",
    "dropped_callback",
    "lock_held_across_callbacks",
    "resubmit_lost",
]


class CallbackInIrq:
    """The hard-IRQ handler runs the cleanup itself, so callbacks run in interrupt context."""

    def interrupt_handler(self, chan: Any) -> None:
        super().interrupt_handler(chan)  # type: ignore[misc]
        self.cleanup(chan)  # type: ignore[attr-defined]


def callback_in_irq(base: type[DmaDevice]) -> type:
    return derive(base, CallbackInIrq)


class CallbackInIssuePending:
    """issue_pending finishes short jobs on the spot and completes them, callbacks included,
    before returning (SoftDmaDevice's engine queue is run synchronously)."""

    def device_issue_pending(self, chan: Any) -> None:
        super().device_issue_pending(chan)  # type: ignore[misc]
        while chan.hw_queue:
            desc = chan.hw_queue.popleft()
            self.execute(desc)  # type: ignore[attr-defined]
            desc.hw_done = True
        self.cleanup(chan)  # type: ignore[attr-defined]


def callback_in_issue_pending(base: type[DmaDevice]) -> type:
    return derive(base, CallbackInIssuePending)


class DoubleCallback:
    """The cleanup forgets to clear a descriptor's callback after running it, and walks the
    descriptors still waiting for their ack again on every pass."""

    def cleanup(self, chan: Any) -> None:
        waiting = list(chan.unacked)
        super().cleanup(chan)  # type: ignore[misc]
        for desc in waiting:
            if desc in chan.unacked and desc.callback is not None:
                desc.callback(desc.callback_param)


def double_callback(base: type[DmaDevice]) -> type:
    return derive(base, DoubleCallback)


class DroppedCallback:
    """When several completions are reaped in one pass, only the newest one's callback runs
    (interrupt coalescing done wrong)."""

    def cleanup(self, chan: Any) -> None:
        done = list(itertools.takewhile(lambda d: d.hw_done, chan.active))
        for desc in done[:-1]:
            desc.callback = None
        super().cleanup(chan)  # type: ignore[misc]


def dropped_callback(base: type[DmaDevice]) -> type:
    return derive(base, DroppedCallback)


class LockHeldAcrossCallbacks:
    """The channel lock is held while a callback runs; every entry point takes it, so a
    callback that submits work or polls tx_status finds it held (lockdep: recursion)."""

    def _lock(self, chan: Any, op: str) -> None:
        if per_chan(self, "_held").get(id(chan)):
            raise DmaError(
                f"{op}: spinlock recursion on {chan.name}'s lock, held across the "
                "completion callback (deadlock)"
            )

    def _hold(self, chan: Any, cb: Any, param: Any) -> Any:
        held = per_chan(self, "_held")
        held[id(chan)] = True
        try:
            return cb(param)
        finally:
            held[id(chan)] = False

    def lock_descriptor(self, tx: DmaAsyncTxDescriptor) -> DmaAsyncTxDescriptor:
        def submit(orig: Any, t: DmaAsyncTxDescriptor) -> int:
            self._lock(t.chan, "tx_submit")
            wrap_callback(t, lambda cb, param: self._hold(t.chan, cb, param))
            return orig(t)

        wrap_submit(tx, submit)
        return tx

    def device_issue_pending(self, chan: Any) -> None:
        self._lock(chan, "issue_pending")
        super().device_issue_pending(chan)  # type: ignore[misc]

    def device_tx_status(self, chan: Any, cookie: int) -> Any:
        self._lock(chan, "tx_status")
        return super().device_tx_status(chan, cookie)  # type: ignore[misc]


def lock_held_across_callbacks(base: type[DmaDevice]) -> type:
    def on_prep(self: Any, tx: DmaAsyncTxDescriptor) -> DmaAsyncTxDescriptor:
        self._lock(tx.chan, "prep")
        return self.lock_descriptor(tx)

    return derive(base, LockHeldAcrossCallbacks, on_prep=on_prep)


class ResubmitLost:
    """Work submitted from a callback gets its cookie but lands on a list the cleanup then
    throws away: it never runs (later completions make its cookie read as done)."""

    def watch_descriptor(self, tx: DmaAsyncTxDescriptor) -> DmaAsyncTxDescriptor:
        reaping = per_chan(self, "_in_callback")

        def run(cb: Any, param: Any, chan: Any) -> Any:
            reaping[id(chan)] = True
            try:
                return cb(param)
            finally:
                reaping[id(chan)] = False

        def submit(orig: Any, t: DmaAsyncTxDescriptor) -> int:
            wrap_callback(t, lambda cb, param: run(cb, param, t.chan))
            if reaping.get(id(t.chan)):
                return dma_cookie_assign(t)  # queued on the list that is dropped
            return orig(t)

        wrap_submit(tx, submit)
        return tx


def resubmit_lost(base: type[DmaDevice]) -> type:
    return derive(base, ResubmitLost, on_prep=lambda self, tx: self.watch_descriptor(tx))
