"""How the conformance checker sees a provider without knowing it: patches on the device,
its channels, its descriptors, the memory and the runtime, each undone on detach.

- the device's plain hooks (prep hooks, issue_pending, tx_status) are replaced on the instance
  by wrappers (the checker keeps a stack of the hooks being run);
- every descriptor a prep hook hands out is switched to a subclass of its own class whose
  ``__setattr__`` reports field writes, whose ``tx_submit`` reports cookies, and whose callbacks
  are wrapped in probes;
- each channel is switched to a subclass whose ``completed_cookie`` is a property, so a
  provider's ``dma_cookie_complete`` reports completions as they happen;
- ``SystemMemory.write`` and ``Runtime.in_context`` are wrapped to see CPU writes to DMA memory
  and interrupt handlers running.

:class:`Instrumentation` does the patching and calls the ``_on_*`` methods the checker defines.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import Any

from ..dmaengine import PREP_HOOKS, DmaAsyncTxDescriptor, DmaChan, DmaDevice
from ..memory import SystemMemory
from ..runtime import Context, get_runtime

__all__ = ["Instrumentation", "CallbackProbe", "close_awaitable"]


class CallbackProbe:
    """Stands in for a descriptor's callback; tells the checker when the provider runs it."""

    __slots__ = ("checker", "tx", "fn")

    def __init__(self, checker: Instrumentation, tx: DmaAsyncTxDescriptor, fn: Any) -> None:
        self.checker = checker
        self.tx = tx
        self.fn = fn

    def __call__(self, param: Any) -> Any:
        return self.checker._on_callback(self, param)

    def __repr__(self) -> str:
        return f"<checked callback {self.fn!r}>"


def close_awaitable(awaitable: Any) -> None:
    close = getattr(awaitable, "close", None)
    if close is not None:
        close()


class Instrumentation(ABC):
    """The patches; a subclass supplies the ``_on_*`` observers."""

    def __init__(self) -> None:
        self._attached = False
        self._undo: list[Callable[[], None]] = []
        self._watched: dict[type, type] = {}  # original class -> instrumented subclass
        self.notes: list[str] = []

    # the observers, implemented by ConformanceChecker
    @abstractmethod
    def _on_prep(self, hook: str, fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
        """Run prep hook ``fn``; return what the caller gets."""

    @abstractmethod
    def _on_issue(self, fn: Callable[[Any], Any], chan: Any) -> Any:
        """Run issue_pending ``fn`` on ``chan``."""

    @abstractmethod
    def _on_status(self, fn: Callable[[Any, int], Any], chan: Any, cookie: int) -> Any:
        """Run tx_status ``fn``; return its answer."""

    @abstractmethod
    def _on_submit(self, tx: DmaAsyncTxDescriptor, submit: Callable[[Any], int]) -> int:
        """Run the descriptor's own ``submit(tx)``; return the cookie."""

    @abstractmethod
    def _on_desc_write(self, tx: DmaAsyncTxDescriptor, name: str, value: Any) -> Any:
        """A descriptor field is written; return the value to store."""

    @abstractmethod
    def _on_completed_cookie(self, chan: DmaChan, old: int, new: int) -> None:
        """A channel's completed cookie changed."""

    @abstractmethod
    def _on_callback(self, probe: CallbackProbe, param: Any) -> Any:
        """The provider runs a descriptor's callback."""

    @abstractmethod
    def _on_mem_write(self, addr: int, length: int) -> None:
        """The CPU writes DMA memory."""

    @abstractmethod
    def _on_irq(self) -> None:
        """An interrupt handler starts (hard-IRQ context entered)."""

    def _instrument(self, device: DmaDevice, mem: SystemMemory | None) -> None:
        for hook in PREP_HOOKS.values():
            fn = getattr(device, hook, None)
            if fn is not None:
                self._patch(device, hook, self._prep_wrapper(hook, fn))
        if device.device_issue_pending is not None:
            self._patch(
                device, "device_issue_pending", self._issue_wrapper(device.device_issue_pending)
            )
        if device.device_tx_status is not None:
            self._patch(device, "device_tx_status", self._status_wrapper(device.device_tx_status))
        for chan in device.channels:
            self._watch_chan(chan)
        if mem is not None:
            self._patch(mem, "write", self._mem_wrapper(mem.write))
        rt = get_runtime()
        self._patch(rt, "in_context", self._context_wrapper(rt.in_context))

    def _uninstrument(self, descriptors: list[DmaAsyncTxDescriptor]) -> None:
        for tx in descriptors:
            base = self._base_of(type(tx))
            if base is not None:
                tx.__class__ = base
        while self._undo:
            self._undo.pop()()

    def _patch(self, obj: Any, name: str, wrapper: Any) -> None:
        own = vars(obj)
        had, old = name in own, own.get(name)
        setattr(obj, name, wrapper)

        def undo() -> None:
            if vars(obj).get(name) is not wrapper:
                return  # someone patched over us; leave theirs
            if had:
                setattr(obj, name, old)
            else:
                delattr(obj, name)

        self._undo.append(undo)

    def _base_of(self, cls: type) -> type | None:
        return next((b for b, w in self._watched.items() if w is cls), None)

    def _watched_type(self, base: type, members: Callable[[], dict[str, Any]]) -> type:
        """The instrumented subclass of ``base`` (made once): same name and layout, so
        instances can be switched to it and back."""
        if base not in self._watched:
            ns = {"__slots__": (), "__module__": base.__module__,
                  "__qualname__": base.__qualname__, **members()}  # fmt: skip
            self._watched[base] = type(base.__name__, (base,), ns)
        return self._watched[base]

    def _watch_chan(self, chan: DmaChan) -> None:
        """Make ``completed_cookie`` report its updates (providers built on dma_cookie_complete)."""
        base = type(chan)
        if isinstance(getattr(base, "completed_cookie", None), property) or not hasattr(
            chan, "__dict__"
        ):
            return
        ck = self

        def members() -> dict[str, Any]:
            def get(c: DmaChan) -> int:
                return c.__dict__.get("completed_cookie", 0)

            def put(c: DmaChan, value: int) -> None:
                old = c.__dict__.get("completed_cookie", 0)
                c.__dict__["completed_cookie"] = value
                ck._on_completed_cookie(c, old, value)

            return {"completed_cookie": property(get, put)}

        self._watched_type(base, members)
        try:
            chan.__class__ = self._watched[base]
        except TypeError:
            self.notes.append(f"{chan.name}: cannot watch completed_cookie of {base.__name__}")
            return

        def undo() -> None:
            if type(chan) is self._watched[base]:
                chan.__class__ = base

        self._undo.append(undo)

    def _watch_desc(self, tx: DmaAsyncTxDescriptor) -> bool:
        base = type(tx)
        if base in self._watched.values():
            return True
        ck = self

        def members() -> dict[str, Any]:
            def __setattr__(d: DmaAsyncTxDescriptor, name: str, value: Any) -> None:
                base.__setattr__(d, name, ck._on_desc_write(d, name, value))

            def tx_submit(d: DmaAsyncTxDescriptor) -> int:
                return ck._on_submit(d, base.tx_submit)

            return {"__setattr__": __setattr__, "tx_submit": tx_submit}

        self._watched_type(base, members)
        try:
            tx.__class__ = self._watched[base]
        except TypeError:
            self.notes.append(f"cannot watch descriptors of class {base.__name__}")
            return False
        if tx.callback is not None and not isinstance(tx.callback, CallbackProbe):
            tx.callback = tx.callback  # through __setattr__: wrap it
        return True

    def _prep_wrapper(self, hook: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def prep(*args: Any, **kwargs: Any) -> Any:
            return self._on_prep(hook, fn, args, kwargs)

        prep.__wrapped__ = fn  # type: ignore[attr-defined]
        return prep

    def _issue_wrapper(self, fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def issue_pending(chan: Any) -> Any:
            return self._on_issue(fn, chan)

        issue_pending.__wrapped__ = fn  # type: ignore[attr-defined]
        return issue_pending

    def _status_wrapper(self, fn: Callable[[Any, int], Any]) -> Callable[[Any, int], Any]:
        def tx_status(chan: Any, cookie: int) -> Any:
            return self._on_status(fn, chan, cookie)

        tx_status.__wrapped__ = fn  # type: ignore[attr-defined]
        return tx_status

    def _mem_wrapper(self, write: Callable[..., None]) -> Callable[..., None]:
        def checked_write(addr: int, data: Any) -> None:
            if self._attached:
                self._on_mem_write(addr, len(data))
            write(addr, data)

        return checked_write

    def _context_wrapper(self, in_context: Callable[[Context], Any]) -> Callable[[Context], Any]:
        @contextlib.contextmanager
        def watched(ctx: Context) -> Iterator[None]:
            if ctx is Context.HARDIRQ and self._attached:
                self._on_irq()
            with in_context(ctx):
                yield

        return watched
