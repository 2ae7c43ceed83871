"""The driver stack inside a simulation (tests/system): a fresh core on cocotb's scheduler."""

from __future__ import annotations

from pydriver import dmaengine as de
from pydriver.runtime import set_runtime
from tb.cocotb_runtime import CocotbRuntime

DESC_NS = 700
"""Simulated execution time of every SoftDmaDevice descriptor in the system tests."""

SYNC_WAIT_NS = 200_000
"""The kernel's 5 s wait limits, shortened to 200 us of simulated time."""


def fresh_core(profile: str = de.P29) -> CocotbRuntime:
    """Install a CocotbRuntime and reset the core to ``profile`` with short simulated-time
    limits; returns the runtime (its clock is simulated time)."""
    rt = CocotbRuntime()
    set_runtime(rt)
    de.reset(profile, sync_wait_timeout_ns=SYNC_WAIT_NS, poll_interval_ns=100)
    return rt
