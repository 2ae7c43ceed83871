"""Argument checks shared by the async_tx entry points (docs/kernel-model.md, Bad input).

Every check runs before a channel is chosen or a descriptor is prepared, so a rejected call
queues nothing, writes nothing and acks nothing.  Misuse the kernel would BUG() on raises
DmaBug; out-of-range values DmaValueError; wrong types DmaTypeError.  The message names the
broken rule and ``exc.rule`` carries a short name of it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydriver import dmaengine as dma
from pydriver.errors import DmaBug, DmaTypeError, DmaValueError
from pydriver.memory import Page, SystemMemory
from pydriver.runtime import Context, get_runtime


def check_context(op: str) -> None:
    """async_<op> may not be called from hard-IRQ context (docs/kernel-model.md, R63)."""
    if get_runtime().current_context() == Context.HARDIRQ:
        raise DmaBug(
            f"{op}: async_tx operations may not be called from hard-IRQ context",
            rule="no-async-tx-in-hardirq",
        )


def check_int(value: object, what: str, op: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DmaTypeError(f"{op}: {what} must be an int, not {type(value).__name__}")
    return value


def check_page(page: object, offset: int, length: int, what: str, op: str) -> Page:
    """A Page, and [offset, offset+length) lies inside it with length >= 1."""
    if not isinstance(page, Page):
        raise DmaTypeError(f"{op}: {what} must be a Page, not {type(page).__name__}")
    if offset < 0:
        raise DmaValueError(f"{op}: {what} offset {offset} is negative", rule="range-in-page")
    if length <= 0:
        raise DmaValueError(f"{op}: length {length} must be at least 1 byte", rule="length-nonzero")
    if offset + length > page.size:
        raise DmaValueError(
            f"{op}: {what} range offset {offset} + length {length} runs past the end of the "
            f"{page.size}-byte page",
            rule="range-in-page",
        )
    return page


def check_same_memory(pages: Sequence[Page], op: str) -> SystemMemory:
    """All pages of one operation must live in the same SystemMemory."""
    mem = pages[0].mem
    if any(p.mem is not mem for p in pages):
        raise DmaValueError(
            f"{op}: pages of another memory: all pages of one operation must share one "
            "SystemMemory",
            rule="same-memory",
        )
    return mem


def check_channel_memory(chan: dma.DmaChan, mem: SystemMemory, op: str) -> None:
    """An engine can only reach the memory its device was built on."""
    dev_mem = getattr(chan.device, "mem", None)
    if dev_mem is not None and dev_mem is not mem:
        raise DmaValueError(
            f"{op}: pages of another memory: {chan.name} cannot reach them",
            rule="same-memory",
        )


def check_depend(depend_tx: object, op: str) -> None:
    """The dependency rules async_tx_submit and async_tx_quiesce BUG() on (R36, R54, R58).

    The kernel only checks the 1:1 rule on the engine path; dmasim checks it on every path,
    because whether the CPU path is taken depends on which engines happen to be registered, and
    a chain that only works without an engine would crash the day one appears.
    """
    if depend_tx is None:
        return
    if not isinstance(depend_tx, dma.DmaAsyncTxDescriptor):
        raise DmaTypeError(
            f"{op}: depend_tx must be a DmaAsyncTxDescriptor or None, "
            f"not {type(depend_tx).__name__}"
        )
    if dma.async_tx_test_ack(depend_tx):
        raise DmaBug(
            f"{op}: depend_tx is already acked; an acked descriptor may have been recycled "
            "and cannot be a dependency",
            rule="depend-not-acked",
        )
    if depend_tx.next is not None:
        raise DmaBug(
            f"{op}: depend_tx already has a dependent; dependencies are strictly 1:1",
            rule="depend-one-to-one",
        )
    if depend_tx.state is dma.DescState.PREPARED and depend_tx.parent is None:
        raise DmaBug(
            f"{op}: depend_tx was never submitted and waits on no parent",
            rule="depend-submitted",
        )
