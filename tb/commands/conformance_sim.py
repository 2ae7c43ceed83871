"""`dmasim conformance` in the simulator: the system with the provider driver, then the
conformance checker's standard workload on it; the report goes to conformance.txt and
junit.xml in the output folder."""

from __future__ import annotations

import cocotb

from pydriver.conformance import run_conformance
from tb.commands.simulate import SYNC_WAIT_NS, client_settings
from tb.system import DmaSystem


@cocotb.test()
async def conformance_run(dut):
    """run_conformance on the provider driver; fails on a violation or a rule the workload did
    not exercise."""
    options, out = client_settings()
    system = await DmaSystem.create(dut, sync_wait_timeout_ns=SYNC_WAIT_NS)
    await system.probe()
    report = await run_conformance(system.device, system.mem, **options)
    (out / "conformance.txt").write_text(report.to_text() + "\n")
    report.write_junit(out / "junit.xml")
    assert report.all_pass, f"conformance: {report.summary()} (conformance.txt)"
