"""CTRL.ABORT written at every cycle of a batch's life: whatever the fetch, decode, mover and
completion logic is doing at that moment (waiting for a FENCE, switching XOR sources, pushing a
chunk, writing a status word), the channel drains and halts with ABORTED, ERR_DESC = HEAD,
every descriptor before HEAD complete, nothing else written outside the aborted descriptor's
destination (whole memory against the reference model), and CTRL.RESET recovers it.

On Verilator with DMASIM_COVERAGE=1 (or DMASIM_SOAK=1) every cycle from the doorbell to the
batch's end is tried, which is what reaches the one-cycle states of the mover (line and branch
coverage, docs/coverage.md); otherwise a random sample of delays.
"""

from __future__ import annotations

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import Descriptor, ErrCode, Interrupt
from tb import coverage, stimulus
from tb.dma_tb import SOAK, DmaTb, scale


def batch(tb: DmaTb) -> list[Descriptor]:
    """A copy with long write responses ahead of a FENCE'd multi-source XOR (the XOR waits for
    them), a fill, an XOR_VAL, an interrupt."""
    db, nx = tb.hw.data_bytes, tb.hw.max_xor_srcs
    n = 3 * db + 5
    return [stimulus.memcpy(tb, 20 * db + 3),
            stimulus.xor(tb, nx, 2 * n, fence=True),
            stimulus.fill(tb, n), stimulus.xor_val(tb, nx, n, zero=False), Interrupt()]


@cocotb.test()
async def abort_at_every_cycle(dut):
    """ABORT k cycles after the doorbell, for every k until the batch would have completed (a
    random sample of 24 delays, 6 on Icarus, unless coverage is being collected: then every
    one on Verilator). The same descriptors run every time; the model starts from a snapshot."""
    tb = await DmaTb.create(dut, mem_size=1 << 18)
    tb.set_backpressure(b=0.6, max_run=6)  # write responses late: the FENCE waits
    ch = await tb.setup_channel(0, log2_slots=4, int_enable=regs.CH_INT_ENABLE_ERROR_MASK)
    descs = batch(tb)
    start = tb.now()
    await tb.run(ch, descs)  # how long the batch runs undisturbed
    span = tb.now() - start
    sweep = coverage.ENABLED or SOAK
    delays = tb.pick(range(span), icarus=6) if sweep else \
        sorted(tb.rng.sample(range(span), min(span, scale(24, icarus=6))))
    tb.log.info("batch runs %d cycles: aborting after %d different delays", span, len(delays))
    stopped = set()
    for k in delays:
        tb.post(ch, descs)
        snap = tb.snapshot()
        await tb.doorbell(ch)
        await tb.cycles(k)
        await tb.write(ch.reg(regs.CH_CTRL), ch.ctrl | regs.CH_CTRL_ABORT_MASK)
        state = await tb.wait_settled(ch, timeout=4 * span + 2000)
        assert state.halted and state.err_code == ErrCode.ABORTED, f"abort after {k}: {state}"
        assert state.err_desc == state.head, f"abort after {k}: ERR_DESC is not HEAD: {state}"
        stopped.add(state.head)
        tb.predict([ch], abort_at={ch.index: state.head}, snapshot=snap)
        await tb.check(ch)
        await tb.reset_channel(ch)
    tb.log.info("aborts left HEAD at %s", sorted(stopped))
    await tb.run(ch, descs)
