"""The async_tx documentation's example chain (docs/kernel-model.md, rules R82-R84): an xor; a
copy depending on it; an xor with ACK and a completion callback depending on the copy;
issue_pending_all; wait for the callback. Written the way each kernel's document writes it
(2.6.29: flags and ASYNC_TX_DEP_ACK; 2.6.32: one reused submit control)."""

from __future__ import annotations

from pydriver.async_tx import (
    ASYNC_TX_ACK,
    ASYNC_TX_DEP_ACK,
    ASYNC_TX_XOR_DROP_DST,
    async_memcpy,
    async_tx_issue_pending_all,
    async_xor,
    init_async_submit,
)
from pydriver.runtime import get_runtime
from tests.support.pages import LEN

NDISKS = 4


async def doc_example(profile, xor_dest, xor_srcs, copy_dest, copy_src, done_log):
    """The example as each kernel documents it (29: flags + DEP_ACK; 32: one reused ctl)."""
    rt = get_runtime()
    complete = rt.create_event()

    def callback(param):
        done_log.append((param, rt.current_context(), xor_dest.read(0, LEN)))
        complete.set()

    if profile == "2.6.29":
        tx1 = await async_xor(
            xor_dest,
            xor_srcs,
            0,
            NDISKS,
            LEN,
            init_async_submit(ASYNC_TX_XOR_DROP_DST, None, None, None),
        )
        tx2 = await async_memcpy(
            copy_dest, copy_src, 0, 0, LEN, init_async_submit(ASYNC_TX_DEP_ACK, tx1, None, None)
        )
        flags = ASYNC_TX_XOR_DROP_DST | ASYNC_TX_DEP_ACK | ASYNC_TX_ACK
        tx3 = await async_xor(
            xor_dest, xor_srcs, 0, NDISKS, LEN, init_async_submit(flags, tx2, callback, "complete")
        )
    else:
        submit = init_async_submit(ASYNC_TX_XOR_DROP_DST, None, None, None, scribble=[0] * 8)
        tx1 = await async_xor(xor_dest, xor_srcs, 0, NDISKS, LEN, submit)
        submit.depend_tx = tx1
        tx2 = await async_memcpy(copy_dest, copy_src, 0, 0, LEN, submit)
        submit = init_async_submit(
            ASYNC_TX_XOR_DROP_DST | ASYNC_TX_ACK, tx2, callback, "complete", scribble=[0] * 8
        )
        tx3 = await async_xor(xor_dest, xor_srcs, 0, NDISKS, LEN, submit)
    async_tx_issue_pending_all()
    assert await complete.wait(timeout_ns=1_000_000_000), "completion callback never ran"
    return tx1, tx2, tx3
