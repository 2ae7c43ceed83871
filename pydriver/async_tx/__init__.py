"""The async_tx API (crypto/async_tx) on top of the dmaengine core.

Clients describe memory operations on pages - copy, fill, XOR, XOR check, a bare callback - and
async_tx decides where each runs: on an engine channel found through the dmaengine core (the
dependency's channel when its device can do the job, else the per-CPU table), or right away on
the CPU when no engine can.  Operations may depend on one earlier operation each; async_tx
keeps such chains in order on one channel, or hands them across channels with an interrupt
descriptor or a wait.  Behaviour follows Linux 2.6.29 or 2.6.32, whichever profile
``dmaengine.reset`` chose; the call shape is 2.6.32's (``init_async_submit``) under both.

Callbacks are plain ``cb_fn(cb_param)`` calls, exactly once per operation: in tasklet context
when the work ran on an engine (after the data is in memory, in submission order per channel),
in the caller's context before the call returns when it ran on the CPU.  A callback must not
start new async_tx work.
"""

from pydriver.async_tx.flags import (
    ASYNC_TX_ACK,
    ASYNC_TX_DEP_ACK,
    ASYNC_TX_FENCE,
    ASYNC_TX_XOR_DROP_DST,
    ASYNC_TX_XOR_ZERO_DST,
)
from pydriver.async_tx.interrupt import async_trigger_callback
from pydriver.async_tx.lifecycle import async_tx_exit, async_tx_init
from pydriver.async_tx.memcpy import async_memcpy
from pydriver.async_tx.memset import async_memset
from pydriver.async_tx.submit import (
    AsyncSubmitCtl,
    async_tx_ack,
    async_tx_find_channel,
    async_tx_issue_pending,
    async_tx_issue_pending_all,
    async_tx_quiesce,
    async_tx_submit,
    async_tx_test_ack,
    init_async_submit,
)
from pydriver.async_tx.xor import async_xor
from pydriver.async_tx.xor_val import async_xor_val
from pydriver.dmaengine.status import SUM_CHECK_P_RESULT, SumCheck  # dmaengine.h, as in the kernel

__all__ = [
    "ASYNC_TX_ACK",
    "ASYNC_TX_DEP_ACK",
    "ASYNC_TX_FENCE",
    "ASYNC_TX_XOR_DROP_DST",
    "ASYNC_TX_XOR_ZERO_DST",
    "SUM_CHECK_P_RESULT",
    "SumCheck",
    "AsyncSubmitCtl",
    "async_memcpy",
    "async_memset",
    "async_trigger_callback",
    "async_tx_ack",
    "async_tx_exit",
    "async_tx_find_channel",
    "async_tx_init",
    "async_tx_issue_pending",
    "async_tx_issue_pending_all",
    "async_tx_quiesce",
    "async_tx_submit",
    "async_tx_test_ack",
    "async_xor",
    "async_xor_val",
    "init_async_submit",
]
