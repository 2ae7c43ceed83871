"""ConformanceChecker: watch any DmaDevice while a workload runs and record every broken rule
(docs/conformance.md). What it can see comes from :mod:`.instrument`; this module judges it.

Everything is measured on the runtime's clock (simulated time under cocotb). Nothing here
waits on the provider except :meth:`ConformanceChecker.settle`, which is bounded by the
watchdog, so a broken driver still gets a report.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any

from ..dmaengine import (
    DMA_CTRL_ACK,
    DMA_ERROR,
    DMA_IN_PROGRESS,
    DMA_SUCCESS,
    PREP_HOOKS,
    DmaAsyncTxDescriptor,
    DmaChan,
    DmaDevice,
    DmaStatus,
    dma_async_is_tx_complete,
    state,
)
from ..errors import DmaError
from ..memory import SystemMemory
from ..runtime import Context, get_runtime
from .effects import checkable, data_problem, effect_of, overlaps, snapshot
from .instrument import CallbackProbe, Instrumentation, close_awaitable
from .records import ChanRecord, DepWait, DescRecord, Frame, cookie_before, next_cookie
from .report import ConformanceReport, Violation
from .rules import check_rule

__all__ = ["ConformanceChecker"]

ATOMIC_HOOKS = frozenset((*PREP_HOOKS.values(), "tx_submit", "device_issue_pending"))
KEPT_PER_RULE = 20  # violations stored per rule (all are counted)


def _short(hook: str) -> str:
    return hook.removeprefix("device_")


def _refusal(exc: BaseException) -> bool:
    """A named refusal of bad input (the stack's way to reject misuse), not a driver failure."""
    return isinstance(exc, (TypeError, ValueError)) or (
        isinstance(exc, DmaError) and exc.rule is not None
    )


class ConformanceChecker(Instrumentation):
    """Instruments one provider at a time: :meth:`attach`, run a workload, :meth:`report`.

    ``watchdog_ns`` (default: the core's dma_sync_wait limit) is how long, in runtime time,
    issued work may take to complete, a completed descriptor's callback to run and its
    dependent to be submitted before that counts as a violation.
    """

    def __init__(self, *, watchdog_ns: int | None = None) -> None:
        if watchdog_ns is not None and (
            isinstance(watchdog_ns, bool) or not isinstance(watchdog_ns, int) or watchdog_ns <= 0
        ):
            raise ValueError(f"watchdog_ns must be a positive int or None, got {watchdog_ns!r}")
        super().__init__()
        self._watchdog_ns = watchdog_ns
        self.device: DmaDevice | None = None
        self.mem: SystemMemory | None = None
        self._violations: list[Violation] = []
        self._counts: dict[str, int] = {}
        self._exercised: set[str] = set()
        self._records: list[DescRecord] = []
        self._by_tx: dict[int, DescRecord] = {}
        self._by_phys: dict[int, DescRecord] = {}
        self._unchecked: list[DescRecord] = []
        self._chans: dict[int, ChanRecord] = {}
        self._dep_waits: list[DepWait] = []
        self._stack: list[Frame] = []
        self._irqs = 0
        self._fast_forwarding = False

    # ================================================================ attach / detach
    @property
    def attached(self) -> bool:
        return self._attached

    @property
    def watchdog_ns(self) -> int:
        return self._watchdog_ns if self._watchdog_ns is not None else state().sync_wait_ns

    def attach(self, device: DmaDevice, mem: SystemMemory | None = None) -> None:
        """Instrument ``device`` (registered or not). ``mem`` defaults to ``device.mem``; without
        a memory the data checks are skipped."""
        if not isinstance(device, DmaDevice):
            raise TypeError(f"attach expects a DmaDevice, got {type(device).__name__}")
        if self._attached:
            raise RuntimeError(
                f"checker already attached to {self._device_name()}: detach it first"
            )
        mem = mem if mem is not None else getattr(device, "mem", None)
        if mem is not None and not isinstance(mem, SystemMemory):
            raise TypeError(f"mem must be a SystemMemory, got {type(mem).__name__}")
        self.device, self.mem = device, mem
        for chan in device.channels:
            self._chans[id(chan)] = ChanRecord(chan, last_cookie=chan.cookie)
        self._instrument(device, mem)
        self._attached = True

    def detach(self) -> None:
        """Undo the instrumentation; the findings stay for :meth:`report`."""
        if not self._attached:
            return
        self._attached = False
        self._uninstrument([rec.tx for rec in self._records])

    # ================================================================ bookkeeping helpers
    def _device_name(self) -> str:
        d = self.device
        if d is None:
            return "(no device)"
        name = getattr(d, "dev", None) or type(d).__name__
        return f"{name} (dma{d.dev_id})" if d.dev_id >= 0 else str(name)

    def _now(self) -> int:
        return get_runtime().now_ns()

    def _chan(self, chan: Any) -> ChanRecord | None:
        return self._chans.get(id(chan))

    def _mark(self, rule: str) -> None:
        self._exercised.add(rule)

    def _violate(
        self,
        rule: str,
        chan: Any,
        cookie: int | None,
        expected: str,
        happened: str,
        *,
        time_ns: int | None = None,
        context: Context | None | bool = True,
    ) -> None:
        check_rule(rule)
        self._counts[rule] = self._counts.get(rule, 0) + 1
        if self._counts[rule] > KEPT_PER_RULE:
            return
        if context is True:
            context = get_runtime().current_context()
        name = getattr(chan, "name", None) if chan is not None else None
        self._violations.append(
            Violation(
                rule,
                name,
                cookie,
                context or None,
                self._now() if time_ns is None else time_ns,
                f"expected {expected}; happened: {happened}",
                expected,
                happened,
            )
        )

    def _callback_frame(self) -> Frame | None:
        return next((f for f in reversed(self._stack) if f.kind == "callback"), None)

    @contextlib.contextmanager
    def _frame(self, name: str, chan: Any, record: DescRecord | None = None) -> Iterator[Frame]:
        if self._callback_frame() is not None:
            self._mark("callback-reentry")  # a callback calls back into the driver
        frame = Frame("hook", name, chan, record)
        self._stack.append(frame)
        try:
            yield frame
        finally:
            self._stack.remove(frame)

    def _hook_failed(self, hook: str, chan: Any, exc: BaseException) -> None:
        """A hook raised: inside a callback that is a re-entry failure (a driver holding its
        lock across callbacks); outside, unless it refused bad input, a driver failure."""
        cb = self._callback_frame()
        if cb is not None:
            cb.hook_failure = exc
            owner = cb.record
            self._violate(
                "callback-reentry",
                chan,
                owner.cookie if owner else None,
                f"{_short(hook)} works when called from a completion callback",
                f"{_short(hook)} raised {type(exc).__name__}: {exc} inside the callback of "
                f"{owner.chan.name if owner else '?'} cookie {owner.cookie if owner else '?'}",
            )
            return
        if _refusal(exc):
            return
        rule = "tx-status" if hook == "device_tx_status" else "prep-atomic"
        self._violate(
            rule,
            chan,
            None,
            f"{_short(hook)} succeeds on valid input",
            f"it raised {type(exc).__name__}: {exc}",
        )

    # ================================================================ prep
    def _on_prep(self, hook: str, fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        chan = args[0] if args else kwargs.get("chan")
        if not self._attached:
            return fn(*args, **kwargs)
        with self._frame(hook, chan):
            try:
                tx = fn(*args, **kwargs)
            except Exception as exc:
                self._hook_failed(hook, chan, exc)
                raise
        self._mark("prep-atomic")
        if inspect.isawaitable(tx):
            close_awaitable(tx)
            self._violate(
                "prep-atomic",
                chan,
                None,
                f"{_short(hook)} returns a descriptor or None at once (it may be "
                "called in atomic context)",
                f"{_short(hook)} is a coroutine: it may sleep",
            )
            return None
        if not isinstance(tx, DmaAsyncTxDescriptor):
            return tx
        self._check_reuse(hook, chan, tx)
        rec = DescRecord(
            tx,
            tx.chan,
            hook,
            effect_of(hook, args, kwargs),
            self._now(),
            acked=bool(tx.flags & DMA_CTRL_ACK),
        )
        self._records.append(rec)
        self._by_tx[id(tx)] = rec
        if tx.phys:
            self._by_phys[tx.phys] = rec
        self._watch_desc(tx)
        return tx

    def _check_reuse(self, hook: str, chan: Any, tx: DmaAsyncTxDescriptor) -> None:
        cr = self._chan(chan)
        if cr is not None:
            cr.owned = [r for r in cr.owned if r.live]
            if cr.owned:
                self._mark("reuse-before-ack")  # prep ran while descriptors were still owned
        old = self._by_tx.get(id(tx))
        how = "the same descriptor object"
        if old is None or old.tx is not tx:
            old = self._by_phys.get(tx.phys) if tx.phys else None
            how = f"the hardware descriptor at {tx.phys:#x}"
        if old is None or not old.live:
            return
        state_ = "still in flight" if not old.complete else "complete but not acked"
        self._violate(
            "reuse-before-ack",
            chan,
            old.cookie,
            "prep hands out only descriptors that are complete and acked",
            f"{_short(hook)} handed out {how} again while cookie {old.cookie} was {state_}",
        )

    # ================================================================ descriptor writes
    def _on_desc_write(self, tx: DmaAsyncTxDescriptor, name: str, value: Any) -> Any:
        if not self._attached:
            return value
        rec = self._by_tx.get(id(tx))
        rt = get_runtime()
        if rt.current_context() is Context.HARDIRQ and self._callback_frame() is None:
            self._violate(
                "descriptor-irq-write",
                tx.chan,
                rec.cookie if rec else None,
                "descriptor fields are never written in hard-IRQ context",
                f"the interrupt handler set {name} = {value!r}",
            )
        if name == "callback" and value is not None and not isinstance(value, CallbackProbe):
            value = CallbackProbe(self, tx, value)
            if rec is not None and rec.submitted and not rec.complete:
                rec.callback_expected = True
        if name == "next" and value is not None and rec is not None:
            rec.dependent = value  # chained now; the cleanup must submit it after completion
        if (
            name == "flags"
            and rec is not None
            and not any(f.kind == "hook" and f.name in PREP_HOOKS.values() for f in self._stack)
        ):
            rec.acked = bool(value & DMA_CTRL_ACK)
        return value

    def _on_irq(self) -> None:
        self._irqs += 1
        if self._records:
            self._mark("descriptor-irq-write")  # an interrupt handler ran while work was live

    def _on_mem_write(self, addr: int, length: int) -> None:
        if get_runtime().current_context() is Context.HARDIRQ and self._callback_frame() is None:
            self._violate(
                "descriptor-irq-write",
                None,
                None,
                "no DMA memory (descriptors) written in hard-IRQ context",
                f"the interrupt handler wrote {length} bytes at {addr:#x}",
            )

    # ================================================================ submit
    def _on_submit(self, tx: DmaAsyncTxDescriptor, submit: Callable[[Any], int]) -> int:
        rec = self._by_tx.get(id(tx))
        cr = self._chan(tx.chan)
        if not self._attached or rec is None or rec.tx is not tx or cr is None:
            return submit(tx)
        rec.callback_expected = tx.callback is not None
        rec.in_callback = self._callback_frame() is not None
        if self.mem is not None and checkable(rec.effect):
            rec.snapshot = snapshot(self.mem, rec.effect)
        rec.seq, cr.next_seq = cr.next_seq, cr.next_seq + 1
        cr.pending.append(rec)  # before the call: an issue from inside tx_submit must see it
        with self._frame("tx_submit", tx.chan, rec):
            try:
                cookie = submit(tx)
            except Exception as exc:
                self._unsubmit(cr, rec)
                self._hook_failed("tx_submit", tx.chan, exc)
                raise
        self._mark("prep-atomic")
        if isinstance(cookie, bool) or not isinstance(cookie, int) or cookie < 0:
            self._unsubmit(cr, rec)
            rule = "callback-reentry" if rec.in_callback else "prep-atomic"
            self._violate(
                rule,
                tx.chan,
                None,
                "tx_submit queues valid work and returns a cookie",
                f"tx_submit returned {cookie!r}",
            )
            return cookie
        self._check_cookie(cr, tx, cookie)
        rec.cookie, rec.submit_time = cookie, self._now()
        cr.by_cookie.setdefault(cookie, []).append(rec)
        cr.inflight.append(rec)
        cr.inflight.sort(key=lambda r: r.seq)
        cr.owned.append(rec)
        for other in self._unchecked:
            if overlaps(rec.effect.writes, other.effect.writes + other.effect.reads):
                other.unverifiable = True  # its inputs or result may be overwritten later
        self._unchecked = [r for r in self._unchecked if not r.unverifiable]
        if checkable(rec.effect):
            self._unchecked.append(rec)
        threshold = getattr(self.device, "pending_threshold", None)
        if isinstance(threshold, int) and threshold >= 1 and len(cr.pending) >= threshold:
            self._issued(cr)  # the device may start now (iop-adma style threshold)
        return cookie

    def _unsubmit(self, cr: ChanRecord, rec: DescRecord) -> None:
        rec.seq = -1
        if rec in cr.pending:
            cr.pending.remove(rec)

    def _check_cookie(self, cr: ChanRecord, tx: DmaAsyncTxDescriptor, cookie: int) -> None:
        want = next_cookie(cr.last_cookie)
        if cookie != want:
            cr.tainted.add(cookie)  # what it names is ambiguous from now on
            self._violate(
                "cookie-order",
                tx.chan,
                cookie,
                f"cookie {want} (one more than the channel's last, {cr.last_cookie}, "
                "wrapping to 1 past 2^31-1)",
                f"tx_submit returned {cookie}",
            )
        elif tx.cookie != cookie:
            self._violate(
                "cookie-order",
                tx.chan,
                cookie,
                f"tx.cookie == {cookie}",
                f"tx_submit returned {cookie} but tx.cookie is {tx.cookie}",
            )
        cr.submits += 1
        if cr.submits >= 2:
            self._mark("cookie-order")
        cr.last_cookie = cookie
        cr.tracks_chan_cookie = tx.chan.cookie == cookie

    def _issued(self, cr: ChanRecord) -> None:
        now = self._now()
        for rec in cr.pending:
            rec.issued, rec.issue_time = True, now
        cr.pending.clear()

    # ================================================================ issue_pending
    def _on_issue(self, fn: Callable[[Any], Any], chan: Any) -> Any:
        cr = self._chan(chan)
        if not self._attached or cr is None:
            return fn(chan)
        submitting = [f.record for f in self._stack if f.name == "tx_submit" and f.chan is chan]
        if submitting:
            rec = submitting[-1]
            self._violate(
                "submit-queues-only",
                chan,
                None,
                "tx_submit only queues; the work starts at issue_pending",
                f"issue_pending ran inside tx_submit of the descriptor from "
                f"{_short(rec.hook) if rec else '?'}",
            )
        idle = not cr.pending
        before = (cr.completions, cr.callbacks)
        if idle:
            self._mark("issue-pending-idle")
        self._issued(cr)  # whatever completes from here on was issued
        with self._frame("device_issue_pending", chan):
            try:
                result = fn(chan)
            except Exception as exc:
                if idle and self._callback_frame() is None:
                    self._violate(
                        "issue-pending-idle",
                        chan,
                        None,
                        "issue_pending with nothing pending does nothing",
                        f"it raised {type(exc).__name__}: {exc}",
                    )
                else:
                    self._hook_failed("device_issue_pending", chan, exc)
                raise
        if inspect.isawaitable(result):
            close_awaitable(result)
            self._violate(
                "prep-atomic",
                chan,
                None,
                "issue_pending is a plain function",
                "issue_pending is a coroutine: it may sleep",
            )
        cr.issues += 1
        if idle and (cr.completions, cr.callbacks) != before:
            self._violate(
                "issue-pending-idle",
                chan,
                None,
                "issue_pending with nothing pending completes nothing",
                f"{cr.completions - before[0]} completion(s) and "
                f"{cr.callbacks - before[1]} callback(s) happened inside it",
            )
        return result

    # ================================================================ tx_status
    def _on_status(self, fn: Callable[[Any, int], Any], chan: Any, cookie: int) -> Any:
        cr = self._chan(chan)
        if not self._attached or cr is None:
            return fn(chan, cookie)
        with self._frame("device_tx_status", chan):
            try:
                result = fn(chan, cookie)
            except Exception as exc:
                self._hook_failed("device_tx_status", chan, exc)
                raise
        if inspect.isawaitable(result):
            self._violate(
                "tx-status",
                chan,
                cookie,
                "device_tx_status is a plain function",
                "it is a coroutine",
            )
            return result
        try:
            status, last, _used = result
            status = DmaStatus(status)
        except (TypeError, ValueError):
            self._violate(
                "tx-status",
                chan,
                cookie,
                "(status, last, used)",
                f"device_tx_status returned {result!r}",
            )
            return result
        rec = cr.record_for(cookie) if isinstance(cookie, int) else None
        if rec is not None:
            self._judge_status(cr, rec, status)
        if isinstance(last, int) and not isinstance(last, bool):
            if cr.last_status_last is not None and cookie_before(last, cr.last_status_last):
                self._violate(
                    "tx-status",
                    chan,
                    cookie,
                    "the last completed cookie it reports never goes back",
                    f"it went back from {cr.last_status_last} to {last}",
                )
            cr.last_status_last = last
        return result

    def _judge_status(self, cr: ChanRecord, rec: DescRecord, status: DmaStatus) -> None:
        chan = cr.chan
        if rec.complete or rec.callback_runs:
            self._mark("tx-status")  # an answer that could contradict what happened
        if status == DMA_SUCCESS:
            rec.said_success = True
            self._observe_complete(rec, "tx_status said DMA_SUCCESS", direct=True)
            return
        if status == DMA_IN_PROGRESS:
            why = (
                "its callback already ran"
                if rec.callback_runs
                else "it already answered DMA_SUCCESS"
                if rec.said_success
                else "the channel already completed it"
                if rec.complete_direct
                else None
            )
            if why:
                self._violate(
                    "tx-status",
                    chan,
                    rec.cookie,
                    "DMA_SUCCESS",
                    f"device_tx_status said DMA_IN_PROGRESS although {why}",
                )
            return
        if status == DMA_ERROR and rec.complete:
            self._violate(
                "tx-status",
                chan,
                rec.cookie,
                "DMA_SUCCESS for a completed descriptor",
                "device_tx_status said DMA_ERROR",
            )
        elif status == DMA_ERROR:
            rec.failed = True
            self.notes.append(f"{cr.name} cookie {rec.cookie}: tx_status reported DMA_ERROR")

    # ================================================================ completions
    def _on_completed_cookie(self, chan: DmaChan, old: int, new: int) -> None:
        cr = self._chan(chan)
        if not self._attached or self._fast_forwarding or cr is None or new == old:
            return
        cr.completions += 1
        rec = cr.record_for(new)
        if rec is None or not rec.submitted:
            if cookie_before(new, old):
                self._violate(
                    "completion-order",
                    chan,
                    new,
                    "the completed cookie only moves forward",
                    f"it went back from {old} to {new}",
                )
            return
        if rec.seq < cr.last_completed_seq:
            self._violate(
                "completion-order",
                chan,
                new,
                "descriptors complete in submission order (completed cookie only moves forward)",
                f"the completed cookie went back from {old} to {new}",
            )
        cr.last_completed_seq = max(cr.last_completed_seq, rec.seq)
        if cr.completions >= 2:
            self._mark("completion-order")
        self._observe_complete(rec, "the channel's completed cookie reached it", direct=True)

    def _observe_complete(self, rec: DescRecord, how: str, *, direct: bool) -> None:
        """``rec`` is reported complete; so, by the in-order rule, is every earlier descriptor
        of its channel (their results are checked as well, against completion-order)."""
        cr = self._chan(rec.chan)
        if rec.complete or not rec.submitted or cr is None:
            return
        for earlier in [r for r in cr.inflight if r.seq < rec.seq]:
            self._complete(cr, earlier, f"{how} (cookie {rec.cookie}, a later one)", False)
        self._complete(cr, rec, how, direct)

    def _complete(self, cr: ChanRecord, rec: DescRecord, how: str, direct: bool) -> None:
        rec.complete, rec.complete_time, rec.complete_direct = True, self._now(), direct
        if rec in cr.inflight:
            cr.inflight.remove(rec)
        self._mark("progress")
        if not rec.issued:
            threshold = getattr(self.device, "pending_threshold", None)
            self._violate(
                "submit-queues-only",
                cr.chan,
                rec.cookie,
                "work starts only after issue_pending"
                + (f" or {threshold} pending descriptors" if threshold else ""),
                f"it completed ({how}) although issue_pending never ran on the "
                "channel after its submission",
            )
            if rec in cr.pending:
                cr.pending.remove(rec)
        self._check_data(cr, rec, how, direct)
        dep = rec.tx.next or rec.dependent
        if dep is not None:
            self._dep_waits.append(DepWait(rec, dep, self._now()))
            self._mark("run-dependencies")

    def _check_data(self, cr: ChanRecord, rec: DescRecord, how: str, direct: bool) -> None:
        if rec.checked:
            return
        rec.checked = True
        if rec in self._unchecked:
            self._unchecked.remove(rec)
        if self.mem is None or rec.unverifiable or not checkable(rec.effect):
            return
        self._mark("callback-after-data")
        problem = data_problem(self.mem, rec.effect)
        if problem is None:
            return
        if rec.in_callback and not direct:
            self._violate(
                "callback-reentry",
                cr.chan,
                rec.cookie,
                "work submitted from a completion callback is executed",
                f"it was lost: {how}, but {problem}",
            )
        elif direct:
            self._violate(
                "callback-after-data",
                cr.chan,
                rec.cookie,
                "the result is in memory when the descriptor is reported complete",
                f"{how}, but {problem}",
            )
        else:
            self._violate(
                "completion-order",
                cr.chan,
                rec.cookie,
                "a descriptor completes only after every earlier one of its channel",
                f"{how}, but this earlier one had not: {problem}",
            )

    # ================================================================ callbacks
    def _on_callback(self, probe: CallbackProbe, param: Any) -> Any:
        rec = self._by_tx.get(id(probe.tx))
        if (
            not self._attached
            or rec is None
            or rec.tx is not probe.tx
            or any(f.kind == "callback" and f.record is rec for f in self._stack)
        ):
            return probe.fn(param)  # nested (a probe wrapped by a wrapped probe): count once
        cr = self._chan(rec.chan)
        self._mark("callback-context")
        self._mark("callback-once")
        ctx = get_runtime().current_context()
        inside = [f.name for f in self._stack if f.kind == "hook" and f.name in ATOMIC_HOOKS]
        if ctx is not Context.TASKLET or inside:
            where = [f"in {ctx.value} context"] if ctx is not Context.TASKLET else []
            if ctx is Context.HARDIRQ:
                where[-1] += " (inside the interrupt handler)"
            where += [f"inside {_short(h)}" for h in inside[-1:]]
            self._violate(
                "callback-context",
                rec.chan,
                rec.cookie,
                "the callback runs in tasklet context, from the cleanup path",
                f"it ran {' and '.join(where)}",
            )
        rec.callback_runs += 1
        if rec.callback_runs > 1:
            self._violate(
                "callback-once",
                rec.chan,
                rec.cookie,
                "the callback runs once",
                f"it ran {rec.callback_runs} times",
            )
        if cr is not None and rec.submitted and rec.callback_runs == 1:
            if rec.seq < cr.last_callback_seq:
                self._violate(
                    "completion-order",
                    rec.chan,
                    rec.cookie,
                    "callbacks run in submission order",
                    "its callback ran after the callback of cookie "
                    f"{cr.last_callback_cookie}, submitted later",
                )
            else:
                cr.last_callback_seq, cr.last_callback_cookie = rec.seq, rec.cookie
            cr.callbacks += 1
            if cr.callbacks >= 2:
                self._mark("completion-order")
        self._observe_complete(rec, "its callback ran", direct=True)
        frame = Frame("callback", "callback", rec.chan, rec)
        self._stack.append(frame)
        try:
            return probe.fn(param)
        except Exception:
            if frame.hook_failure is None:
                raise  # the client's own bug, not the driver's
            return None  # recorded as callback-reentry; keep the driver's cleanup going
        finally:
            self._stack.remove(frame)

    # ================================================================ for workloads
    def check_held(self, chan: DmaChan) -> int:
        """Check that nothing submitted and not yet issued on ``chan`` has started (its
        destination unchanged, not completed); returns how many descriptors were checked."""
        cr = self._chan(chan)
        if cr is None:
            raise ValueError(f"{chan!r} is not a channel of the attached device")
        held = [r for r in cr.pending if not r.issued]
        for rec in held:
            moved = (
                self.mem is not None
                and rec.snapshot is not None
                and snapshot(self.mem, rec.effect) != rec.snapshot
            )
            if rec.complete or moved:
                self._violate(
                    "submit-queues-only",
                    chan,
                    rec.cookie,
                    "nothing happens to submitted work before issue_pending",
                    f"while held un-issued for {self._now() - (rec.submit_time or 0)}"
                    f" ns it {'completed' if rec.complete else 'changed memory'}",
                )
        if held:
            self._mark("submit-queues-only")
        return len(held)

    def fast_forward_cookies(self, chan: DmaChan, cookie: int) -> bool:
        """Move an idle channel's cookie counters to ``cookie`` (to exercise the wrap at
        2^31-1), when the provider hands out ``chan.cookie`` as dma_cookie_assign does;
        returns False, changing nothing, otherwise."""
        cr = self._chan(chan)
        if (
            cr is None
            or cr.pending
            or cr.inflight
            or not cr.tracks_chan_cookie
            or chan.cookie != cr.last_cookie
            or chan.completed_cookie != chan.cookie
        ):
            return False
        self._fast_forwarding = True
        try:
            chan.cookie = chan.completed_cookie = cookie
        finally:
            self._fast_forwarding = False
        cr.last_cookie = cookie
        cr.last_status_last = None
        return True

    def record_of(self, tx: DmaAsyncTxDescriptor) -> DescRecord | None:
        rec = self._by_tx.get(id(tx))
        return rec if rec is not None and rec.tx is tx else None

    def idle(self, chan: DmaChan) -> bool:
        """Nothing submitted on ``chan`` waits for issue or completion."""
        cr = self._chan(chan)
        return cr is not None and not cr.pending and not cr.inflight

    def _outstanding(self) -> list[DescRecord]:
        return [
            r
            for r in self._records
            if r.outstanding or r.complete and r.callback_expected and not r.callback_runs
        ]

    def _deps_waiting(self) -> list[DepWait]:
        return [w for w in self._dep_waits if w.dep.cookie <= 0]

    async def settle(self, timeout_ns: int | None = None) -> bool:
        """Wait (at most ``timeout_ns``, default the watchdog) until all issued work is
        complete, callbacks ran and dependents were submitted, polling tx_status as a client
        would; True if everything settled."""
        rt = get_runtime()
        limit = self.watchdog_ns if timeout_ns is None else timeout_ns
        deadline = rt.now_ns() + limit
        step = max(state().poll_ns, limit // 200, 1)
        while True:
            waiting = self._outstanding()
            if not waiting and not self._deps_waiting():
                return True
            if rt.now_ns() >= deadline:
                return False
            for rec in waiting:
                if rec.outstanding and rec.cookie is not None:
                    with contextlib.suppress(Exception):  # the wrapper recorded it
                        dma_async_is_tx_complete(rec.chan, rec.cookie)
                    break
            await rt.sleep_ns(step)

    # ================================================================ the verdict
    def _overdue(self) -> list[Violation]:
        """Expectations whose watchdog expired: dependents never submitted, callbacks never
        run, issued work never completed."""
        if not self._records:
            return []
        now, dog = self._now(), self.watchdog_ns
        found: list[Violation] = []

        def add(
            rule: str, chan: Any, cookie: int | None, expected: str, happened: str, since: int
        ) -> None:
            found.append(
                Violation(
                    rule,
                    getattr(chan, "name", None),
                    cookie,
                    None,
                    since,
                    f"expected {expected}; happened: {happened}",
                    expected,
                    happened,
                )
            )

        for w in self._deps_waiting():
            if now - w.since >= dog:
                p = w.parent
                add(
                    "run-dependencies",
                    p.chan,
                    p.cookie,
                    f"the cleanup of cookie {p.cookie} submits its dependent "
                    "(dma_run_dependencies)",
                    f"the dependent on {w.dep.chan.name} was still not submitted "
                    f"{now - w.since} ns after cookie {p.cookie} completed",
                    w.since,
                )
        for r in self._records:
            if r.complete and r.callback_expected and not r.callback_runs:
                if now - (r.complete_time or now) < dog:
                    continue
                if r.in_callback and not r.complete_direct:
                    add(
                        "callback-reentry",
                        r.chan,
                        r.cookie,
                        "work submitted from a completion callback is executed",
                        "it was lost: later work completed, its callback never ran",
                        r.complete_time or now,
                    )
                else:
                    add(
                        "callback-once",
                        r.chan,
                        r.cookie,
                        "the callback of a completed descriptor runs once",
                        f"it never ran ({now - (r.complete_time or now)} ns after completion)",
                        r.complete_time or now,
                    )
            elif r.outstanding and now - (r.issue_time or now) >= dog:
                waited = now - (r.issue_time or now)
                if r.in_callback:
                    add(
                        "callback-reentry",
                        r.chan,
                        r.cookie,
                        "work submitted from a completion callback completes",
                        f"it never completed ({waited} ns after issue)",
                        r.issue_time or now,
                    )
                else:
                    add(
                        "progress",
                        r.chan,
                        r.cookie,
                        "issued work completes",
                        f"it never completed ({waited} ns after issue)",
                        r.issue_time or now,
                    )
        return found

    def report(self) -> ConformanceReport:
        """The findings so far (callable attached or detached)."""
        extra = self._overdue()
        counts = dict(self._counts)
        kept: dict[str, int] = {}
        violations = list(self._violations)
        for v in extra:
            counts[v.rule] = counts.get(v.rule, 0) + 1
            kept[v.rule] = kept.get(v.rule, 0) + 1
            if kept[v.rule] + min(self._counts.get(v.rule, 0), KEPT_PER_RULE) <= KEPT_PER_RULE:
                violations.append(v)
        violations.sort(key=lambda v: v.time_ns if v.time_ns is not None else 0)
        notes = list(self.notes)
        if self._irqs == 0 and self._records:
            notes.append("no interrupt handler ran (hard-IRQ context never entered)")
        return ConformanceReport(
            self._device_name(), violations, set(self._exercised), counts, notes
        )
