"""The rules the conformance checker enforces: one name and one sentence each.

The first three are the async_tx document's conformance points (Documentation/crypto/
async-tx-api.txt §4.1); the others are what async_tx and dmaengine clients rely on from a
provider (docs/conformance.md explains each, with the real drivers that broke it).
"""

from __future__ import annotations

__all__ = ["RULES", "RULE_TEXT", "check_rule"]

RULE_TEXT: dict[str, str] = {
    "callback-context": "completion callbacks run in tasklet context: never in the interrupt "
    "handler, never inside prep, tx_submit or issue_pending",
    "descriptor-irq-write": "no descriptor field (and no DMA memory) is written in hard-IRQ "
    "context",
    "run-dependencies": "the cleanup of a completed descriptor submits its dependent "
    "(dma_run_dependencies)",
    "cookie-order": "tx_submit's cookies increase by one per channel, wrapping to 1 past 2^31-1",
    "completion-order": "a channel's descriptors complete, and their callbacks run, in "
    "submission order; its completed cookie never goes back",
    "callback-once": "a completed descriptor's callback runs exactly once",
    "callback-after-data": "a callback runs, and tx_status says complete, only once the result "
    "is in memory",
    "reuse-before-ack": "prep never hands out a descriptor still in flight, or complete but "
    "not acked",
    "submit-queues-only": "tx_submit only queues: nothing starts before issue_pending (or "
    "before the device's declared pending_threshold)",
    "issue-pending-idle": "issue_pending with nothing pending neither raises nor completes "
    "anything",
    "tx-status": "device_tx_status agrees with what happened: never in progress after the "
    "callback ran, never going back",
    "callback-reentry": "a callback may submit work on its own channel and poll tx_status: "
    "no deadlock, no exception, no lost work",
    "prep-atomic": "prep hooks, tx_submit and issue_pending never sleep (no coroutine, no "
    "wait) and do not fail on valid input",
    "progress": "issued work completes within the watchdog (no hang)",
}

RULES: tuple[str, ...] = tuple(RULE_TEXT)


def check_rule(rule: object) -> str:
    """``rule`` if it names a rule; ValueError (listing the rules) otherwise."""
    if not isinstance(rule, str) or rule not in RULE_TEXT:
        raise ValueError(f"unknown conformance rule {rule!r}; rules are: {', '.join(RULES)}")
    return rule
