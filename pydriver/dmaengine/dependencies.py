"""dma_run_dependencies: what a provider's cleanup calls after a descriptor completes
(docs/kernel-model.md, R41, R65 point 3).

It submits the descriptors waiting on ``tx``: a run of dependents on one channel is released at
once; a dependent on another channel stops the run (it has its own interrupt descriptor whose
completion will call this again). Finally the dependents' channel is kicked.
"""

from __future__ import annotations

from .descriptor import DmaAsyncTxDescriptor, check_descriptor

__all__ = ["dma_run_dependencies"]


def dma_run_dependencies(tx: DmaAsyncTxDescriptor) -> None:
    dep = check_descriptor(tx).next
    if dep is None:
        return
    tx.next = None  # it is submitted now
    chan = dep.chan
    while dep is not None:
        dep.parent = None
        dep_next = dep.next
        if dep_next is not None and dep_next.chan is chan:
            dep.next = None  # submitted by the next round of this loop
        else:
            dep_next = None  # a cross-channel child waits for dep's own completion
        dep.tx_submit()
        dep = dep_next
    chan.device.device_issue_pending(chan)
