"""The conformance checker on this driver: the standard workload on the device's channels with
every async_tx/dmaengine rule watched (docs/conformance.md); the detail is the checker's
summary."""

from __future__ import annotations

from pydriver.conformance import RULES, run_conformance
from tb.bringup.context import Context
from tb.bringup.sequencer import StepSkipped

ITERATIONS = 1  # one coverage pass of every scenario on every channel: every rule


async def conformance(ctx: Context) -> str:
    if not ctx.registered:
        raise StepSkipped("needs the registered driver (an earlier step failed)")
    rep = await run_conformance(ctx.system.device, ctx.system.mem, seed=ctx.seed,
                                iterations=ITERATIONS)
    if not rep.ok:
        v = rep.violations[0]
        raise AssertionError(f"{len(rep.violations)} violations; first: {v.rule} on {v.chan} "
                             f"cookie {v.cookie}: {v.detail}")
    missed = sorted(set(RULES) - set(rep.exercised))
    assert not missed, f"rules the workload never exercised: {', '.join(missed)}"
    return f"{rep.summary()}; no violation"
