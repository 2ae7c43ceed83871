"""The conformance checker and dmatest inside a simulation: SoftDmaDevice under the cocotb
runtime, where every watchdog, hold and rate is simulated time (docs/conformance.md,
docs/dmatest.md)."""

from __future__ import annotations

import cocotb

from pydriver import dmaengine as de
from pydriver.conformance import RULES, run_conformance
from pydriver.conformance.mutants import make_soft_mutant
from pydriver.dmatest import dmatest
from pydriver.memory import SystemMemory
from pydriver.soft import SoftDmaDevice
from tb.cocotb_runtime import CocotbRuntime
from tests.support.simulated import DESC_NS, SYNC_WAIT_NS, fresh_core


def fresh(profile: str = de.P29) -> tuple[CocotbRuntime, SystemMemory]:
    return fresh_core(profile), SystemMemory(64 * 4096)


async def keeps_every_rule(dut, profile: str) -> None:
    _, mem = fresh(profile)
    dev = SoftDmaDevice(mem, 2, delay_ns=DESC_NS, name="soft")
    report = await run_conformance(dev, mem, iterations=60)
    dut._log.info("\n%s", report.to_text())
    assert report.all_pass and report.exercised == set(RULES), report.to_text()


@cocotb.test()
async def soft_keeps_every_rule_29(dut):
    """2.6.29: every rule exercised and kept, in simulated time."""
    await keeps_every_rule(dut, "2.6.29")


@cocotb.test()
async def soft_keeps_every_rule_32(dut):
    """2.6.32: every rule exercised and kept, in simulated time."""
    await keeps_every_rule(dut, "2.6.32")


@cocotb.test()
async def mutants_caught_in_simulated_time(dut):
    """A hanging provider ends on simulated-time watchdogs; late data and a lock held across
    callbacks are caught by their rules."""
    for name, rule in (("doorbell-never-rung", "progress"),
                       ("completion-before-data", "callback-after-data"),
                       ("lock-held-across-callbacks", "callback-reentry")):  # fmt: skip
        rt, mem = fresh()
        dev = make_soft_mutant(name, mem, delay_ns=DESC_NS)
        t0 = rt.now_ns()
        report = await run_conformance(dev, mem, iterations=30)
        dut._log.info("%s after %d ns: %s", name, rt.now_ns() - t0, report.first(rule))
        assert rule in report.failed_rules, report.to_text()
        if rule == "progress":
            assert rt.now_ns() - t0 >= SYNC_WAIT_NS  # the watchdog ran in simulated time


@cocotb.test()
async def dmatest_soft_simulated_time(dut):
    """dmatest copy, memset and xor threads: no failures; rates from simulated time."""
    rt, mem = fresh()
    await de.dma_async_device_register(SoftDmaDevice(mem, 2, delay_ns=DESC_NS, name="soft"))
    results = await dmatest(tests=("copy", "memset", "xor"), iterations=20, test_buf_size=2048)
    for r in results:
        dut._log.info("%s", r.summary)
        assert r.ok, r.messages[:5]
        # each test waits at least one descriptor time; fill and check take no simulated time
        assert r.runtime_us * 1000 >= r.tests * DESC_NS
        assert r.iops == r.tests * 1_000_000 // r.runtime_us
    assert len(results) == 6
