"""Mutants that break the submit / issue_pending contract or the atomicity of the hooks."""

from __future__ import annotations

from typing import Any

from ...dmaengine import PREP_HOOKS, DmaAsyncTxDescriptor, DmaDevice
from ...runtime import get_runtime
from .derive import derive, per_chan, wrap_submit

__all__ = [
    "start_in_tx_submit",
    "issue_pending_fails_when_idle",
    "sleeping_prep",
    "doorbell_never_rung",
]


class StartInTxSubmit:
    """tx_submit starts the hardware itself (the driver's internal start routine), instead
    of leaving that to issue_pending."""

    def start_on_submit(self, tx: DmaAsyncTxDescriptor) -> DmaAsyncTxDescriptor:
        def submit(orig: Any, t: DmaAsyncTxDescriptor) -> int:
            cookie = orig(t)
            type(self).device_issue_pending(self, t.chan)  # the class's own, not a wrapper
            return cookie

        wrap_submit(tx, submit)
        return tx


def start_in_tx_submit(base: type[DmaDevice]) -> type:
    return derive(base, StartInTxSubmit, on_prep=lambda self, tx: self.start_on_submit(tx))


class IssuePendingFailsWhenIdle:
    """issue_pending takes the first pending descriptor without looking: with nothing
    pending it fails."""

    def count_submit(self, tx: DmaAsyncTxDescriptor) -> DmaAsyncTxDescriptor:
        queued = per_chan(self, "_queued")

        def submit(orig: Any, t: DmaAsyncTxDescriptor) -> int:
            queued[id(t.chan)] = queued.get(id(t.chan), 0) + 1
            return orig(t)

        wrap_submit(tx, submit)
        return tx

    def device_issue_pending(self, chan: Any) -> None:
        queued = per_chan(self, "_queued")
        if not queued.get(id(chan)):
            raise IndexError(
                f"{chan.name}: issue_pending took the first pending descriptor of an empty list"
            )
        queued[id(chan)] = 0
        super().device_issue_pending(chan)  # type: ignore[misc]


def issue_pending_fails_when_idle(base: type[DmaDevice]) -> type:
    return derive(base, IssuePendingFailsWhenIdle, on_prep=lambda self, tx: self.count_submit(tx))


class SleepingPrep:
    """A prep hook that allocates its descriptor with a sleeping allocation: it is a
    coroutine, unusable from atomic context (and by callers that do not await it)."""


def sleeping_prep(base: type[DmaDevice]) -> type:
    order = ("device_prep_dma_memcpy", "device_prep_dma_memset", *PREP_HOOKS.values())
    hook = next(h for h in order if getattr(base, h, None) is not None)
    cls: type

    async def prep(self: Any, *args: Any, **kwargs: Any) -> Any:
        await get_runtime().sleep_ns(0)  # GFP_KERNEL
        return getattr(super(cls, self), hook)(*args, **kwargs)

    cls = type(
        f"SleepingPrep{base.__name__}",
        (SleepingPrep, base),
        {hook: prep, "__doc__": SleepingPrep.__doc__},
    )
    return cls


class DoorbellNeverRung:
    """issue_pending never tells the hardware: issued work never starts."""

    def device_issue_pending(self, chan: Any) -> None:
        return None


def doorbell_never_rung(base: type[DmaDevice]) -> type:
    return derive(base, DoorbellNeverRung)
