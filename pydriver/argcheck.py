"""Argument checks for the stack's public entry points: a wrong type or an out-of-range
value gets a TypeError/ValueError that names the call and the argument (docs/conformance.md
and docs/dmatest.md list the limits)."""

from __future__ import annotations

__all__ = ["check_int"]


def check_int(op: str, name: str, value: object, minimum: int | None = None) -> int:
    """``value`` if it is an int (not a bool) and at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{op}: {name} must be an int, got {type(value).__name__}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value}")
    return value
