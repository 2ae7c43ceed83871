"""pyuvm environment tests (tb/uvm/): an agent per channel drives descriptor rings, a monitor
reports completions, the reference model predicts, a scoreboard compares every completed
descriptor (status word, destination bytes, irq) and, at the end, every register and the whole
memory; a coverage subscriber samples every completion (DMASIM_COVERAGE=1, docs/coverage.md).

Seeds: DMASIM_SEED=<n> reruns a test exactly (the seed is logged at its start)."""

from __future__ import annotations

import cocotb
from pyuvm import ConfigDB, uvm_root, uvm_test

from pydriver import regs
from pydriver.drivers.dmasim.hw import Op, ext_slots
from tb.bounded import until, within
from tb.dma_tb import SOAK, DmaTb, scale
from tb.uvm.env import DmaEnv
from tb.uvm.item import OPS
from tb.uvm.sequences import AllChannelsVirtualSeq, AsyncTxChainSeq


class DmaBaseTest(uvm_test):
    """Builds the env around the DmaTb the cocotb test created (class attribute `tb`); runs
    `body()` under an objection, waits for every posted descriptor to complete, then runs the
    scoreboard's final check. Both waits are bounded (the drivers' waits for ring space fail
    first when a channel stops)."""

    tb: DmaTb
    body_cycles = scale(400_000, soak=20_000_000)  # backstop for the sequences' whole body

    def channel_cfg(self, k: int) -> dict:
        return {"log2_slots": 4, "cmpl_wb": k % 2 == 0,
                "int_enable": regs.CH_INT_ENABLE_DONE_MASK}

    def build_phase(self) -> None:
        tb = self.tb
        ConfigDB().set(None, "*", "TB", tb)
        ConfigDB().set(None, "*", "CH_CFG", [self.channel_cfg(k)
                                             for k in range(tb.hw.channels)])
        ConfigDB().set(None, "*", "POLL", 16 + 8 * tb.hw.channels)
        self.env = DmaEnv("env", self)

    async def body(self) -> None:
        raise NotImplementedError

    async def run_phase(self) -> None:
        self.raise_objection()
        tb, sb = self.tb, self.env.scoreboard
        await self.env.wait_configured()
        start = tb.now()
        await within(self.body(), self.body_cycles, "end of the sequences", tb.state_of)
        # the drivers may still hold their last batch (at most half a ring each): doubled
        timeout = 2 * tb.estimate_cycles(self.env.predictor.descs) + 2000
        await until(lambda: not self.env.outstanding, tb.dut.clk, timeout,
                    "completion of every posted descriptor", tb.state_of, poll=32)
        self.cycles = tb.now() - start
        self.logger.info(f"all {sb.checked} descriptors completed in {self.cycles} cycles")
        await sb.final_check()
        self.drop_objection()


class UvmRandomAllChannels(DmaBaseTest):
    """Random MEMCPY/XOR/XOR_VAL/FILL/INTERRUPT on every channel at once, more descriptors than
    the small rings hold (the drivers append while the channels run; HEAD wraps)."""

    def channel_cfg(self, k: int) -> dict:
        # The smallest ring whose half holds the largest descriptor: wraps early.
        biggest = 1 + ext_slots(Op.XOR, self.tb.hw.max_xor_srcs)
        return {**super().channel_cfg(k), "log2_slots": max(3, (2 * biggest - 1).bit_length())}

    async def body(self) -> None:
        tb = self.tb
        few = tb.hw.channels <= 4
        n = scale(100 if few else 60, icarus=40 if few else 10, soak=600)
        max_len = scale(32 * tb.hw.data_bytes, icarus=16 * tb.hw.data_bytes, soak=4096)
        self.vseq = AllChannelsVirtualSeq("vseq", tb, self.env.sequencers, n, max_len)
        await self.vseq.start()
        self.expected_items = n * tb.hw.channels

    def check_phase(self) -> None:
        sb = self.env.scoreboard
        assert sb.checked == self.expected_items, \
            f"{sb.checked} completions checked of {self.expected_items}"
        # Every item completed and was compared: what was sent is what was exercised.
        items = [i for seq in self.vseq.seqs for i in seq.items]
        for seq in self.vseq.seqs:
            missing = set(OPS) - {i.op for i in seq.items}
            assert not missing, f"channel {seq.channel} never ran {sorted(missing)}"
        kinds = {"int_en": any(i.int_en for i in items), "fence": any(i.fence for i in items),
                 "xor_in_place": any(i.op == "xor" and i.in_place is not None for i in items),
                 "xor_val_zero": any(i.op == "xor_val" and i.xor_zero for i in items),
                 "xor_val_nonzero": any(i.op == "xor_val" and not i.xor_zero for i in items)}
        missing = [k for k, seen in kinds.items() if not seen]
        assert not missing, f"never completed: {missing}"
        wrapped = [ch.index for ch in self.tb.channels.values() if ch.tail > ch.setup.nslots]
        self.logger.info(f"rings that wrapped: channels {wrapped}")
        assert wrapped, "no ring wrapped: the append-while-running path was not exercised"


class UvmAsyncTxChain(DmaBaseTest):
    """async_tx-like chains (MEMCPY into an XOR source, in-place XOR, parity, XOR_VAL check,
    copy-out, INTERRUPT callback) on every channel at once."""

    def channel_cfg(self, k: int) -> dict:
        return {**super().channel_cfg(k), "log2_slots": 5}

    async def body(self) -> None:
        tb = self.tb
        rounds = scale(10, icarus=4 if tb.hw.channels <= 4 else 2, soak=50)
        length = scale(8 * tb.hw.data_bytes + 5, icarus=4 * tb.hw.data_bytes + 5, soak=3000)
        self.seqs = [AsyncTxChainSeq("chain", tb, k, rounds, length)
                     for k in range(tb.hw.channels)]
        tasks = [cocotb.start_soon(s.start(seqr))
                 for s, seqr in zip(self.seqs, self.env.sequencers, strict=True)]
        for t in tasks:
            await t

    def check_phase(self) -> None:
        tb, sb = self.tb, self.env.scoreboard
        for seq in self.seqs:
            for addr, want in seq.expect:
                assert tb.ram.read(addr, len(want)) == want, \
                    f"channel {seq.channel}: copied-out parity at 0x{addr:x} is wrong"
            for item in seq.zero_checks:
                status = sb.statuses[(item.channel, item.seq_no)]
                assert status == 0x8000_0000, f"{item}: parity check status 0x{status:08x}"
        for k in range(tb.hw.channels):
            assert tb.irq(k), f"channel {k}: no irq after the INTERRUPT callbacks"


async def run_uvm(dut, test_cls, name: str, mem_size: int) -> None:
    test_cls.tb = await DmaTb.create(dut, mem_size=mem_size, name=name)
    await uvm_root().run_test(test_cls)


@cocotb.test()
async def uvm_random_all_channels(dut):
    """pyuvm: UvmRandomAllChannels (random mixed descriptors, every channel concurrently)."""
    await run_uvm(dut, UvmRandomAllChannels, "uvm_random_all_channels",
                  1 << 25 if SOAK else 1 << 23)


@cocotb.test()
async def uvm_async_tx_chain(dut):
    """pyuvm: UvmAsyncTxChain (FENCE-ordered dependency chains on every channel)."""
    await run_uvm(dut, UvmAsyncTxChain, "uvm_async_tx_chain", 1 << 21)
