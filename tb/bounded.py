"""Bounded waits: every wait of the benches ends within a number of simulated clock cycles.

A design that deadlocks must fail the regression, not hang it. So nothing in tb/ or tests/ awaits
an event, a queue, a bus transaction or a register condition without a bound in cycles, and a wait
that runs out fails with a `WaitTimeout` naming what it waited for and the state of whatever it
waited on (for a channel: its registers, read over the register bus, itself bounded).

Waits that are the lifetime of a component (a monitor's or scoreboard's service loop that ends
with the test) are not waits for a condition and need no bound.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from cocotb.simtime import get_sim_time
from cocotb.triggers import ClockCycles, SimTimeoutError, with_timeout

T = TypeVar("T")

CLK_NS = 10  # the benches' clock period (one cycle of dma_top)

StateFn = Callable[[], Awaitable[str]]


def cycle_now() -> int:
    """The current clock cycle of the benches (simulated time in clock periods)."""
    return int(get_sim_time("ns")) // CLK_NS


class WaitTimeout(AssertionError):
    """A bounded wait ran out: the message says what was awaited and the state it was left in."""


async def describe(state: StateFn | None) -> str:
    """The state text for a timeout message; a state that cannot be read says why."""
    if state is None:
        return ""
    try:
        return f": {await state()}"
    except WaitTimeout as exc:  # e.g. the register bus itself is stuck
        return f" (state unreadable: {exc})"


async def within(awaitable: Awaitable[T], cycles: int, what: str,
                 state: StateFn | None = None) -> T:
    """`await awaitable`, failing after `cycles` clock cycles with a WaitTimeout that names `what`
    and, when given, the `state` (an async callable returning text)."""
    try:
        return await with_timeout(awaitable, cycles * CLK_NS, "ns")
    except SimTimeoutError:
        raise WaitTimeout(f"no {what} within {cycles} cycles{await describe(state)}") from None


async def until(cond: Callable[[], bool], clk, cycles: int, what: str,
                state: StateFn | None = None, poll: int = 1) -> int:
    """Check `cond()` every `poll` cycles of `clk` until it holds; returns the cycles waited.
    Fails after `cycles` cycles as `within` does."""
    waited = 0
    while not cond():
        if waited >= cycles:
            raise WaitTimeout(f"no {what} within {cycles} cycles{await describe(state)}")
        await ClockCycles(clk, poll)
        waited += poll
    return waited
