"""The standard conformance workload: what run_conformance does on a provider's channels.

Scenarios (each gives one or more rules a chance to fail; docs/conformance.md lists them):
raw descriptors of every kind the device has, batches, work held un-issued, dependencies on one
channel and across channels, async_tx chains, callbacks that re-enter the driver, tx_status
polling (including old cookies while newer work is queued), issue_pending on an idle channel,
the cookie wrap at 2^31-1, and delayed and missing acks. A coverage pass runs every scenario
on every channel first; the rest of the iterations are drawn at random from the seed.

Every wait is bounded (runtime time), so a provider that hangs only costs its watchdog.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from .. import async_tx as atx
from ..dmaengine import (
    COOKIE_MAX,
    DMA_CTRL_ACK,
    DMA_IN_PROGRESS,
    DMA_INTERRUPT,
    DMA_MEMCPY,
    DMA_MEMSET,
    DMA_PREP_INTERRUPT,
    DMA_XOR,
    DMA_XOR_VAL,
    DmaAsyncTxDescriptor,
    DmaChan,
    DmaDevice,
    DmaStatus,
    SumCheck,
    async_tx_test_ack,
    current_profile,
    dma_async_is_tx_complete,
    dma_async_issue_pending,
    dma_has_cap,
    state,
)
from ..dmaengine.profile import P29
from ..memory import PAGE_SIZE, Page, SystemMemory
from ..runtime import Event, get_runtime
from .checker import ConformanceChecker

__all__ = ["Workload", "PAGES_NEEDED"]

OPS = (
    ("memcpy", DMA_MEMCPY),
    ("memset", DMA_MEMSET),
    ("xor", DMA_XOR),
    ("xor_val", DMA_XOR_VAL),
    ("interrupt", DMA_INTERRUPT),
)
WRITERS = ("memcpy", "memset", "xor")  # ops that leave a result in memory
PAGES_NEEDED = 10  # the largest scenario's buffers, plus room to rotate
MAX_NOTES = 8
DEAD_AFTER = 3  # timed-out waits after which a channel gets no more work


class _Starved(Exception):
    """No buffer page is free: the provider holds them all in work that never completed."""


def _signal(ev: Event) -> None:
    ev.set()


@dataclass
class _Reentry:
    """What a re-entering callback needs: its own descriptor and the work it submits."""

    chan: DmaChan
    done: Event
    prep_next: Callable[[], DmaAsyncTxDescriptor | None]
    tx: DmaAsyncTxDescriptor | None = None
    error: BaseException | None = None


@dataclass
class _Pool:
    """Buffer pages; a page is reused only when every descriptor that touched it settled."""

    checker: ConformanceChecker
    pages: list[Page]
    users: dict[int, list[DmaAsyncTxDescriptor]] = field(default_factory=dict)

    def _settled(self, tx: DmaAsyncTxDescriptor) -> bool:
        rec = self.checker.record_of(tx)
        if rec is None or rec.complete or rec.failed:
            return True
        return not rec.submitted and tx.parent is None  # never submitted, never will be

    def take(self, n: int, rng: random.Random) -> list[Page]:
        free = [p for p in self.pages if all(map(self._settled, self.users.get(p.addr, [])))]
        if len(free) < n:
            raise _Starved(
                f"{len(self.pages) - len(free)} of {len(self.pages)} buffer pages "
                "are held by work that never completed"
            )
        chosen = rng.sample(free, n)
        for p in chosen:
            self.users[p.addr] = []
        return chosen

    def use(self, pages: list[Page], tx: DmaAsyncTxDescriptor) -> None:
        for p in pages:
            self.users.setdefault(p.addr, []).append(tx)


class Workload:
    """Drives ``chans`` of ``device`` (already referenced) under ``checker``."""

    def __init__(
        self,
        device: DmaDevice,
        mem: SystemMemory,
        checker: ConformanceChecker,
        chans: list[DmaChan],
        pages: list[Page],
        *,
        seed: int,
        hold_ns: int,
        wait_ns: int,
    ) -> None:
        self.device = device
        self.mem = mem
        self.checker = checker
        self.chans = chans
        self.rng = random.Random(seed)
        self.pool = _Pool(checker, pages)
        self.hold_ns = hold_ns
        self.wait_ns = wait_ns
        self.rt = get_runtime()
        self.ops = [op for op, cap in OPS if dma_has_cap(cap, device.cap_mask)]
        self.writers = [op for op in self.ops if op in WRITERS]
        shift = max(device.copy_align, device.xor_align, device.fill_align, 0)
        self.granule = max(64, 1 << shift)
        self.xor_srcs = max(2, min(3, device.max_xor or 2))
        self.timeouts: dict[int, int] = {}
        self.unacked: list[tuple[DmaAsyncTxDescriptor, int]] = []
        self.step = 0
        self.notes: list[str] = []
        self._noted = 0

    # ---------------------------------------------------------------- running
    def _plan(self, iterations: int) -> list[tuple[str, tuple[DmaChan, ...]]]:
        plan: list[tuple[str, tuple[DmaChan, ...]]] = []
        for chan in self.chans:
            plan += [("raw:" + op, (chan,)) for op in self.ops]
            plan += [
                (k, (chan,))
                for k in (
                    "batch",
                    "hold",
                    "dependency",
                    "async-chain",
                    "reentry",
                    "status",
                    "idle-issue",
                    "cookie-wrap",
                )
            ]
        pairs = [(a, b) for a in self.chans for b in self.chans if a is not b]
        plan += [("cross", pair) for pair in pairs[:2]]
        kinds = [
            "raw",
            "raw",
            "raw",
            "batch",
            "batch",
            "hold",
            "dependency",
            "async-chain",
            "async-chain",
            "reentry",
            "status",
            "idle-issue",
        ] + ["cross"] * bool(pairs)
        while len(plan) < iterations:
            kind = self.rng.choice(kinds)
            if kind == "cross":
                plan.append((kind, self.rng.choice(pairs)))
            elif kind == "raw":
                plan.append(("raw:" + self.rng.choice(self.ops), (self.rng.choice(self.chans),)))
            else:
                plan.append((kind, (self.rng.choice(self.chans),)))
        return plan

    async def run(self, iterations: int) -> None:
        scenarios: dict[str, Callable[..., Awaitable[None]]] = {
            "batch": self.batch,
            "hold": self.hold,
            "dependency": self.dependency,
            "async-chain": self.async_chain,
            "reentry": self.reentry,
            "status": self.status,
            "idle-issue": self.idle_issue,
            "cookie-wrap": self.cookie_wrap,
            "cross": self.cross,
        }
        for kind, chans in self._plan(iterations):
            if any(self.timeouts.get(id(c), 0) >= DEAD_AFTER for c in chans):
                continue
            self.step += 1
            try:
                if kind.startswith("raw:"):
                    await self.raw(chans[0], kind[4:])
                else:
                    await scenarios[kind](*chans)
            except _Starved as exc:
                self.note(f"workload stopped after {self.step} scenarios: {exc}")
                break
            except Exception as exc:  # the checker recorded what the driver did wrong
                self.note(
                    f"scenario {kind} on {', '.join(str(c.name) for c in chans)}: "
                    f"{type(exc).__name__}: {exc}"
                )
            self._ack_due(self.step)
        self._ack_due(None)

    def note(self, text: str) -> None:
        self._noted += 1
        if self._noted <= MAX_NOTES:
            self.notes.append(text)
        elif self._noted == MAX_NOTES + 1:
            self.notes.append("(further workload notes suppressed)")

    # ---------------------------------------------------------------- helpers
    def _region(self) -> tuple[int, int]:
        g = self.granule
        n = g * self.rng.randint(1, max(1, 1024 // g))
        return g * self.rng.randint(0, (PAGE_SIZE - n) // g), n

    def _fill(self, page: Page, off: int, n: int) -> None:
        page.write(off, self.rng.randbytes(n))

    def prep(self, chan: DmaChan, op: str, flags: int = 0) -> DmaAsyncTxDescriptor | None:
        """Fill fresh buffers and prep one ``op`` descriptor on ``chan`` (None from prep)."""
        dev = self.device
        off, n = self._region()
        pages: list[Page] = []
        if op == "memcpy":
            src, dst = pages = self.pool.take(2, self.rng)
            self._fill(src, off, n)
            self._fill(dst, off, n)
            tx = dev.device_prep_dma_memcpy(chan, dst.addr + off, src.addr + off, n, flags)
        elif op == "memset":
            pages = self.pool.take(1, self.rng)
            self._fill(pages[0], off, n)
            tx = dev.device_prep_dma_memset(
                chan, pages[0].addr + off, self.rng.randrange(256), n, flags
            )
        elif op == "xor":
            pages = self.pool.take(self.xor_srcs + 1, self.rng)
            for p in pages:
                self._fill(p, off, n)
            srcs = [p.addr + off for p in pages[1:]]
            tx = dev.device_prep_dma_xor(chan, pages[0].addr + off, srcs, len(srcs), n, flags)
        elif op == "xor_val":
            pages = self.pool.take(self.xor_srcs, self.rng)
            for p in pages:
                self._fill(p, off, n)
            if self.rng.random() < 0.5:  # make the sources XOR to zero half of the time
                acc = 0
                for p in pages[1:]:
                    acc ^= int.from_bytes(p.read(off, n), "little")
                pages[0].write(off, acc.to_bytes(n, "little"))
            result = SumCheck(self.rng.randrange(2))
            srcs = [p.addr + off for p in pages]
            tx = dev.device_prep_dma_xor_val(chan, srcs, len(srcs), n, result, flags)
        else:
            tx = dev.device_prep_dma_interrupt(chan, flags)
        if tx is not None:
            self.pool.use(pages, tx)
        return tx

    def prep_any(
        self, chan: DmaChan, ops: list[str], flags: int = 0
    ) -> DmaAsyncTxDescriptor | None:
        """Prep the first of ``ops`` (in random order) the driver gives a descriptor for."""
        for op in self.rng.sample(ops, len(ops)):
            tx = self.prep(chan, op, flags)
            if tx is not None:
                return tx
        return None

    def _with_callback(self, tx: DmaAsyncTxDescriptor) -> Event:
        ev = self.rt.create_event()
        tx.callback, tx.callback_param = _signal, ev
        return ev

    def _limit(self, chan: DmaChan) -> int:
        return self.hold_ns if self.timeouts.get(id(chan), 0) else self.wait_ns

    def _timed_out(self, chan: DmaChan, what: str) -> None:
        self.timeouts[id(chan)] = self.timeouts.get(id(chan), 0) + 1
        self.note(f"{chan.name}: {what} timed out")

    async def wait(self, chan: DmaChan, ev: Event, what: str = "callback") -> bool:
        if await ev.wait(self._limit(chan)):
            return True
        self._timed_out(chan, what)
        return False

    async def poll(self, chan: DmaChan, cookie: int) -> DmaStatus | None:
        """Poll tx_status until ``cookie`` is no longer in progress (bounded)."""
        deadline = self.rt.now_ns() + self._limit(chan)
        step = max(state().poll_ns, 1)
        while True:
            status, _, _ = dma_async_is_tx_complete(chan, cookie)
            if status != DMA_IN_PROGRESS:
                return status
            if self.rt.now_ns() >= deadline:
                self._timed_out(chan, f"polling cookie {cookie}")
                return None
            await self.rt.sleep_ns(step)

    async def until_idle(self, chan: DmaChan) -> bool:
        deadline = self.rt.now_ns() + self._limit(chan)
        while not self.checker.idle(chan):
            if self.rt.now_ns() >= deadline:
                return False
            await self.rt.sleep_ns(max(state().poll_ns, 1))
        return True

    def defer_ack(self, *txs: DmaAsyncTxDescriptor | None) -> None:
        """Ack later (a few scenarios on), or only at the end (a missing ack)."""
        for tx in txs:
            if tx is not None and not async_tx_test_ack(tx):
                due = -1 if self.rng.random() < 0.15 else self.step + self.rng.randint(1, 4)
                self.unacked.append((tx, due))

    def _ack_due(self, step: int | None) -> None:
        keep = []
        for tx, due in self.unacked:
            if step is None or 0 <= due <= step:
                try:
                    atx.async_tx_ack(tx)
                except Exception as exc:  # recycled behind our back: reuse-before-ack saw it
                    self.note(f"ack of {tx!r}: {exc}")
            else:
                keep.append((tx, due))
        self.unacked = keep

    def _flags(self) -> int:
        """Random async_tx flags valid under the running profile (never ACK: chains go on)."""
        if current_profile() == P29 and self.rng.random() < 0.5:
            return atx.ASYNC_TX_DEP_ACK
        return 0

    # ---------------------------------------------------------------- scenarios
    async def raw(self, chan: DmaChan, op: str) -> None:
        """One descriptor: callback or polling, acked at prep or later."""
        callback = op == "interrupt" or self.rng.random() < 0.7
        ack_now = self.rng.random() < 0.5
        flags = (DMA_PREP_INTERRUPT if callback else 0) | (DMA_CTRL_ACK if ack_now else 0)
        tx = self.prep(chan, op, flags)
        if tx is None:
            return
        ev = self._with_callback(tx) if callback else None
        cookie = tx.tx_submit()
        dma_async_issue_pending(chan)
        if ev is not None:
            await self.wait(chan, ev)
        else:
            await self.poll(chan, cookie)
        self.defer_ack(tx)

    async def batch(self, chan: DmaChan, count: int | None = None) -> None:
        """Several descriptors, one issue; callbacks must come in order; then poll them all.
        Half of the time only the last one asks for an interrupt (completions coalesce)."""
        txs = []
        count = count or self.rng.randint(2, 5)
        last_only = self.rng.random() < 0.5
        for i in range(count):
            flags = DMA_PREP_INTERRUPT if i == count - 1 or not last_only else 0
            tx = self.prep_any(chan, self.ops, flags)
            if tx is not None:
                txs.append((tx, self._with_callback(tx)))
        cookies = [tx.tx_submit() for tx, _ in txs]
        dma_async_issue_pending(chan)
        if txs and await self.wait(chan, txs[-1][1]):
            for cookie in cookies:
                dma_async_is_tx_complete(chan, cookie)
        self.defer_ack(*(tx for tx, _ in txs))

    async def hold(self, chan: DmaChan) -> None:
        """Submit without issuing, wait, and check that nothing started."""
        threshold = getattr(self.device, "pending_threshold", None)
        count = 2 if not threshold else min(2, threshold - 1)
        if count < 1 or not self.writers:
            self.note(f"{chan.name}: cannot hold work un-issued (pending_threshold {threshold})")
            return
        txs = [self.prep_any(chan, self.writers, DMA_PREP_INTERRUPT) for _ in range(count)]
        txs = [tx for tx in txs if tx is not None]
        if not txs:
            return
        ev = self._with_callback(txs[-1])
        for tx in txs:
            tx.tx_submit()
        await self.rt.sleep_ns(self.hold_ns)
        self.checker.check_held(chan)
        dma_async_issue_pending(chan)
        await self.wait(chan, ev)
        self.defer_ack(*txs)

    async def dependency(self, chan: DmaChan) -> None:
        """A dependent chained behind a descriptor on the same channel (as async_tx chains),
        which only the cleanup's dma_run_dependencies submits."""
        first = self.prep_any(chan, self.writers or self.ops)
        second = self.prep_any(chan, self.ops, DMA_PREP_INTERRUPT)
        if first is None or second is None:
            return
        ev = self._with_callback(second)
        second.parent, first.next = first, second
        first.tx_submit()
        dma_async_issue_pending(chan)
        await self.wait(chan, ev, "dependent's callback")
        self.defer_ack(first, second)

    async def cross(self, a: DmaChan, b: DmaChan) -> None:
        """async_tx across channels: b's work waits for a's (interrupt descriptor or wait),
        and a second descriptor is appended behind it on b."""
        root = self.prep_any(a, self.writers or self.ops)
        first = self.prep_any(b, self.ops, DMA_PREP_INTERRUPT)
        second = self.prep_any(b, self.ops, DMA_PREP_INTERRUPT)
        if root is None or first is None:
            return
        root.tx_submit()
        last = second or first
        ev = self.rt.create_event()
        cb, param = (None, None) if second is not None else (_signal, ev)
        await atx.async_tx_submit(b, first, atx.init_async_submit(self._flags(), root, cb, param))
        if second is not None:
            await atx.async_tx_submit(
                b,
                second,
                atx.init_async_submit(atx.ASYNC_TX_ACK | self._flags(), first, _signal, ev),
            )
        dma_async_issue_pending(a)
        dma_async_issue_pending(b)
        await self.wait(b, ev, "cross-channel dependent's callback")
        self.defer_ack(root, first, last)

    async def async_chain(self, chan: DmaChan) -> None:
        """memcpy -> xor -> memset -> xor_val -> interrupt through the async_tx API, rooted on
        a raw descriptor of ``chan`` so that every step stays on it."""
        root = self.prep_any(chan, ["interrupt"] if "interrupt" in self.ops else self.ops)
        if root is None:
            return
        root.tx_submit()
        off, n = self._region()
        src, copy, other, parity, fill = self.pool.take(5, self.rng)
        for p in (src, copy, other, parity, fill):
            self._fill(p, off, n)
        k = self.xor_srcs
        steps: list[tuple[int, Callable[[atx.AsyncSubmitCtl], Awaitable[Any]]]] = []
        if "memcpy" in self.ops:
            steps.append((0, lambda s: atx.async_memcpy(copy, src, off, off, n, s)))
        if "xor" in self.ops:
            steps.append(
                (
                    atx.ASYNC_TX_XOR_ZERO_DST,
                    lambda s: atx.async_xor(parity, [copy, other], off, 2, n, s),
                )
            )
        if "memset" in self.ops:
            value = self.rng.randrange(256)
            steps.append((0, lambda s: atx.async_memset(fill, value, off, n, s)))
        if "xor_val" in self.ops:
            result = SumCheck(self.rng.randrange(2))
            srcs = [parity, copy, other][:k]
            steps.append((0, lambda s: atx.async_xor_val(parity, srcs, off, k, n, result, s)))
        if "interrupt" in self.ops:
            steps.append((0, atx.async_trigger_callback))
        ev = self.rt.create_event()
        depend: DmaAsyncTxDescriptor | None = root
        txs: list[DmaAsyncTxDescriptor | None] = [root]
        for i, (extra, step) in enumerate(steps):
            last = i == len(steps) - 1
            flags = self._flags() | extra | (atx.ASYNC_TX_ACK if last else 0)
            depend = await step(
                atx.init_async_submit(
                    flags, depend, _signal if last else None, ev if last else None
                )
            )
            txs.append(depend)
            if depend is None:
                break  # the CPU did it (a last step has run its callback already)
            self.pool.use([src, copy, other, parity, fill], depend)
        dma_async_issue_pending(chan)
        if len(txs) == len(steps) + 1:  # the last step was reached: its callback will come
            await self.wait(chan, ev, "async_tx chain's callback")
        self.defer_ack(*txs)

    async def reentry(self, chan: DmaChan) -> None:
        """A callback polls its own tx_status and submits more work on its own channel."""
        nxt: list[DmaAsyncTxDescriptor | None] = []
        op = self.rng.choice(self.ops)

        def prep_next() -> DmaAsyncTxDescriptor | None:
            nxt.append(self.prep(chan, op, DMA_PREP_INTERRUPT))  # buffers filled in the tasklet
            return nxt[-1]

        state_ = _Reentry(chan, self.rt.create_event(), prep_next)
        tx = self.prep_any(chan, self.ops, DMA_PREP_INTERRUPT)
        if tx is None:
            return
        state_.tx = tx
        tx.callback, tx.callback_param = _reenter, state_
        tx.tx_submit()
        dma_async_issue_pending(chan)
        await self.wait(chan, state_.done, "re-entrant callback's work")
        self.defer_ack(tx, *nxt)

    async def status(self, chan: DmaChan) -> None:
        """tx_status of a completed cookie while a newer one is queued, then of both."""
        first = self.prep_any(chan, self.ops, DMA_PREP_INTERRUPT)
        if first is None:
            return
        ev = self._with_callback(first)
        old = first.tx_submit()
        dma_async_issue_pending(chan)
        if not await self.wait(chan, ev):
            return
        second = self.prep_any(chan, self.ops)
        dma_async_is_tx_complete(chan, old)
        if second is not None:
            new = second.tx_submit()
            dma_async_is_tx_complete(chan, old)  # asked while the newer one is not issued
            dma_async_issue_pending(chan)
            await self.poll(chan, new)
        dma_async_is_tx_complete(chan, old)
        self.defer_ack(first, second)

    async def idle_issue(self, chan: DmaChan) -> None:
        """issue_pending with nothing pending must do nothing (the checker judges it)."""
        if await self.until_idle(chan):
            dma_async_issue_pending(chan)

    async def cookie_wrap(self, chan: DmaChan) -> None:
        """Take the channel's cookies past 2^31-1 (once, if the driver uses chan.cookie)."""
        if not await self.until_idle(chan):
            return
        if self.checker.fast_forward_cookies(chan, COOKIE_MAX - 2):
            await self.batch(chan, 5)
        else:
            self.note(
                f"{chan.name}: cookie wrap not exercised (the driver does not hand out "
                "chan.cookie or the channel is busy)"
            )


def _reenter(state_: _Reentry) -> None:
    """The re-entering callback (tasklet context): poll our own status, submit more work."""
    try:
        assert state_.tx is not None
        dma_async_is_tx_complete(state_.chan, state_.tx.cookie)
        tx = state_.prep_next()
        if tx is None:
            state_.done.set()
            return
        tx.callback, tx.callback_param = _signal, state_.done
        tx.tx_submit()
        dma_async_issue_pending(state_.chan)
    except Exception as exc:  # the checker recorded it as callback-reentry
        state_.error = exc
        state_.done.set()
