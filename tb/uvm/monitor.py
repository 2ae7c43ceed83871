"""The completion monitor: watches a channel's HEAD, status words and irq line."""

from __future__ import annotations

from collections import deque

from pyuvm import ConfigDB, uvm_analysis_port, uvm_monitor, uvm_tlm_analysis_fifo

from pydriver import regs
from pydriver.drivers.dmasim.ring import count_add, count_distance
from tb.bounded import within
from tb.dma_tb import DmaTb
from tb.uvm.item import DescItem, Observed

CONFIGURE_CYCLES = 20000  # a dozen register writes per channel, every channel at once


class CompletionMonitor(uvm_monitor):
    """Learns what is in the ring from the driver's batches (`posted_fifo`), polls HEAD over
    AXI-Lite every `poll` cycles and, for every descriptor a HEAD advance covers, publishes an
    `Observed` (status word read from its slot, destination bytes, irq level) on `ap`.

    A HEAD that stops inside a descriptor or runs past what was posted is a protocol error."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.posted_fifo = uvm_tlm_analysis_fifo("posted_fifo", self)
        self.tb: DmaTb = ConfigDB().get(self, "", "TB")
        self.index: int = ConfigDB().get(self, "", "CHANNEL")
        self.poll: int = ConfigDB().get(self, "", "POLL")
        self.driver = None  # set by the agent: its `ready` event says the channel is configured
        self.errors = 0
        self.completed = 0
        self.head = 0  # slot count up to which completions were read and published

    def error(self, msg: str) -> None:
        self.errors += 1
        self.logger.error(msg)

    async def run_phase(self) -> None:
        tb = self.tb
        await within(self.driver.ready.wait(), CONFIGURE_CYCLES,
                     f"configuration of channel {self.index} by its driver")
        ch = self.driver.ch
        head = self.head = ch.head
        pending: deque[DescItem] = deque()
        while True:
            await tb.cycles(self.poll)
            irq = tb.irq(self.index)
            new = await tb.read(ch.reg(regs.CH_HEAD))
            if new == head:
                continue
            while True:
                ok, batch = self.posted_fifo.try_get()
                if not ok:
                    break
                pending.extend(batch.items)
            advance = count_distance(head, new)
            done: list[DescItem] = []
            while pending and count_distance(
                    head, count_add(pending[0].count, pending[0].slots)) <= advance:
                done.append(pending.popleft())
            end = count_add(done[-1].count, done[-1].slots) if done else head
            if end != new:
                self.error(f"channel {self.index}: HEAD moved {head} -> {new}, which is not the "
                           f"end of a posted descriptor (next boundary {end})")
            cycle = tb.now()
            for item in done:
                dst = item.dst_range()
                status = int.from_bytes(tb.ram.read(ch.setup.slot_addr(item.count), 4), "little")
                self.ap.write(Observed(item=item, head=new, status=status,
                                       dst_bytes=tb.ram.read(*dst) if dst else b"",
                                       irq_before=irq, cycle=cycle, batch=done))
            self.completed += len(done)
            head = self.head = new
