"""The mutation suite: deliberately broken providers, each breaking one rule the way real
drivers did (docs/conformance.md), so that the checker is shown to catch it.

A :class:`Mutant` is a function from a provider class to a broken subclass. Bugs expressed
through the dmaengine hooks apply to any driver class; bugs inside the cleanup, the
interrupt handler or the data path need the methods named in ``needs`` (SoftDmaDevice's
``cleanup``/``interrupt_handler``/``execute``), and ``soft_queues`` ones also reach into
SoftDmaDevice's channel queues. A driver with differently named internals gets its own
variant of those few.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...dmaengine import DmaDevice
from ...memory import SystemMemory
from ...soft import SoftDmaDevice
from ..rules import RULES
from .callbacks import (
    callback_in_irq,
    callback_in_issue_pending,
    double_callback,
    dropped_callback,
    lock_held_across_callbacks,
    resubmit_lost,
)
from .data import completion_before_data
from .lifetime import dependencies_not_run, irq_writes_descriptor, reuse_before_ack
from .ordering import cookie_reuse, out_of_order_completion, tx_status_lies
from .submission import (
    doorbell_never_rung,
    issue_pending_fails_when_idle,
    sleeping_prep,
    start_in_tx_submit,
)

__all__ = ["Mutant", "MUTANTS", "mutant", "make_soft_mutant", "break_device"]


@dataclass(frozen=True)
class Mutant:
    name: str
    rule: str  # the rule it breaks: the checker must report it
    bug: str
    seen_in: str  # the bug class in real drivers
    apply: Callable[[type[DmaDevice]], type]
    needs: tuple[str, ...] = ()  # methods the provider class must have
    soft_queues: bool = False  # reaches into SoftDmaDevice's channel queues

    def build(self, base: type[DmaDevice]) -> type:
        """The broken subclass of ``base``."""
        if not (isinstance(base, type) and issubclass(base, DmaDevice)):
            raise TypeError(f"mutant {self.name}: base must be a DmaDevice class, got {base!r}")
        missing = [m for m in self.needs if not callable(getattr(base, m, None))]
        if missing:
            raise TypeError(
                f"mutant {self.name} changes {', '.join(missing)}(), which "
                f"{base.__name__} does not have: write a variant for it"
            )
        if self.soft_queues and not issubclass(base, SoftDmaDevice):
            raise TypeError(
                f"mutant {self.name} works on SoftDmaDevice's channel queues; "
                f"write a variant for {base.__name__}"
            )
        return self.apply(base)


MUTANTS: tuple[Mutant, ...] = (
    Mutant(
        "callback-in-irq",
        "callback-context",
        "the hard-IRQ handler runs the cleanup, so callbacks run in interrupt context",
        "drivers completing descriptors in their interrupt handler instead of a tasklet",
        callback_in_irq,
        ("interrupt_handler", "cleanup"),
    ),
    Mutant(
        "callback-in-issue-pending",
        "callback-context",
        "issue_pending completes short jobs synchronously, running their callbacks",
        "drivers with a synchronous fast path in issue_pending",
        callback_in_issue_pending,
        ("execute", "cleanup"),
        soft_queues=True,
    ),
    Mutant(
        "irq-writes-descriptor",
        "descriptor-irq-write",
        "the interrupt handler marks finished descriptors complete",
        "handlers that update descriptor state instead of only scheduling the tasklet",
        irq_writes_descriptor,
        ("interrupt_handler",),
        soft_queues=True,
    ),
    Mutant(
        "dependencies-not-run",
        "run-dependencies",
        "the cleanup never calls dma_run_dependencies",
        "drivers predating dma_run_dependencies in their cleanup; async_tx chains hang",
        dependencies_not_run,
        ("cleanup",),
        soft_queues=True,
    ),
    Mutant(
        "cookie-reuse",
        "cookie-order",
        "every 4th tx_submit hands out its predecessor's cookie",
        "racy cookie counters updated outside the channel lock",
        cookie_reuse,
    ),
    Mutant(
        "out-of-order-completion",
        "completion-order",
        "the cleanup reaps finished descriptors newest first",
        "completion lists walked from the wrong end",
        out_of_order_completion,
        ("cleanup",),
        soft_queues=True,
    ),
    Mutant(
        "double-callback",
        "callback-once",
        "callbacks are not cleared after running and run again on the next pass",
        "drivers that forget to NULL the callback of descriptors kept until acked",
        double_callback,
        ("cleanup",),
        soft_queues=True,
    ),
    Mutant(
        "dropped-callback",
        "callback-once",
        "when completions coalesce, only the newest one's callback runs",
        "interrupt coalescing that reaps several descriptors but signals one",
        dropped_callback,
        ("cleanup",),
        soft_queues=True,
    ),
    Mutant(
        "completion-before-data",
        "callback-after-data",
        "the interrupt comes when the last write is posted, before it lands",
        "xilinx_dma and at_hdmac signalling completion before the last write landed",
        completion_before_data,
        ("execute",),
    ),
    Mutant(
        "reuse-before-ack",
        "reuse-before-ack",
        "completed descriptors are recycled without waiting for the ack",
        "fsldma recycling before the ack, which tripped raid5's dependency BUG_ON",
        reuse_before_ack,
        ("cleanup",),
        soft_queues=True,
    ),
    Mutant(
        "start-in-tx-submit",
        "submit-queues-only",
        "tx_submit starts the hardware",
        "at_xdmac, at_hdmac and old dw_dmac starting transfers in tx_submit",
        start_in_tx_submit,
    ),
    Mutant(
        "issue-pending-fails-when-idle",
        "issue-pending-idle",
        "issue_pending takes the first pending descriptor without checking there is one",
        "issue_pending that dereferences an empty pending list",
        issue_pending_fails_when_idle,
    ),
    Mutant(
        "tx-status-lies",
        "tx-status",
        "device_tx_status answers for the newest descriptor, not the cookie asked",
        "tx_status answering for the wrong descriptor",
        tx_status_lies,
    ),
    Mutant(
        "lock-held-across-callbacks",
        "callback-reentry",
        "the channel lock is held while callbacks run; re-entry finds it taken",
        "amba-pl08x and fsldma calling callbacks under the channel lock (deadlock on resubmission)",
        lock_held_across_callbacks,
    ),
    Mutant(
        "resubmit-lost",
        "callback-reentry",
        "work submitted from a callback lands on a list the cleanup discards",
        "cleanup splicing its lists over descriptors submitted by callbacks",
        resubmit_lost,
    ),
    Mutant(
        "sleeping-prep",
        "prep-atomic",
        "a prep hook sleeps (is a coroutine)",
        "prep routines allocating with GFP_KERNEL or taking a mutex",
        sleeping_prep,
    ),
    Mutant(
        "doorbell-never-rung",
        "progress",
        "issue_pending never starts the hardware",
        "a lost doorbell write: issued work hangs",
        doorbell_never_rung,
    ),
)

assert all(m.rule in RULES for m in MUTANTS)
assert {r for r in RULES} <= {m.rule for m in MUTANTS}, "every rule needs a mutant"


def mutant(name: str) -> Mutant:
    """The mutant called ``name``; ValueError (listing them) otherwise."""
    for m in MUTANTS:
        if m.name == name:
            return m
    raise ValueError(f"unknown mutant {name!r}; mutants are: {', '.join(m.name for m in MUTANTS)}")


def make_soft_mutant(
    which: Mutant | str, mem: SystemMemory, nr_channels: int = 2, **kwargs: Any
) -> SoftDmaDevice:
    """A SoftDmaDevice with the bug of ``which`` built in."""
    m = mutant(which) if isinstance(which, str) else which
    kwargs.setdefault("name", f"soft-{m.name}")
    return m.build(SoftDmaDevice)(mem, nr_channels, **kwargs)


def break_device(device: DmaDevice, which: Mutant | str) -> DmaDevice:
    """Put the bug of ``which`` into an already probed ``device`` (its class becomes the broken
    subclass; mutants keep no state of their own until used). For drivers whose probe-time
    self-tests would refuse the broken class before it is ever registered."""
    m = mutant(which) if isinstance(which, str) else which
    if not isinstance(device, DmaDevice):
        raise TypeError(f"break_device expects a DmaDevice, got {type(device).__name__}")
    device.__class__ = m.build(type(device))
    return device
