"""Cycle-stamped monitors of dma_top's ports, for exact timing checks.

Cycle c is DmaTb.now() in the read-only phase after the rising edge that starts c: a signal
sampled there holds its value of cycle c.

- `Handshakes(clk, valid, ready, id=..., addr=...)` records every transfer on one VALID/READY
  channel: the cycle it happened in (VALID and READY high during c; the receiver's registers
  take it at the edge that starts c + 1), the first cycle its VALID was high, and the payload
  fields named. It waits for VALID's rising edge and samples once per cycle only while VALID
  stays high, so an idle channel costs no Python per cycle.
- `Levels(signal)` records every change of a signal (e.g. `irq`) with the first cycle of the new
  value, waiting for value changes only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cocotb
from cocotb.triggers import Event, ReadOnly, RisingEdge, ValueChange

from tb.bounded import StateFn, cycle_now, within


def value_of(handle) -> int:
    """A signal's value as an int, -1 while it is X or Z."""
    try:
        return int(handle.value)
    except ValueError:  # X or Z
        return -1


@dataclass(frozen=True)
class Handshake:
    cycle: int  # the cycle VALID and READY were both high
    valid_from: int  # the first cycle of this transfer's VALID
    fields: dict[str, int]

    def __getitem__(self, name: str) -> int:
        return self.fields[name]


class Handshakes:
    """The log of one channel's handshakes (`log`, in order), recorded from construction on."""

    def __init__(self, clk, valid, ready, name: str = "", **fields) -> None:
        self.clk, self.valid, self.ready, self.fields = clk, valid, ready, fields
        self.name = name or valid._name
        self.log: list[Handshake] = []
        self._event = Event()
        self._task = cocotb.start_soon(self._run())

    def stop(self) -> None:
        self._task.cancel()

    async def _run(self) -> None:
        edge = RisingEdge(self.clk)
        since: int | None = None
        while True:
            await ReadOnly()
            if self.valid.value == 1:
                now = cycle_now()
                since = now if since is None else since
                if self.ready.value == 1:
                    self.log.append(Handshake(now, since, {k: value_of(h) for k, h in
                                                            self.fields.items()}))
                    self._event.set()
                    since = None
                await edge
            else:
                since = None
                await RisingEdge(self.valid)

    def matching(self, pred: Callable[[Handshake], bool] = lambda h: True,
                 after: int = -1) -> list[Handshake]:
        """Logged handshakes in cycles after `after` that satisfy `pred`."""
        return [h for h in self.log if h.cycle > after and pred(h)]

    async def next(self, cycles: int, what: str, pred: Callable[[Handshake], bool] = lambda h: True,
                   after: int = -1, state: StateFn | None = None) -> Handshake:
        """The first handshake after cycle `after` satisfying `pred`, waiting for it at most
        `cycles` cycles."""
        async def first() -> Handshake:
            while True:
                found = self.matching(pred, after)
                if found:
                    return found[0]
                self._event.clear()
                await self._event.wait()

        return await within(first(), cycles, f"{what} on {self.name}", state)


def axi_channel(dut, prefix: str, *names: str) -> Handshakes:
    """The monitor of AXI channel `prefix` (e.g. "m_axi_ar", "m_axi_b", "s_axil_aw") with the
    payload signals `prefix + name` (e.g. "id", "addr", "len")."""
    return Handshakes(dut.clk, getattr(dut, f"{prefix}valid"), getattr(dut, f"{prefix}ready"),
                      prefix, **{n: getattr(dut, f"{prefix}{n}") for n in names})


class Levels:
    """Every change of `signal` from construction on: `log` of (first cycle, new value)."""

    def __init__(self, signal) -> None:
        self.signal = signal
        self.log: list[tuple[int, int]] = [(cycle_now(), value_of(signal))]
        self._task = cocotb.start_soon(self._run())

    def stop(self) -> None:
        self._task.cancel()

    async def _run(self) -> None:
        while True:
            await ValueChange(self.signal)
            await ReadOnly()
            value = value_of(self.signal)
            if not self.log or self.log[-1][1] != value:  # glitches inside a time step merge
                self.log.append((cycle_now(), value))

    def rises(self, bit: int, after: int = -1) -> list[int]:
        """Cycles from which bit `bit` is 1 after being 0, later than cycle `after`."""
        out, prev = [], 0
        for cycle, value in self.log:
            now = (value >> bit) & 1
            if now and not prev and cycle > after:
                out.append(cycle)
            prev = now
        return out
