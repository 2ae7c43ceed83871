"""`dmasim dmatest` in the simulator: the system with the provider driver probed and
registered, then the kernel's dmatest client with the CLI's options; one JSON line per thread
into dmatest.jsonl in the output folder."""

from __future__ import annotations

import json

import cocotb

from pydriver.dmatest import dmatest
from tb.commands.simulate import SYNC_WAIT_NS, client_settings
from tb.system import DmaSystem


@cocotb.test()
async def dmatest_run(dut):
    """dmatest on the registered controller; fails when a thread counted a failure."""
    options, out = client_settings()
    system = await DmaSystem.create(dut, sync_wait_timeout_ns=SYNC_WAIT_NS)
    await system.probe()
    results = await dmatest(**options)
    with open(out / "dmatest.jsonl", "w") as f:
        for r in results:
            f.write(json.dumps({"thread": r.thread, "tests": r.tests, "failures": r.failures,
                                "iops": r.iops, "kbps": r.kbps, "summary": r.summary}) + "\n")
            dut._log.info("%s", r.summary)
    assert results, "dmatest found no channel to test"
    failed = [r.thread for r in results if r.failures]
    assert not failed, f"dmatest threads with failures: {', '.join(failed)}"
