"""Test hooks of the rehearsal: a deliberately wrong expectation or an unexpected bus fault, to
show (and test) that the right step fails with a useful message while later steps still run.

Given to the simulator as DMASIM_BRINGUP_INJECT="expect-id=0x12345678;bus-fault=<step name>"
(`dmasim bringup --inject ...`, an option left out of --help). `expect-id` makes the identity
step expect another ID; `bus-fault` makes every memory access answer SLVERR while that step runs
(the memory is healthy again for the next step).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pydriver.drivers.dmasim.hw import Resp

ENV = "DMASIM_BRINGUP_INJECT"


@dataclass(frozen=True)
class Injection:
    expect_id: int | None = None
    bus_fault_steps: tuple[str, ...] = ()


def parse(text: str | None, step_names: Sequence[str]) -> Injection:
    """Parse the hook spec; ValueError names the item that is wrong."""
    expect_id: int | None = None
    faults: list[str] = []
    for item in (text or "").split(";"):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not sep:
            raise ValueError(f"bad injection {item!r}: expected KEY=VALUE")
        if key == "expect-id":
            try:
                expect_id = int(value, 0)
            except ValueError:
                raise ValueError(f"expect-id needs an integer, got {value!r}") from None
        elif key == "bus-fault":
            if value not in step_names:
                raise ValueError(f"bus-fault: no step named {value!r}")
            faults.append(value)
        else:
            raise ValueError(f"unknown injection {key!r}: use expect-id or bus-fault")
    return Injection(expect_id, tuple(faults))


def fail_every_access(ram) -> Callable[[], None]:
    """Make a FaultyAxiRam answer SLVERR to every read and write; returns the undo."""
    hooks = ram.hooks
    saved = hooks.fault

    def refuse(addr: int, length: int, write: bool) -> Resp:
        return Resp.SLVERR

    hooks.fault = refuse
    return lambda: setattr(hooks, "fault", saved)
