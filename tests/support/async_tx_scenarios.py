"""The async_tx scenarios of the unit suite as provider-neutral client code.

Every scenario uses only the public async_tx/dmaengine API and pages of one ``SystemMemory``,
so the same code runs on whichever providers are registered: the comparison bench runs it on
the simulated controller and on a SoftDmaDevice and compares the whole memory byte for byte.
A scenario also returns what it observed (callbacks in order with their context, xor_val
results, statuses), which must be the same on both providers.

The system suite's comparison bench (tests/system) imports it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydriver import dmaengine as de
from pydriver.async_tx import (
    ASYNC_TX_ACK,
    ASYNC_TX_XOR_DROP_DST,
    ASYNC_TX_XOR_ZERO_DST,
    SUM_CHECK_P_RESULT,
    SumCheck,
    async_memcpy,
    async_memset,
    async_trigger_callback,
    async_tx_issue_pending_all,
    async_tx_quiesce,
    async_xor,
    async_xor_val,
    init_async_submit,
)
from pydriver.memory import PAGE_SIZE, SystemMemory
from pydriver.runtime import Context, get_runtime
from tests.support.callbacks import Calls
from tests.support.doc_example import doc_example
from tests.support.pages import LEN, filled, pattern, xor_bytes

WAIT_NS = 2_000_000
POLL_NS = 200
DONE = (de.DescState.COMPLETE, de.DescState.FREED)


class Client:
    """What a scenario works with: memory, the profile, a callback recorder, waiting."""

    def __init__(self, mem: SystemMemory, profile: str, max_xor: int) -> None:
        self.mem = mem
        self.profile = profile
        self.max_xor = max_xor
        self.calls = Calls()
        self.seen: list[Any] = []  # results besides callbacks (statuses, xor_val values)

    def pages(self, *seeds: int, offset: int = 0, length: int = LEN):
        return filled(self.mem, *seeds, offset=offset, length=length)

    def cb(self, name: str, look: Callable[[], Any] | None = None) -> tuple[Any, Any]:
        return self.calls.cb(name, look)

    async def wait(self, *txs: de.DmaAsyncTxDescriptor | None) -> None:
        """Issue everything, then wait until each descriptor completed (no polling of
        tx_status: completion comes from the interrupt and its tasklet)."""
        async_tx_issue_pending_all()
        rt = get_runtime()
        deadline = rt.now_ns() + WAIT_NS
        while not all(tx is None or tx.state in DONE for tx in txs):
            assert rt.now_ns() < deadline, f"not complete after {WAIT_NS} ns: {txs}"
            await rt.sleep_ns(POLL_NS)

    def observed(self) -> list[Any]:
        """Callbacks (sorted by name: their order across channels is timing, their order on
        one channel is checked by the scenario) and other results."""
        calls = sorted(((c.name, c.context, c.seen) for c in self.calls.log), key=lambda t: t[0])
        return calls + self.seen


Scenario = Callable[[Client], Awaitable[None]]


async def doc_chain(cl: Client, copy_into_source: bool) -> None:
    """The kernel documentation's xor -> copy -> xor chain (its channel hops included)."""
    xor_dest, s1, s2, s3, copy_src, other = cl.pages(10, 1, 2, 3, 4, 5)
    copy_dest = s1 if copy_into_source else other
    done: list = []
    await doc_example(cl.profile, xor_dest, [xor_dest, s1, s2, s3], copy_dest, copy_src, done)
    cl.seen.append([(p, ctx) for p, ctx, _ in done])
    await cl.wait()


async def doc_chain_separate_copy(cl: Client) -> None:
    await doc_chain(cl, copy_into_source=False)


async def doc_chain_copy_into_source(cl: Client) -> None:
    await doc_chain(cl, copy_into_source=True)


async def xor_beyond_the_hardware_limit(cl: Client) -> None:
    """More sources than one descriptor takes: async_xor chains in-place descriptors."""
    n = cl.max_xor + 3
    dest, *srcs = cl.pages(100, *range(1, n + 1))
    tx = await async_xor(dest, srcs, 0, n, LEN,
                         init_async_submit(ASYNC_TX_XOR_ZERO_DST | ASYNC_TX_ACK, None,
                                           *cl.cb("xor", lambda: dest.read(0, LEN))))
    await cl.wait(tx)
    assert dest.read(0, LEN) == xor_bytes(*(pattern(i) for i in range(1, n + 1)))


async def xor_destination_modes(cl: Client) -> None:
    """ZERO_DST (dest not a source) and DROP_DST (dest is the first source, in place)."""
    dest, a, b, c = cl.pages(10, 1, 2, 3)
    tx1 = await async_xor(dest, [a, b, c], 0, 3, LEN,
                          init_async_submit(ASYNC_TX_XOR_ZERO_DST, None, *cl.cb("zero")))
    await cl.wait(tx1)
    tx2 = await async_xor(dest, [dest, a, b], 0, 3, LEN,
                          init_async_submit(ASYNC_TX_XOR_DROP_DST, None, *cl.cb("drop")))
    await cl.wait(tx2)
    assert dest.read(0, LEN) == xor_bytes(pattern(3))  # (a^b^c) ^ a ^ b


async def xor_val_good_and_corrupted(cl: Client) -> None:
    """xor_val on consistent parity reads 0, after corrupting one byte SUM_CHECK_P_RESULT."""
    parity, a, b = cl.pages(10, 1, 2)
    parity.write(0, xor_bytes(pattern(1), pattern(2)))
    for corrupt in (False, True):
        if corrupt:
            parity.write(17, bytes([parity.read(17, 1)[0] ^ 0x40]))
        result = SumCheck(7)
        tx = await async_xor_val(parity, [parity, a, b], 0, 3, LEN, result,
                                 init_async_submit(0, None, *cl.cb(f"val{int(corrupt)}")))
        await cl.wait(tx)
        cl.seen.append(("xor_val", corrupt, result.value))
        assert result.value == (SUM_CHECK_P_RESULT if corrupt else 0)


async def memcpy_memset_and_page_edges(cl: Client) -> None:
    """Byte offsets inside pages, a copy ending at the page's last byte, a dependent memset."""
    src, dst = cl.pages(1, 2)
    tx1 = await async_memcpy(dst, src, 100, 40, 64, init_async_submit(0, None, *cl.cb("copy")))
    tx2 = await async_memset(dst, 0xC3, 120, 8, init_async_submit(0, tx1, *cl.cb("set")))
    edge_src, edge_dst = cl.pages(3, 4, offset=PAGE_SIZE - 100, length=100)
    tx3 = await async_memcpy(edge_dst, edge_src, PAGE_SIZE - 37, PAGE_SIZE - 100, 37,
                             init_async_submit(ASYNC_TX_ACK, tx2, *cl.cb("edge")))
    await cl.wait(tx1, tx2, tx3)
    expect = bytearray(pattern(2))
    expect[100:164] = pattern(1)[40:104]
    expect[120:128] = b"\xc3" * 8
    assert dst.read(0, LEN) == bytes(expect)


async def callbacks_in_submission_order(cl: Client) -> None:
    """Copies and memsets with callbacks: each runs once, in order, after its data."""
    pages = cl.pages(*range(1, 13))
    txs = []
    for i in range(0, 12, 3):
        src, dst, fill = pages[i:i + 3]
        txs.append(await async_memcpy(dst, src, 0, 0, LEN, init_async_submit(
            0, None, *cl.cb(f"copy{i}", lambda dst=dst: dst.read(0, LEN)))))
        txs.append(await async_memset(fill, i, 0, LEN, init_async_submit(
            0, None, *cl.cb(f"set{i}", lambda fill=fill: fill.read(0, LEN)))))
    await cl.wait(*txs)
    # one channel per capability here: the order holds per channel
    names = [c.name for c in cl.calls.log]
    for kind in ("copy", "set"):
        assert [n for n in names if n.startswith(kind)] == [f"{kind}{i}" for i in range(0, 12, 3)]
    assert all(c.seen == (pattern(int(c.name[4:]) + 1) if c.name.startswith("copy")
                          else bytes([int(c.name[3:])]) * LEN) for c in cl.calls.log)


async def interrupt_descriptors(cl: Client) -> None:
    """async_trigger_callback behind an engine operation queues an interrupt descriptor; with
    no dependency it runs at once on the CPU."""
    src, dst = cl.pages(1, 2)
    tx1 = await async_memcpy(dst, src, 0, 0, LEN, init_async_submit(0, None, None, None))
    tx = await async_trigger_callback(
        init_async_submit(ASYNC_TX_ACK, tx1, *cl.cb("irq", lambda: dst.read(0, LEN))))
    assert tx is not None and tx.chan is tx1.chan
    await cl.wait(tx)
    assert await async_trigger_callback(init_async_submit(0, None, *cl.cb("now"))) is None


async def channel_switch_chain(cl: Client) -> None:
    """xor on one channel, a copy depending on it on another, an xor depending on the copy
    back on the first: two hops through interrupt descriptors, in order."""
    a, b, p, q = cl.pages(1, 2, 3, 4)
    tx0 = await async_xor(p, [a, b], 0, 2, LEN,
                          init_async_submit(ASYNC_TX_XOR_ZERO_DST, None, *cl.cb("tx0")))
    tx1 = await async_memcpy(q, p, 0, 0, LEN, init_async_submit(0, tx0, *cl.cb("tx1")))
    tx2 = await async_xor(p, [p, q], 0, 2, LEN,
                          init_async_submit(ASYNC_TX_XOR_DROP_DST, tx1, *cl.cb("tx2")))
    await cl.wait(tx0, tx1, tx2)
    cl.seen.append(("hops", tx0.chan is not tx1.chan, tx2.chan is tx0.chan))
    assert q.read(0, LEN) == xor_bytes(pattern(1), pattern(2)) and p.read(0, LEN) == bytes(LEN)


async def sync_wait_and_quiesce(cl: Client) -> None:
    """dma_sync_wait on a raw cookie; async_tx_quiesce waits and acks."""
    a, b, p = cl.pages(1, 2, 3)
    tx = await async_memcpy(p, a, 0, 0, LEN, init_async_submit(ASYNC_TX_ACK, None, None, None))
    cl.seen.append(("sync_wait", await de.dma_sync_wait(tx.chan, tx.cookie)))
    tx2 = await async_xor(p, [a, b], 0, 2, LEN,
                          init_async_submit(ASYNC_TX_XOR_ZERO_DST, None, None, None))
    await async_tx_quiesce(tx2)
    cl.seen.append(("quiesced", de.async_tx_test_ack(tx2), get_runtime().current_context()))
    assert p.read(0, LEN) == xor_bytes(pattern(1), pattern(2))


SCENARIOS: dict[str, Scenario] = {
    "doc_chain_separate_copy": doc_chain_separate_copy,
    "doc_chain_copy_into_source": doc_chain_copy_into_source,
    "xor_beyond_the_hardware_limit": xor_beyond_the_hardware_limit,
    "xor_destination_modes": xor_destination_modes,
    "xor_val_good_and_corrupted": xor_val_good_and_corrupted,
    "memcpy_memset_and_page_edges": memcpy_memset_and_page_edges,
    "callbacks_in_submission_order": callbacks_in_submission_order,
    "interrupt_descriptors": interrupt_descriptors,
    "channel_switch_chain": channel_switch_chain,
    "sync_wait_and_quiesce": sync_wait_and_quiesce,
}


def check_contexts(observed: list[Any]) -> None:
    """Engine callbacks ran in tasklet context, each exactly once (names are unique)."""
    names = [o[0] for o in observed if len(o) == 3 and isinstance(o[1], Context)]
    assert len(names) == len(set(names)), f"a callback ran twice: {names}"
