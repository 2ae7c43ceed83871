"""How a mutant is made from a provider class: a subclass whose overrides call the original,
so the same bug can be put into any driver that has the method it changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...dmaengine import PREP_HOOKS, DmaAsyncTxDescriptor, DmaDevice

__all__ = ["derive", "wrap_submit", "wrap_callback", "per_chan"]

Filter = Callable[[Any, DmaAsyncTxDescriptor], DmaAsyncTxDescriptor]


def derive(base: type[DmaDevice], mixin: type, *, on_prep: Filter | None = None) -> type:
    """``mixin`` over ``base``; with ``on_prep``, every prep hook the base has passes the
    descriptor it returns through ``on_prep(self, tx)``."""
    ns: dict[str, Any] = {"__doc__": mixin.__doc__}
    cls: type

    def filtered(hook: str) -> Callable[..., Any]:
        def prep(self: Any, *args: Any, **kwargs: Any) -> Any:
            tx = getattr(super(cls, self), hook)(*args, **kwargs)
            return tx if tx is None or on_prep is None else on_prep(self, tx)

        prep.__name__ = hook
        return prep

    if on_prep is not None:
        for hook in PREP_HOOKS.values():
            if getattr(base, hook, None) is not None:
                ns[hook] = filtered(hook)
    cls = type(f"{mixin.__name__}{base.__name__}", (mixin, base), ns)
    return cls


def wrap_submit(tx: DmaAsyncTxDescriptor, fn: Callable[[Callable[[Any], int], Any], int]) -> None:
    """Make ``tx.tx_submit()`` call ``fn(original_submit, tx)``."""
    orig = tx.tx_submit_fn
    assert orig is not None
    tx.tx_submit_fn = lambda t: fn(orig, t)


def wrap_callback(
    tx: DmaAsyncTxDescriptor, around: Callable[[Callable[[Any], Any], Any], Any]
) -> None:
    """Make the provider's call of ``tx.callback(param)`` run ``around(callback, param)``."""
    cb = tx.callback
    if cb is not None:
        tx.callback = lambda param: around(cb, param)


def per_chan(obj: Any, name: str) -> dict[int, Any]:
    """A per-channel dict kept on the mutant instance (mixins have no __init__)."""
    return obj.__dict__.setdefault(name, {})
