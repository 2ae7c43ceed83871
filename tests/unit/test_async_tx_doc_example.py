"""The async_tx documentation's example (docs/kernel-model.md, R82-R84): xor; a copy depending
on it; an xor with ACK and a completion callback depending on the copy; issue_pending_all; wait.

Run on every path a chain can take - all CPU, one engine, a channel hop through interrupt
descriptors, a hop by waiting, an engine xor with a CPU copy - under both profiles, and with the
copy's destination either a separate page or one of the xor sources (then the second xor must
see the copied data: an ordering test).
"""

from __future__ import annotations

import pytest

from pydriver import dmaengine as de
from pydriver.async_tx import async_tx_test_ack
from pydriver.runtime import Context
from tests.support.doc_example import doc_example
from tests.support.engines import engines, soft
from tests.support.pages import LEN, filled, pattern, xor_bytes

X, C, IRQ = de.DMA_XOR, de.DMA_MEMCPY, de.DMA_INTERRUPT

TOPOLOGIES = {
    "cpu": [],
    "one-engine": [(X, C, IRQ)],
    "hop-by-interrupt": [(X, IRQ), (C, IRQ)],
    "hop-by-wait": [(X,), (C,)],
    "engine-xor-cpu-copy": [(X, IRQ)],
}


@pytest.mark.parametrize("alias", [False, True], ids=["separate-copy", "copy-into-source"])
@pytest.mark.parametrize("topology", list(TOPOLOGIES))
def test_doc_example_chain(profile, run, mem, topology, alias) -> None:
    async def body() -> None:
        await engines(*(soft(mem, *caps) for caps in TOPOLOGIES[topology]))
        xor_dest, s1, s2, s3, copy_src, copy_dest = filled(mem, 10, 1, 2, 3, 4, 5)
        if alias:
            copy_dest = s1
        xor_srcs = [xor_dest, s1, s2, s3]  # the destination is source 0 (DROP_DST)
        done: list = []
        tx1, tx2, tx3 = await doc_example(profile, xor_dest, xor_srcs, copy_dest, copy_src, done)

        # reference: xor1 -> copy -> xor2 in that order
        d1 = xor_bytes(pattern(10), pattern(1), pattern(2), pattern(3))
        s1_after = pattern(4) if alias else pattern(1)
        d2 = xor_bytes(d1, s1_after, pattern(2), pattern(3))
        assert xor_dest.read(0, LEN) == d2
        assert copy_dest.read(0, LEN) == pattern(4)
        if not alias:
            assert d2 == pattern(10)  # the two XORs cancel
        assert xor_srcs == [xor_dest, s1, s2, s3]  # the source list is left alone

        # the chain took the path the topology implies
        if topology == "one-engine":
            assert tx1.chan is tx2.chan is tx3.chan
        elif topology.startswith("hop"):
            assert tx2.chan.device is not tx1.chan.device and tx3.chan is tx1.chan
        elif topology == "engine-xor-cpu-copy":
            assert tx1 is not None and tx2 is None and tx3 is not None

        # the callback ran exactly once, after the last xor's data was in memory
        assert [(p, data) for p, _, data in done] == [("complete", d2)]
        on_engine = topology != "cpu"
        assert done[0][1] is (Context.TASKLET if on_engine else Context.PROCESS)
        assert (tx3 is not None) == on_engine
        if tx3 is not None:
            assert async_tx_test_ack(tx3)  # ASYNC_TX_ACK
            # DEP_ACK (29) or the implicit ack (32) released every intermediate descriptor
            assert async_tx_test_ack(tx1)
            if tx2 is not None:
                assert async_tx_test_ack(tx2)

    run(body())
