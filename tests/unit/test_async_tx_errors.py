"""Bad input to async_tx (docs/kernel-model.md, Bad input): a DmaError (DmaTypeError for wrong
types) naming the rule, and nothing queued, written, acked or called back."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pydriver import dmaengine as de
from pydriver.async_tx import (
    ASYNC_TX_ACK,
    ASYNC_TX_DEP_ACK,
    ASYNC_TX_FENCE,
    ASYNC_TX_XOR_DROP_DST,
    ASYNC_TX_XOR_ZERO_DST,
    async_memcpy,
    async_memset,
    async_trigger_callback,
    async_tx_test_ack,
    async_xor,
    async_xor_val,
    init_async_submit,
)
from pydriver.errors import DmaBug, DmaError, DmaTypeError, DmaValueError
from pydriver.memory import Page, SystemMemory
from tests.support.callbacks import Calls
from tests.support.engines import chan_state, engines, soft
from tests.support.pages import LEN, filled, snapshot

ZERO, DROP = ASYNC_TX_XOR_ZERO_DST, ASYNC_TX_XOR_DROP_DST


@dataclass
class Env:
    dest: Page
    a: Page
    b: Page
    foreign: Page
    calls: Calls

    def ctl(self, flags: int = 0, depend=None):
        return init_async_submit(flags, depend, *self.calls.cb("must not run"))


# name -> (call, exception, rule or None)
CASES = {
    "xor one source": (
        lambda e: async_xor(e.dest, [e.a], 0, 1, LEN, e.ctl(ZERO)),
        DmaBug,
        "xor-src-cnt",
    ),
    "xor zero sources": (
        lambda e: async_xor(e.dest, [], 0, 0, LEN, e.ctl(ZERO)),
        DmaBug,
        "xor-src-cnt",
    ),
    "xor_val one source": (
        lambda e: async_xor_val(e.dest, [e.dest], 0, 1, LEN, de.SumCheck(), e.ctl()),
        DmaBug,
        "xor-src-cnt",
    ),
    "xor src_cnt past list": (
        lambda e: async_xor(e.dest, [e.a, e.b], 0, 3, LEN, e.ctl(ZERO)),
        DmaValueError,
        "xor-src-cnt",
    ),
    "memcpy length 0": (
        lambda e: async_memcpy(e.dest, e.a, 0, 0, 0, e.ctl()),
        DmaValueError,
        "length-nonzero",
    ),
    "memset length 0": (
        lambda e: async_memset(e.dest, 0, 0, 0, e.ctl()),
        DmaValueError,
        "length-nonzero",
    ),
    "xor length 0": (
        lambda e: async_xor(e.dest, [e.a, e.b], 0, 2, 0, e.ctl(ZERO)),
        DmaValueError,
        "length-nonzero",
    ),
    "memcpy past dest page": (
        lambda e: async_memcpy(e.dest, e.a, 4000, 0, LEN, e.ctl()),
        DmaValueError,
        "range-in-page",
    ),
    "memcpy past src page": (
        lambda e: async_memcpy(e.dest, e.a, 0, 3841, LEN, e.ctl()),
        DmaValueError,
        "range-in-page",
    ),
    "memset past page": (
        lambda e: async_memset(e.dest, 1, 3900, LEN, e.ctl()),
        DmaValueError,
        "range-in-page",
    ),
    "xor past page": (
        lambda e: async_xor(e.dest, [e.a, e.b], 3900, 2, LEN, e.ctl(ZERO)),
        DmaValueError,
        "range-in-page",
    ),
    "xor_val past page": (
        lambda e: async_xor_val(e.dest, [e.dest, e.a], 4000, 2, LEN, de.SumCheck(), e.ctl()),
        DmaValueError,
        "range-in-page",
    ),
    "negative offset": (
        lambda e: async_memset(e.dest, 1, -1, LEN, e.ctl()),
        DmaValueError,
        "range-in-page",
    ),
    "unknown flag": (
        lambda e: async_memcpy(e.dest, e.a, 0, 0, LEN, e.ctl(1 << 10)),
        DmaValueError,
        "known-flags",
    ),
    "negative flags": (
        lambda e: async_memcpy(e.dest, e.a, 0, 0, LEN, e.ctl(-1)),
        DmaValueError,
        "known-flags",
    ),
    "memcpy from another memory": (
        lambda e: async_memcpy(e.dest, e.foreign, 0, 0, LEN, e.ctl()),
        DmaValueError,
        "same-memory",
    ),
    "xor source in another memory": (
        lambda e: async_xor(e.dest, [e.a, e.foreign], 0, 2, LEN, e.ctl(ZERO)),
        DmaValueError,
        "same-memory",
    ),
    "memset value not a byte": (
        lambda e: async_memset(e.dest, 256, 0, LEN, e.ctl()),
        DmaValueError,
        "fill-byte",
    ),
    "drop_dst without dest first": (
        lambda e: async_xor(e.dest, [e.a, e.b], 0, 2, LEN, e.ctl(DROP)),
        DmaValueError,
        "xor-dest-flags",
    ),
    "zero_dst and drop_dst": (
        lambda e: async_xor(e.dest, [e.dest, e.a], 0, 2, LEN, e.ctl(ZERO | DROP)),
        DmaValueError,
        "xor-dest-flags",
    ),
    "xor_val without dest first": (
        lambda e: async_xor_val(e.dest, [e.a, e.b], 0, 2, LEN, de.SumCheck(), e.ctl()),
        DmaValueError,
        "xor-dest-flags",
    ),
    "xor_val result not a holder": (
        lambda e: async_xor_val(e.dest, [e.dest, e.a], 0, 2, LEN, [0], e.ctl()),
        DmaTypeError,
        None,
    ),
    "dest not a page": (lambda e: async_memcpy(b"x", e.a, 0, 0, LEN, e.ctl()), DmaTypeError, None),
    "source not a page": (
        lambda e: async_xor(e.dest, [e.a, 7], 0, 2, LEN, e.ctl(ZERO)),
        DmaTypeError,
        None,
    ),
    "length not an int": (lambda e: async_memset(e.dest, 0, 0, 1.5, e.ctl()), DmaTypeError, None),
    "submit not a ctl": (lambda e: async_memcpy(e.dest, e.a, 0, 0, LEN, None), DmaTypeError, None),
    "depend not a descriptor": (
        lambda e: async_trigger_callback(e.ctl(0, "tx")),
        DmaTypeError,
        None,
    ),
}


@pytest.fixture(params=["engine", "cpu"])
def path(request) -> str:
    return request.param


def make_env(mem: SystemMemory) -> Env:
    dest, a, b = filled(mem, 1, 2, 3)
    foreign = SystemMemory(4 * 4096).alloc_page()
    return Env(dest, a, b, foreign, Calls())


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_changes_nothing(profile, run, mem, path, case) -> None:
    call, exc, rule = CASES[case]

    async def body() -> None:
        dev = soft(mem)
        await engines(dev, get=path == "engine")
        env = make_env(mem)
        before, chans = snapshot(mem), chan_state(dev)
        with pytest.raises(exc) as err:
            await call(env)
        assert isinstance(err.value, DmaError)
        if rule is not None:
            assert err.value.rule == rule
        assert snapshot(mem) == before and chan_state(dev) == chans
        assert env.calls.log == []

    run(body())


@pytest.mark.parametrize("flag", [ASYNC_TX_DEP_ACK, ASYNC_TX_FENCE])
def test_flags_the_profile_lacks_are_unknown(profile, run, mem, flag) -> None:
    valid = (flag == ASYNC_TX_DEP_ACK) == (profile == "2.6.29")

    async def body() -> None:
        dev = soft(mem)
        await engines(dev)
        env = make_env(mem)
        if valid:
            tx = await async_memset(env.dest, 1, 0, LEN, env.ctl(flag))
            assert tx is not None
            return
        before, chans = snapshot(mem), chan_state(dev)
        with pytest.raises(DmaValueError, match="unknown async_tx flags") as err:
            await async_memset(env.dest, 1, 0, LEN, env.ctl(flag))
        assert err.value.rule == "known-flags"
        assert snapshot(mem) == before and chan_state(dev) == chans

    run(body())


# each dependency case is tried on an engine op (memcpy) and on a CPU op (memset: no engine)
DEPEND_OPS = {
    "engine": lambda e, dep: async_memcpy(e.dest, e.a, 0, 0, LEN, e.ctl(0, dep)),
    "cpu": lambda e, dep: async_memset(e.dest, 9, 0, LEN, e.ctl(0, dep)),
    "trigger": lambda e, dep: async_trigger_callback(e.ctl(0, dep)),
}


@pytest.mark.parametrize("op", list(DEPEND_OPS))
@pytest.mark.parametrize("bad", ["acked", "never-submitted"])
def test_bad_dependency_changes_nothing(profile, run, mem, op, bad) -> None:
    async def body() -> None:
        dev = soft(mem, de.DMA_MEMCPY, de.DMA_INTERRUPT)
        await engines(dev)
        env = make_env(mem)
        src = filled(mem, 9)[0]
        if bad == "acked":
            dep = await async_memcpy(
                env.b, src, 0, 0, LEN, init_async_submit(ASYNC_TX_ACK, None, None, None)
            )
            rule = "depend-not-acked"
        else:
            chan = dev.channels[0]
            dep = dev.device_prep_dma_memcpy(chan, env.b.addr, src.addr, LEN, 0)
            rule = "depend-submitted"
        acked = async_tx_test_ack(dep)
        before, chans = snapshot(mem), chan_state(dev)
        with pytest.raises(DmaBug) as err:
            await DEPEND_OPS[op](env, dep)
        assert err.value.rule == rule
        assert snapshot(mem) == before and chan_state(dev) == chans
        assert async_tx_test_ack(dep) == acked and dep.next is None
        assert env.calls.log == []

    run(body())


def test_engine_cannot_reach_pages_of_another_memory(profile, run, mem) -> None:
    async def body() -> None:
        dev = soft(mem)
        await engines(dev)
        other = SystemMemory(4 * 4096)
        src, dst = other.alloc_page(), other.alloc_page()
        src.write(0, b"\x42" * LEN)
        with pytest.raises(DmaValueError, match="another memory"):
            await async_memcpy(dst, src, 0, 0, LEN, init_async_submit(0, None, None, None))
        assert dst.read(0, LEN) == bytes(LEN) and dev.channels[0].cookie == 0

    run(body())
