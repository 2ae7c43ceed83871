"""A recorder of completion callbacks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydriver.runtime import Context, get_runtime


@dataclass
class Call:
    name: str
    context: Context
    seen: Any


@dataclass
class Calls:
    """Callback recorder: ``cb, param = calls.cb("name", look=lambda: ...)``; each call records
    its name, the context it ran in and what ``look()`` returned at that moment."""

    log: list[Call] = field(default_factory=list)

    def fn(self, param: tuple[str, Callable[[], Any] | None]) -> None:
        name, look = param
        ctx = get_runtime().current_context()
        self.log.append(Call(name, ctx, look() if look is not None else None))

    def cb(self, name: str, look: Callable[[], Any] | None = None) -> tuple[Any, Any]:
        return self.fn, (name, look)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.log]

    def contexts(self) -> list[Context]:
        return [c.context for c in self.log]
