"""The predictor: runs the reference model (tb/refmodel.py) on every batch the drivers post."""

from __future__ import annotations

from pyuvm import ConfigDB, uvm_analysis_port, uvm_subscriber

from tb.dma_tb import DmaTb
from tb.refmodel import Outcome, SimMemory, UnspecifiedBehaviour, run_channel
from tb.uvm.item import Expectation, PostedBatch


class Predictor(uvm_subscriber):
    """Keeps the model's memory image. A batch (received before its doorbell) is written into the
    image's ring exactly where the driver wrote it, executed by `run_channel`, and every
    descriptor's expected status word and destination bytes go to the scoreboard on `ap`.

    Memory the bench allocated since the last batch (fresh buffers the sequences prepared, rings)
    is copied into the image first: the allocator never reuses memory, so the hardware cannot
    have touched it before a descriptor pointing at it is posted."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.tb: DmaTb = ConfigDB().get(self, "", "TB")
        self.model: SimMemory | None = None
        self.synced = 0  # RAM offset up to which the image mirrors the bench's allocations
        self.outcomes: list[Outcome] = []  # every batch, in order
        self.last: dict[int, Outcome] = {}  # per channel, the latest batch
        self.int_en: dict[int, int] = {}  # per channel, INT_EN completions predicted
        self.descs: list = []
        self.errors = 0

    def sync(self) -> None:
        tb = self.tb
        cursor = tb._next  # the allocator's cursor (offset into the RAM)
        if self.model is None:
            self.model = tb.snapshot()
        elif cursor > self.synced:
            self.model.write(tb.base + self.synced,
                             tb.ram.read(tb.base + self.synced, cursor - self.synced))
        self.synced = max(self.synced, cursor)

    def write(self, batch: PostedBatch) -> None:
        tb = self.tb
        self.sync()
        ch = tb.channels[batch.channel]
        for item in batch.items:
            ch.setup.ring.store(self.model.write, item.count, item.desc.encode())
        self.descs += [i.desc for i in batch.items]
        try:
            out = run_channel(self.model, tb.hw, ch.setup, batch.start, batch.tail)
        except UnspecifiedBehaviour as exc:
            self.errors += 1
            self.logger.error(f"channel {batch.channel}: illegal stimulus: {exc}")
            return
        if out.halted:
            self.errors += 1
            self.logger.error(f"channel {batch.channel}: the model halts on this batch "
                              f"({out.err_code!r}): the sequences only build good descriptors")
        self.outcomes.append(out)
        self.last[batch.channel] = out
        self.int_en[batch.channel] = self.int_en.get(batch.channel, 0) + out.int_en_completions
        statuses = out.statuses
        for item in batch.items:
            dst = item.dst_range()
            self.ap.write(Expectation(
                channel=batch.channel, seq_no=item.seq_no, count=item.count,
                status=statuses.get(item.count, -1), dst=dst,
                dst_bytes=self.model.read(*dst) if dst else b""))
