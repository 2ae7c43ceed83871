"""Mutants that break the cookie and completion order clients rely on."""

from __future__ import annotations

import itertools
from typing import Any

from ...dmaengine import DmaAsyncTxDescriptor, DmaDevice
from .derive import derive, per_chan, wrap_submit

__all__ = ["cookie_reuse", "out_of_order_completion", "tx_status_lies"]

REUSE_EVERY = 4  # every n-th submission on a channel gets its predecessor's cookie


class CookieReuse:
    """tx_submit forgets to advance the channel's cookie now and then (a racy counter), so
    two descriptors share a cookie."""

    def reuse_cookie(self, tx: DmaAsyncTxDescriptor) -> DmaAsyncTxDescriptor:
        count = per_chan(self, "_submits")

        def submit(orig: Any, t: DmaAsyncTxDescriptor) -> int:
            n = count[id(t.chan)] = count.get(id(t.chan), 0) + 1
            if n % REUSE_EVERY == 0 and t.chan.cookie > 1:
                t.chan.cookie -= 1
            return orig(t)

        wrap_submit(tx, submit)
        return tx


def cookie_reuse(base: type[DmaDevice]) -> type:
    return derive(base, CookieReuse, on_prep=lambda self, tx: self.reuse_cookie(tx))


class OutOfOrderCompletion:
    """The cleanup walks its finished descriptors from the newest back (a list walked from
    the wrong end): completed cookie and callbacks go backwards."""

    def cleanup(self, chan: Any) -> None:
        done = list(itertools.takewhile(lambda d: d.hw_done, chan.active))
        if len(done) > 1:
            for _ in done:
                chan.active.popleft()
            chan.active.extendleft(done)  # newest first
        super().cleanup(chan)  # type: ignore[misc]


def out_of_order_completion(base: type[DmaDevice]) -> type:
    return derive(base, OutOfOrderCompletion)


class TxStatusLies:
    """device_tx_status answers for the channel's newest descriptor, whatever cookie it was
    asked about."""

    def device_tx_status(self, chan: Any, cookie: int) -> Any:
        return super().device_tx_status(chan, chan.cookie)  # type: ignore[misc]


def tx_status_lies(base: type[DmaDevice]) -> type:
    return derive(base, TxStatusLies)
