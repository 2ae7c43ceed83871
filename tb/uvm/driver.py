"""The ring driver: writes a channel's items into its descriptor ring and rings the doorbell."""

from __future__ import annotations

from cocotb.triggers import Event
from pyuvm import ConfigDB, uvm_analysis_port, uvm_driver

from tb.bounded import until
from tb.dma_tb import Channel, DmaTb
from tb.uvm.item import DescItem, PostedBatch


class RingDriver(uvm_driver):
    """Configures its channel (ConfigDB "CH_CFG": setup_channel keyword arguments), then pulls
    items from the sequencer and posts them in batches: up to half the ring, or up to an item
    marked `batch_end`. A batch is written into the free slots at TAIL (wrapping the ring) as soon
    as the monitor has retired enough slots, while the channel still runs the previous ones, then
    TAIL is written.

    Every batch goes out on `ap` (to the monitor and the predictor) after its slots are written
    and before the doorbell, so the model always knows a descriptor before the hardware does.

    Waiting for ring space is bounded by the time the descriptors still in the ring need
    (DmaTb.estimate_cycles, times the channels sharing the bus) plus a few monitor polls: a
    channel that stops completing fails the test with its registers instead of hanging it."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.tb: DmaTb = ConfigDB().get(self, "", "TB")
        self.index: int = ConfigDB().get(self, "", "CHANNEL")
        self.ch_cfg: dict = ConfigDB().get(self, "", "CH_CFG")
        self.ready = Event()  # set once the channel is configured
        self.ch: Channel | None = None
        self.monitor = None  # set by the agent: its `head` is the last retired slot count
        self.batches = 0
        self.unposted = 0  # items taken from the sequencer but not yet in the ring
        self.posted_items: list[DescItem] = []  # in ring order; the monitor retired a prefix

    async def configure(self) -> None:
        self.ch = await self.tb.setup_channel(self.index, **self.ch_cfg)
        self.logger.info("channel %d: ring of %d slots at 0x%x%s", self.index,
                         self.ch.setup.nslots, self.ch.setup.ring_base,
                         ", completion record" if self.ch.setup.cmpl_wb_en else "")
        self.ready.set()

    async def run_phase(self) -> None:
        await self.configure()
        limit = max(1, self.ch.setup.nslots // 2)
        batch: list[DescItem] = []
        used = 0
        seq_no = 0
        while True:
            item: DescItem = await self.seq_item_port.get_next_item()
            item.channel = self.index
            item.build(self.tb)
            item.seq_no = seq_no
            self.unposted += 1
            seq_no += 1
            assert item.slots <= limit, f"{item} needs more than half the ring"
            self.seq_item_port.item_done()
            if used + item.slots > limit:
                await self.post(batch)
                batch, used = [], 0
            batch.append(item)
            used += item.slots
            if item.batch_end or used == limit:
                await self.post(batch)
                batch, used = [], 0

    async def post(self, batch: list[DescItem]) -> None:
        if not batch:
            return
        tb, ch = self.tb, self.ch
        need = sum(i.slots for i in batch)
        # Room in the ring: a slot is free once the monitor retired it (read its status word
        # after HEAD passed it), as a completion handler frees slots for the submitter.
        def room() -> bool:
            return ch.setup.ring.free(self.monitor.head, ch.tail) >= need

        if not room():
            # the channel shares the bus with every other one: at worst a 1/channels share
            busy = self.posted_items[self.monitor.completed:]
            budget = (tb.estimate_cycles([i.desc for i in busy]) * tb.hw.channels
                      + 4 * self.monitor.poll)
            await until(room, tb.dut.clk, budget,
                        f"{need} free slots in channel {self.index}'s ring (TAIL {ch.tail}, "
                        f"retired up to {self.monitor.head}, {ch.setup.nslots} slots)",
                        lambda: tb.state_of(self.index), poll=16)
        start = ch.tail
        counts = tb.post(ch, [i.desc for i in batch])
        for item, count in zip(batch, counts, strict=True):
            item.count = count
        self.posted_items += batch
        self.ap.write(PostedBatch(self.index, list(batch), start, ch.tail))
        self.unposted -= len(batch)
        await tb.doorbell(ch)
        self.batches += 1
        self.logger.debug("ch%d: posted %d descriptors, slots %d..%d", self.index, len(batch),
                          start, ch.tail)
