"""The per-CPU channel table: rebalancing, dma_find_channel, on_cpu, issue_pending_all
(docs/kernel-model.md, R12-R18)."""

from __future__ import annotations

import asyncio
import errno
import warnings

import pytest

from pydriver import dmaengine as de
from pydriver.errors import DmaBug
from pydriver.runtime import get_runtime
from pydriver.soft import SoftDmaDevice
from tests.support.engines import register, table_names
from tests.support.waiting import settle

MEMCPY_XOR = (de.DMA_MEMCPY, de.DMA_XOR)


def test_worked_example_two_cpus(profile: str, run, make_soft) -> None:
    de.reset(profile, nr_cpus=2)
    a = make_soft(3, caps=MEMCPY_XOR)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        assert table_names(de.DMA_MEMCPY) == ["dma0chan0", "dma0chan1"]
        # n keeps counting: XOR cpu0 gets n=2 -> chan2; cpu1 n=3 misses -> least used, first
        assert table_names(de.DMA_XOR) == ["dma0chan2", "dma0chan0"]
        assert [c.table_count for c in a.channels] == [2, 1, 1]

    run(body())


def test_counter_runs_across_capabilities_no_device_offers(run, make_soft) -> None:
    # MEMSET is table column 7 under 2.6.29 (after 6 operation columns nobody offers)
    # but column 5 under 2.6.32: the counter reaches it with different values.
    async def body() -> tuple[list, list]:
        a = make_soft(12, caps=(de.DMA_MEMCPY, de.DMA_MEMSET))
        await register(a)
        await de.dmaengine_get()
        return table_names(de.DMA_MEMCPY), table_names(de.DMA_MEMSET)

    de.reset("2.6.32", nr_cpus=2)
    memcpy32, memset32 = run(body())
    de.reset("2.6.29", nr_cpus=2)
    memcpy29, memset29 = run(body())
    assert memcpy32 == memcpy29 == ["dma0chan0", "dma0chan1"]
    # 2.6.32: columns MEMCPY XOR PQ XOR_VAL PQ_VAL MEMSET -> n = 10, 11
    assert memset32 == ["dma0chan10", "dma0chan11"]
    # 2.6.29: n = 14, 15 miss the 12 channels -> least used (chan0/1 already used by MEMCPY)
    assert memset29 == ["dma0chan2", "dma0chan3"]


def test_uniprocessor_gives_each_capability_the_least_used_channel(
    profile: str, run, make_soft
) -> None:
    a = make_soft(2, caps=MEMCPY_XOR)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        assert table_names(de.DMA_MEMCPY) == ["dma0chan0"]
        assert table_names(de.DMA_XOR) == ["dma0chan1"]  # operation isolation

    run(body())


def test_uniprocessor_walks_devices_in_registration_order(profile: str, run, make_soft) -> None:
    a = make_soft(1, caps=(de.DMA_MEMCPY,))
    b = make_soft(1, caps=MEMCPY_XOR)
    c = make_soft(1, caps=(de.DMA_XOR, de.DMA_MEMSET))

    async def body() -> None:
        await register(a, b, c)
        await de.dmaengine_get()
        assert table_names(de.DMA_MEMCPY) == ["dma0chan0"]
        assert table_names(de.DMA_XOR) == ["dma1chan0"]
        assert table_names(de.DMA_MEMSET) == ["dma2chan0"]
        assert table_names(de.DMA_XOR_VAL) == [None]

    run(body())


def test_only_online_cpus_get_entries(profile: str, run, make_soft) -> None:
    de.reset(profile, nr_cpus=4, online_cpus=(0, 2))
    a = make_soft(4, caps=(de.DMA_MEMCPY,))

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        # n advances per online CPU only; offline CPUs keep NULL (R18)
        assert table_names(de.DMA_MEMCPY) == ["dma0chan0", None, "dma0chan1", None]
        with de.on_cpu(2):
            assert de.dma_find_channel(de.DMA_MEMCPY) is a.channels[1]
        with pytest.raises(ValueError, match="not online"), de.on_cpu(1):
            pass

    run(body())


def test_unreferenced_and_private_channels_are_not_in_the_table(
    profile: str, run, make_soft
) -> None:
    de.reset(profile, nr_cpus=2)
    a = make_soft(2)
    a.channels[0].alloc_error = -errno.ENOMEM
    b = make_soft(1)

    async def body() -> None:
        await register(a, b)
        await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY),
                                     lambda c, p: c.device is b)  # fmt: skip
        await de.dmaengine_get()
        assert table_names(de.DMA_MEMCPY) == ["dma0chan1", "dma0chan1"]

    run(body())


def test_find_channel_follows_the_current_cpu(profile: str, run, make_soft) -> None:
    de.reset(profile, nr_cpus=3)
    a = make_soft(3, caps=(de.DMA_MEMCPY,))

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        assert de.current_cpu() == 0
        seen = []
        for cpu in range(3):
            with de.on_cpu(cpu):
                assert de.current_cpu() == cpu
                seen.append(de.dma_find_channel(de.DMA_MEMCPY))
        assert seen == a.channels
        with de.on_cpu(2):
            with de.on_cpu(1):
                assert de.current_cpu() == 1
            assert de.current_cpu() == 2
        assert de.dma_find_channel(de.DMA_MEMCPY) is a.channels[0]

    run(body())


def test_cpu_carries_into_tasks_and_tasklets(run) -> None:
    de.reset(nr_cpus=2)
    seen: list[int] = []

    async def child() -> None:
        seen.append(de.current_cpu())

    async def body() -> None:
        rt = get_runtime()
        with de.on_cpu(1):
            task = rt.spawn(child())
            rt.schedule_tasklet(lambda: seen.append(de.current_cpu()))
        await task
        await settle()
        assert de.current_cpu() == 0

    run(body())
    assert seen == [1, 1]


def test_on_cpu_is_per_task(run) -> None:
    de.reset(nr_cpus=2)
    seen: dict[str, list[int]] = {"a": [], "b": []}

    async def on_one() -> None:
        with de.on_cpu(1):
            for _ in range(3):
                seen["a"].append(de.current_cpu())
                await asyncio.sleep(0)

    async def default() -> None:
        for _ in range(3):
            seen["b"].append(de.current_cpu())
            await asyncio.sleep(0)

    async def body() -> None:
        await asyncio.gather(on_one(), default())

    run(body())
    assert seen == {"a": [1, 1, 1], "b": [0, 0, 0]}


def test_on_cpu_argument_checks() -> None:
    de.reset(nr_cpus=2)
    with pytest.raises(TypeError), de.on_cpu("1"):  # type: ignore[arg-type]
        pass
    with pytest.raises(ValueError), de.on_cpu(2):
        pass
    assert de.nr_cpus() == 2 and de.online_cpus() == (0, 1)


def test_find_channel_misuse(profile: str) -> None:
    with pytest.raises(DmaBug, match="no channel table") as e:
        de.dma_find_channel(de.DMA_INTERRUPT)
    assert e.value.rule == "find-channel-table"
    with pytest.raises(DmaBug):
        de.dma_find_channel(de.DMA_PRIVATE)
    missing = de.DMA_PQ if profile == "2.6.29" else de.DMA_PQ_XOR
    with pytest.raises(ValueError, match="does not exist"):
        de.dma_find_channel(missing)
    with pytest.raises(TypeError):
        de.dma_find_channel("memcpy")  # type: ignore[arg-type]


def test_32_has_an_async_tx_column(run, make_soft) -> None:
    de.reset("2.6.32")
    full = make_soft(1)  # every async_tx op: gets DMA_ASYNC_TX
    part = make_soft(1, caps=(de.DMA_MEMCPY,))

    async def body() -> None:
        await register(part, full)
        await de.dmaengine_get()
        assert table_names(de.DMA_ASYNC_TX) == ["dma1chan0"]
        assert table_names(de.DMA_MEMCPY) == ["dma0chan0"]

    run(body())


def test_rebalance_triggers(profile: str, run, make_soft) -> None:
    a, b = make_soft(1), make_soft(1)

    async def body() -> None:
        st = de.state()
        n = st.rebalances
        await register(a)
        assert st.rebalances == n + 1  # register
        await de.dmaengine_get()
        assert st.rebalances == n + 2  # first get
        await register(b)
        assert st.rebalances == n + 3
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY),
                                            lambda c, p: False)  # fmt: skip
        assert chan is None
        await de.dmaengine_put()
        assert st.rebalances == n + 3  # request and put never rebalance
        await de.dma_async_device_unregister(b)
        assert st.rebalances == n + 4  # unregister

    run(body())


def test_table_follows_register_and_unregister(profile: str, run, make_soft) -> None:
    a, b = make_soft(1, caps=(de.DMA_MEMCPY,)), make_soft(1)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        assert table_names(de.DMA_XOR) == [None]
        await register(b)  # registered while a get is outstanding: referenced and tabled
        assert b.channels[0].client_count == 1
        assert table_names(de.DMA_XOR) == ["dma1chan0"]
        await de.dmaengine_put()
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            await de.dma_async_device_unregister(b)
        assert got == []  # nobody holds b any more: no warning
        assert table_names(de.DMA_XOR) == [None]  # unregister rebalanced: b is gone

    run(body())


class IssueSpy(SoftDmaDevice):
    def device_issue_pending(self, chan: de.DmaChan) -> None:
        self.issued.append(chan.name)
        super().device_issue_pending(chan)


def test_issue_pending_all_flushes_shared_channels_only(profile: str, run, mem) -> None:
    pub = IssueSpy(mem, 2, name="pub")
    priv = IssueSpy(mem, 1, name="priv")
    idle = IssueSpy(mem, 1, name="idle", alloc_error=-errno.ENOMEM)
    for d in (pub, priv, idle):
        d.issued = []

    async def body() -> None:
        await register(pub, priv, idle)
        chan = await de.dma_request_channel(de.dma_cap_mask_t(de.DMA_MEMCPY),
                                            lambda c, p: c.device is priv)  # fmt: skip
        assert chan is priv.channels[0]
        await de.dmaengine_get()
        de.dma_issue_pending_all()
        assert pub.issued == ["dma0chan0", "dma0chan1"]
        assert priv.issued == [] and idle.issued == []  # private never; unreferenced never

    run(body())


def test_issue_pending_all_moves_queued_work(profile: str, run, make_soft, mem) -> None:
    a = make_soft(1)

    async def body() -> None:
        await register(a)
        await de.dmaengine_get()
        chan = de.dma_find_channel(de.DMA_MEMCPY)
        src, dst = mem.alloc_pages(2)
        src.fill(0x5A)
        tx = a.device_prep_dma_memcpy(chan, dst.addr, src.addr, 64, 0)
        cookie = tx.tx_submit()
        await asyncio.sleep(0.002)
        assert dst.read(0, 64) == bytes(64)  # submitted, not issued: nothing ran
        de.dma_issue_pending_all()
        assert await de.dma_sync_wait(chan, cookie) == de.DMA_SUCCESS
        assert dst.read(0, 64) == b"\x5a" * 64

    run(body())
