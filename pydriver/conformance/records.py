"""What the checker remembers about each descriptor and each channel it watches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..dmaengine import COOKIE_MAX, DmaAsyncTxDescriptor, DmaChan
from .effects import Effect

__all__ = ["DescRecord", "ChanRecord", "Frame", "DepWait", "next_cookie", "cookie_before"]


def next_cookie(cookie: int) -> int:
    """The cookie tx_submit hands out after ``cookie`` (dma_cookie_t is s32: 1 follows 2^31-1)."""
    return 1 if cookie >= COOKIE_MAX or cookie < 0 else cookie + 1


def cookie_before(a: int, b: int) -> bool:
    """``a`` was handed out before ``b`` (a short step back, allowing for the wrap)."""
    return 0 < (b - a) % (COOKIE_MAX + 1) < (COOKIE_MAX + 1) // 2


@dataclass(eq=False)
class DescRecord:
    """One descriptor handed out by a prep hook (a reused object gets a new record)."""

    tx: DmaAsyncTxDescriptor
    chan: DmaChan
    hook: str
    effect: Effect
    prep_time: int
    acked: bool = False  # DMA_CTRL_ACK seen set (outside prep)
    seq: int = -1  # submission order on its channel; -1 until submitted
    cookie: int | None = None
    submit_time: int | None = None
    in_callback: bool = False  # submitted from a completion callback
    snapshot: Any = None  # what it writes, as it was at submission
    issued: bool = False  # issue_pending ran (or pending_threshold was reached) after submission
    issue_time: int | None = None
    complete: bool = False
    complete_time: int | None = None
    complete_direct: bool = False  # its own completion was reported (not inferred from order)
    said_success: bool = False  # tx_status answered DMA_SUCCESS for it
    failed: bool = False  # tx_status answered DMA_ERROR before it completed
    callback_expected: bool = False
    dependent: DmaAsyncTxDescriptor | None = None  # chained behind it (tx.next when set)
    callback_runs: int = 0
    unverifiable: bool = False  # a later descriptor writes what this one reads or writes
    checked: bool = False  # the data check ran (or was skipped for good)

    @property
    def submitted(self) -> bool:
        return self.seq >= 0

    @property
    def live(self) -> bool:
        """Still owned by the client: submitted (or chained behind a parent) and not yet both
        complete and acked (the client acks when it no longer needs it)."""
        held = self.submitted or self.tx.parent is not None
        return held and not (self.complete and self.acked)

    @property
    def outstanding(self) -> bool:
        """Issued work whose completion has not been seen yet."""
        return self.issued and not self.complete and not self.failed


@dataclass(eq=False)
class ChanRecord:
    chan: DmaChan
    last_cookie: int  # the last cookie tx_submit handed out
    submits: int = 0
    next_seq: int = 0
    pending: list[DescRecord] = field(default_factory=list)  # submitted, not issued
    inflight: list[DescRecord] = field(default_factory=list)  # submitted, not complete
    by_cookie: dict[int, list[DescRecord]] = field(default_factory=dict)
    owned: list[DescRecord] = field(default_factory=list)  # not yet complete and acked
    tainted: set[int] = field(default_factory=set)  # cookies handed out out of order
    last_completed_seq: int = -1
    last_callback_seq: int = -1
    last_callback_cookie: int | None = None
    completions: int = 0  # completed-cookie updates and completion observations
    callbacks: int = 0
    issues: int = 0
    last_status_last: int | None = None  # the "last completed" tx_status reported last time
    tracks_chan_cookie: bool = False  # the driver hands out chan.cookie (dma_cookie_assign)

    @property
    def name(self) -> str:
        return self.chan.name or repr(self.chan)

    def record_for(self, cookie: int) -> DescRecord | None:
        """The descriptor a cookie names: the one not yet complete (after a wrap, older
        holders of the cookie are done), else the newest. None when unknown, or ambiguous
        because tx_submit handed it out twice to work in flight (cookie-order reports that)."""
        recs = self.by_cookie.get(cookie)
        if not recs or cookie in self.tainted:
            return None
        open_ = [r for r in recs if not r.complete]
        if len(open_) > 1:
            return None
        return open_[0] if open_ else recs[-1]


@dataclass(eq=False)
class Frame:
    """A driver hook or a completion callback on the (synchronous) call stack."""

    kind: str  # "hook" or "callback"
    name: str
    chan: Any
    record: DescRecord | None = None
    hook_failure: BaseException | None = None  # a hook raised inside this callback


@dataclass(eq=False)
class DepWait:
    """A completed descriptor whose dependent must be submitted by the cleanup path."""

    parent: DescRecord
    dep: DmaAsyncTxDescriptor
    since: int
