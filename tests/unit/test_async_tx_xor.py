"""async_xor and async_xor_val (docs/kernel-model.md, R45-R52): destination semantics on each path,
splitting past max_xor, forward progress without descriptors, the validate result and the
kernel's fallback with its side effect on dest and 2.6.32's double callback."""

from __future__ import annotations

import pytest

from pydriver import dmaengine as de
from pydriver.async_tx import (
    ASYNC_TX_ACK,
    ASYNC_TX_DEP_ACK,
    ASYNC_TX_XOR_DROP_DST,
    ASYNC_TX_XOR_ZERO_DST,
    async_memcpy,
    async_tx_test_ack,
    async_xor,
    async_xor_val,
    init_async_submit,
)
from pydriver.errors import DmaError, DmaTypeError
from pydriver.runtime import Context
from pydriver.soft import SoftDmaDevice
from tests.support.callbacks import Calls
from tests.support.engines import engines, soft
from tests.support.pages import LEN, filled, pattern, xor_bytes
from tests.support.waiting import wait_done

P = de.SUM_CHECK_P_RESULT


class RecordingDevice(SoftDmaDevice):
    """Remembers every xor prep call; can refuse the first ``refuse`` of them (ring full)."""

    def __init__(self, *args, refuse: int = 0, **kw) -> None:
        super().__init__(*args, **kw)
        self.xor_calls: list[tuple[int, tuple[int, ...], int]] = []
        self.refuse = refuse

    def device_prep_dma_xor(self, chan, dest, srcs, src_cnt, length, flags):
        self.xor_calls.append((dest, tuple(srcs), flags))
        if self.refuse:
            self.refuse -= 1
            return None
        return super().device_prep_dma_xor(chan, dest, srcs, src_cnt, length, flags)

    def device_prep_dma_xor_val(self, chan, srcs, src_cnt, length, result, flags):
        if self.refuse:
            self.refuse -= 1
            return None
        return super().device_prep_dma_xor_val(chan, srcs, src_cnt, length, result, flags)


# what dest holds afterwards: D0 = old dest, S = the listed sources (R46)
EXPECT = {
    ("zero", "engine"): lambda d0, s: xor_bytes(*s),
    ("zero", "cpu"): lambda d0, s: xor_bytes(*s),
    ("drop", "engine"): lambda d0, s: xor_bytes(d0, *s[1:]),
    ("drop", "cpu"): lambda d0, s: xor_bytes(d0, *s[1:]),
    ("neither", "engine"): lambda d0, s: xor_bytes(*s),
    ("neither", "cpu"): lambda d0, s: xor_bytes(d0, *s),  # the paths disagree
}
FLAGS = {"zero": ASYNC_TX_XOR_ZERO_DST, "drop": ASYNC_TX_XOR_DROP_DST, "neither": 0}


@pytest.mark.parametrize("path", ["engine", "cpu"])
@pytest.mark.parametrize("mode", ["zero", "drop", "neither"])
def test_destination_semantics(profile, run, mem, mode, path) -> None:
    async def body() -> None:
        if path == "engine":
            await engines(soft(mem))
        dest, a, b, c = filled(mem, 10, 1, 2, 3)
        srcs = [dest, a, b, c] if mode == "drop" else [a, b, c]
        before = [s.read(0, LEN) for s in srcs]
        calls = Calls()
        tx = await async_xor(
            dest, srcs, 0, len(srcs), LEN, init_async_submit(FLAGS[mode], None, *calls.cb("xor"))
        )
        assert (tx is None) == (path == "cpu")
        await wait_done(tx)
        assert dest.read(0, LEN) == EXPECT[mode, path](pattern(10), before)
        assert calls.contexts() == [Context.TASKLET if tx else Context.PROCESS]

    run(body())


@pytest.mark.parametrize(
    "n, max_xor, chunks", [(7, 3, [3, 3, 3]), (8, 3, [3, 3, 3, 2]), (9, 8, [8, 2]), (8, 8, [8])]
)
def test_split_into_chained_in_place_operations(profile, run, mem, n, max_xor, chunks) -> None:
    async def body() -> None:
        dev = RecordingDevice(mem, max_xor=max_xor)
        await engines(dev)
        dest, *srcs = filled(mem, 100, *range(1, n + 1))
        calls = Calls()
        tx = await async_xor(
            dest,
            srcs,
            0,
            n,
            LEN,
            init_async_submit(
                ASYNC_TX_XOR_ZERO_DST | ASYNC_TX_ACK,
                None,
                *calls.cb("xor", lambda: dest.read(0, LEN)),
            ),
        )
        # 1 + ceil((N - M) / (M - 1)) descriptors, all on one channel (R47)
        assert [len(s) for _, s, _ in dev.xor_calls] == chunks
        assert dev.channels[0].cookie == len(chunks) == tx.cookie
        d = dest.addr
        assert dev.xor_calls[0][1] == tuple(s.addr for s in srcs[:max_xor])
        for _, chunk_srcs, _ in dev.xor_calls[1:]:
            assert chunk_srcs[0] == d  # the partial result is XORed in place
        for _, _, flags in dev.xor_calls[:-1]:
            assert not flags & de.DMA_PREP_INTERRUPT  # hidden: no callback, no interrupt
            assert flags & de.DMA_COMPL_SKIP_DEST_UNMAP
            assert bool(flags & de.DMA_PREP_FENCE) == (profile == "2.6.32")
        last_flags = dev.xor_calls[-1][2]
        assert last_flags & de.DMA_PREP_INTERRUPT and not last_flags & de.DMA_PREP_FENCE
        assert async_tx_test_ack(tx)  # ASYNC_TX_ACK lands on the last one only
        await wait_done(tx)
        expect = xor_bytes(*(pattern(i) for i in range(1, n + 1)))
        assert dest.read(0, LEN) == expect
        assert calls.names == ["xor"] and calls.log[0].seen == expect
        assert calls.contexts() == [Context.TASKLET]
        # the hidden descriptors were acked by their successors and recycled
        assert dev.channels[0].unacked == []

    run(body())


def test_split_keeps_the_callers_dependency_and_dep_ack_for_the_first_chunk(run, mem) -> None:
    async def body() -> None:
        dev = RecordingDevice(mem, max_xor=2)
        await engines(dev)
        dest, a, b, c, src = filled(mem, 100, 1, 2, 3, 4)
        tx0 = await async_memcpy(a, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        tx = await async_xor(
            dest, [a, b, c], 0, 3, LEN, init_async_submit(ASYNC_TX_XOR_ZERO_DST, tx0, None, None)
        )
        assert not async_tx_test_ack(tx0)  # 29 without DEP_ACK: the caller still owns it
        await wait_done(tx)
        assert dest.read(0, LEN) == xor_bytes(pattern(4), pattern(2), pattern(3))
        tx1 = await async_xor(
            dest,
            [a, b, c],
            0,
            3,
            LEN,
            init_async_submit(ASYNC_TX_XOR_ZERO_DST | ASYNC_TX_DEP_ACK, tx0, None, None),
        )
        assert async_tx_test_ack(tx0)
        await wait_done(tx1)

    run(body())


def test_cpu_xor_works_in_groups_of_four_with_dest_as_implicit_source(profile, run, mem) -> None:
    # xor_blocks folds 4 sources per pass into dest; a listed dest reads its value from before
    # the pass: pass 1 gives D0^a^b^c^d, pass 2 (dest, e) gives D1^D1^e = e
    async def body() -> None:
        dest, a, b, c, d, e = filled(mem, 10, 1, 2, 3, 4, 5)
        tx = await async_xor(
            dest, [a, b, c, d, dest, e], 0, 6, LEN, init_async_submit(0, None, None, None)
        )
        assert tx is None
        assert dest.read(0, LEN) == pattern(5)

    run(body())


@pytest.mark.parametrize("path", ["engine", "cpu"])
def test_none_sources(profile, run, mem, path) -> None:
    async def body() -> None:
        if path == "engine":
            await engines(soft(mem))
        dest, a, b = filled(mem, 10, 1, 2)
        submit = init_async_submit(ASYNC_TX_XOR_ZERO_DST, None, None, None)
        if profile == "2.6.29":
            with pytest.raises(DmaTypeError):
                await async_xor(dest, [a, None, b], 0, 3, LEN, submit)
            assert dest.read(0, LEN) == pattern(10)
            return
        tx = await async_xor(dest, [a, None, b], 0, 3, LEN, submit)  # 32 skips them
        await wait_done(tx)
        assert dest.read(0, LEN) == xor_bytes(pattern(1), pattern(2))

    run(body())


def test_no_descriptor_means_wait_and_retry_never_cpu(profile, run, mem) -> None:
    async def body() -> None:
        dev = RecordingDevice(mem, refuse=3)
        await engines(dev)
        dest, a, b, src = filled(mem, 10, 1, 2, 3)
        tx0 = await async_memcpy(a, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        tx = await async_xor(
            dest, [a, b], 0, 2, LEN, init_async_submit(ASYNC_TX_XOR_ZERO_DST, tx0, None, None)
        )
        assert tx is not None and len(dev.xor_calls) == 4
        # R47: the dependency was quiesced (complete, acked) before spinning
        assert async_tx_test_ack(tx0) and tx0.state is not de.DescState.SUBMITTED
        assert tx.parent is None
        await wait_done(tx)
        assert dest.read(0, LEN) == xor_bytes(pattern(3), pattern(2))

    run(body())


# ------------------------------------------------------------------ async_xor_val


@pytest.mark.parametrize("consistent", [True, False])
def test_xor_val_on_the_engine(profile, run, mem, consistent) -> None:
    async def body() -> None:
        await engines(soft(mem))
        parity, a, b = filled(mem, 10, 1, 2)
        if consistent:
            parity.write(0, xor_bytes(pattern(1), pattern(2)))
        before = parity.read(0, LEN)
        result = de.SumCheck(7)
        calls = Calls()
        tx = await async_xor_val(
            parity, [parity, a, b], 0, 3, LEN, result, init_async_submit(0, None, *calls.cb("val"))
        )
        assert tx is not None and result.value == 7  # written at completion
        await wait_done(tx)
        assert result.value == (0 if consistent else P)
        assert parity.read(0, LEN) == before  # the engine changes no page
        assert calls.contexts() == [Context.TASKLET]

    run(body())


@pytest.mark.parametrize("where", ["xor-engine", "cpu"])
@pytest.mark.parametrize("consistent", [True, False])
def test_xor_val_fallback(profile, run, mem, where, consistent) -> None:
    # R51: more sources than max_xor (or no engine): async_xor into dest with DROP_DST,
    # wait, look at dest.  dest is overwritten with the XOR of all sources.
    async def body() -> None:
        if where == "xor-engine":
            await engines(soft(mem, max_xor=3))
        parity, a, b, c, d = filled(mem, 10, 1, 2, 3, 4)
        data = xor_bytes(*(pattern(i) for i in range(1, 5)))
        if consistent:
            parity.write(0, data)
        result = de.SumCheck(7)
        calls = Calls()
        tx = await async_xor_val(
            parity,
            [parity, a, b, c, d],
            0,
            5,
            LEN,
            result,
            init_async_submit(ASYNC_TX_ACK, None, *calls.cb("val")),
        )
        assert tx is None
        assert result.value == (0 if consistent else P)
        expect = bytes(LEN) if consistent else xor_bytes(pattern(10), data)
        assert parity.read(0, LEN) == expect  # the side effect on dest
        if profile == "2.6.29":
            assert calls.contexts() == [Context.PROCESS]
        else:
            # 2.6.32 quirk: the inner async_xor calls back too (R51)
            inner = Context.TASKLET if where == "xor-engine" else Context.PROCESS
            assert calls.contexts() == [inner, Context.PROCESS]

    run(body())


def test_xor_val_without_descriptor_waits_and_retries(profile, run, mem) -> None:
    async def body() -> None:
        dev = RecordingDevice(mem, refuse=2)
        await engines(dev)
        parity, a, b = filled(mem, 10, 1, 2)
        result = de.SumCheck()
        tx = await async_xor_val(
            parity, [parity, a, b], 0, 3, LEN, result, init_async_submit(0, None, None, None)
        )
        assert tx is not None
        await wait_done(tx)
        assert result.value == P and parity.read(0, LEN) == pattern(10)

    run(body())


def test_xor_val_under_32_leaves_the_inner_xor_in_the_submit_ctl(run, mem) -> None:
    # 2.6.32 works on the caller's struct: after a fallback through an engine, depend_tx is
    # the (already waited-for and acked) inner xor; 2.6.29 passes arguments by value
    de.reset("2.6.32", sync_wait_timeout_ns=50_000_000)

    async def body() -> None:
        await engines(soft(mem, max_xor=2))
        parity, a, b = filled(mem, 10, 1, 2)
        submit = init_async_submit(ASYNC_TX_ACK, None, None, None)
        assert await async_xor_val(parity, [parity, a, b], 0, 3, LEN, de.SumCheck(), submit) is None
        assert submit.flags == ASYNC_TX_ACK
        assert submit.depend_tx is not None and async_tx_test_ack(submit.depend_tx)

    run(body())


def test_a_driver_that_never_frees_a_slot_is_reported(profile, run, mem) -> None:
    # the kernel would spin forever; dmasim gives up after the core's dma_sync_wait limit
    async def body() -> None:
        dev = RecordingDevice(mem, refuse=1 << 30)
        await engines(dev)
        dest, a, b = filled(mem, 10, 1, 2)
        with pytest.raises(DmaError) as err:
            await async_xor(dest, [a, b], 0, 2, LEN, init_async_submit(0, None, None, None))
        assert err.value.rule == "prep-forward-progress"
        assert dest.read(0, LEN) == pattern(10) and dev.channels[0].cookie == 0

    run(body())
