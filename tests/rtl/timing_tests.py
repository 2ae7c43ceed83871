"""Exact cycle counts and fetch limits of docs/descriptor.md ("Timing"), each measured by
cycle-stamped monitors of the ports (tb/cycle_monitors.py), never by polling registers:

- doorbell to the first descriptor read (ARVALID 2 cycles after the TAIL write is accepted);
- descriptor fetch bursts: at most F slots, never across the ring's end or a 4 KiB boundary, one
  at a time, and exactly 17 slots read ahead of a channel whose completions are held up;
- outstanding bursts: with read data held up, exactly 16 data read bursts; with write
  responses held up, exactly 8 bursts' data sent and 4 more bursts accepted on AW (the RAM's
  queues deepened so that the controller's limits show);
- the last completion write's response to HEAD and to a COUNT-coalesced DONE (2 cycles), and to
  a TIMEOUT-coalesced DONE (2 + TIMEOUT cycles, from the first unreported completion).
"""

from __future__ import annotations

import cocotb

from pydriver import regs
from pydriver.drivers.dmasim.hw import SLOT_BYTES, Interrupt
from tb import stimulus, timing
from tb.aim import AimedAccess
from tb.bounded import until
from tb.cycle_monitors import Levels, axi_channel
from tb.dma_tb import Channel, DmaTb

DONE = regs.CH_INT_CAUSE_DONE_MASK
WAIT = 2000  # cycles any single step here may take


class Ports:
    """The monitors the timing checks read: descriptor reads, their data, write responses, the
    TAIL writes and the irq lines."""

    def __init__(self, tb: DmaTb) -> None:
        dut = tb.dut
        self.tb = tb
        self.ar = axi_channel(dut, "m_axi_ar", "id", "addr", "len")
        self.r = axi_channel(dut, "m_axi_r", "id", "last")
        self.b = axi_channel(dut, "m_axi_b", "id")
        self.aw = axi_channel(dut, "m_axi_aw", "id")
        self.w = axi_channel(dut, "m_axi_w", "last")
        self.lite = axi_channel(dut, "s_axil_aw", "addr")
        self.irq = Levels(dut.irq)

    async def doorbell(self, ch: Channel) -> int:
        """Ring the doorbell; the cycle the TAIL write was accepted in."""
        start = self.tb.now()
        await self.tb.doorbell(ch)
        hs = await self.lite.next(WAIT, "TAIL write", lambda h: h["addr"] == ch.reg(regs.CH_TAIL),
                                  after=start - 1)
        return hs.cycle

    async def response(self, ch: Channel, nth: int, after: int) -> int:
        """The cycle of the `nth` (from 1) write response of channel `ch`'s descriptors and status
        (AXI ID 2n) after cycle `after`."""
        def mine(h) -> bool:
            return h["id"] == 2 * ch.index

        for _ in range(nth):
            after = (await self.b.next(WAIT, f"write response of channel {ch.index}", mine,
                                       after, lambda: self.tb.state_of(ch))).cycle
        return after

    def fetches(self, ch: Channel, after: int = -1) -> list:
        """Channel `ch`'s descriptor reads (AXI ID 2n) after cycle `after`."""
        return self.ar.matching(lambda h: h["id"] == 2 * ch.index, after)

    async def first_fetch(self, ch: Channel, after: int):
        return await self.ar.next(WAIT, f"descriptor read of channel {ch.index}",
                                  lambda h: h["id"] == 2 * ch.index, after,
                                  lambda: self.tb.state_of(ch))

    def slots_of(self, burst) -> int:
        beats_per_slot = SLOT_BYTES // self.tb.hw.data_bytes
        assert (burst["len"] + 1) % beats_per_slot == 0, f"a descriptor read of part of a slot: " \
            f"{burst}"
        return (burst["len"] + 1) // beats_per_slot


async def finish(tb: DmaTb, ch: Channel, timeout: int = WAIT) -> None:
    await tb.wait_settled(ch, timeout=timeout)
    await tb.check(ch)


@cocotb.test()
async def doorbell_to_first_fetch(dut):
    """On an idle channel the first descriptor read (ID 2n, the slot at HEAD, min(F, TAIL - HEAD,
    to the ring's end, to 4 KiB) slots) has ARVALID exactly 2 cycles after the TAIL write is
    accepted: with one descriptor and with more than a burst, on the first and last channel."""
    tb = await DmaTb.create(dut)
    ports = Ports(tb)
    f = timing.fetch_slots_max(tb.hw.data_bytes)
    last = tb.hw.channels - 1
    for k in tb.pick(range(tb.hw.channels), icarus=2, keep=(0, last)):
        for count in (1, f + 3):
            ch = await tb.setup_channel(k)
            tb.post(ch, [Interrupt() for _ in range(count)])
            tb.predict([ch])
            rung = await ports.doorbell(ch)
            hs = await ports.first_fetch(ch, rung)
            want = timing.fetch_burst(tb.hw.data_bytes, ch.setup.nslots,
                                      ch.setup.slot_addr(ch.head), ch.head, ch.tail)
            tb.log.info("channel %d, %d slots: ARVALID %d cycles after the doorbell, %d slots",
                        k, count, hs.valid_from - rung, ports.slots_of(hs))
            assert hs.valid_from - rung == timing.DOORBELL_TO_FETCH, \
                f"first descriptor read {hs.valid_from - rung} cycles after the doorbell"
            assert hs["addr"] == ch.setup.slot_addr(ch.head), f"fetch of 0x{hs['addr']:x}"
            assert ports.slots_of(hs) == want, f"first burst of {ports.slots_of(hs)} slots"
            await finish(tb, ch)


@cocotb.test()
async def fetch_bursts_and_prefetch_depth(dut):
    """A ring starting 3 slots below a 4 KiB boundary, 24 INTERRUPTs, every write response held
    back: the first burst stops at the boundary, every burst carries at most F slots, starts
    where the previous one ended and only after its last beat, and exactly 17 slots are read
    ahead (8 executing + 1 decoding + 8 queued), then nothing more until responses flow. Then
    16 more across the ring's end: no burst crosses it."""
    tb = await DmaTb.create(dut)
    ports = Ports(tb)
    f = timing.fetch_slots_max(tb.hw.data_bytes)
    page = tb.alloc(3 * timing.PAGE, align=timing.PAGE, offset=0)
    ring = page + timing.PAGE - 3 * SLOT_BYTES
    ch = await tb.setup_channel(0, log2_slots=5, ring_base=ring)
    tb.post(ch, [Interrupt() for _ in range(24)])
    tb.predict([ch])
    tb.ram.set_pause(b=1.0)
    rung = await ports.doorbell(ch)
    limit = timing.prefetch_limit()

    def fetched() -> int:
        return sum(ports.slots_of(h) for h in ports.fetches(ch, rung))

    await until(lambda: fetched() >= limit, dut.clk, WAIT, f"{limit} slots fetched",
                lambda: tb.state_of(ch))
    await tb.cycles(300)  # nothing more may come while no descriptor completes
    bursts = ports.fetches(ch, rung)
    tb.log.info("fetch bursts (cycle, first slot, slots): %s",
                [(h.cycle - rung, (h["addr"] - ring) // SLOT_BYTES, ports.slots_of(h))
                 for h in bursts])
    assert fetched() == limit, f"{fetched()} slots read ahead, expected {limit}"
    assert ports.slots_of(bursts[0]) == min(f, 3), "the first burst does not stop at 4 KiB"
    check_bursts(ports, ch, bursts, ch.head)
    tb.ram.set_pause(b=0.0)
    await finish(tb, ch)
    # across the ring's end
    tb.post(ch, [Interrupt() for _ in range(16)])
    tb.predict([ch])
    start = ch.head
    rung = await ports.doorbell(ch)
    await finish(tb, ch)
    check_bursts(ports, ch, ports.fetches(ch, rung), start)


def check_bursts(ports: Ports, ch: Channel, bursts: list, fetched: int) -> None:
    """Every burst: F slots at most, contiguous from slot count `fetched`, not across the ring's
    end or a 4 KiB boundary, its ARVALID only after the previous burst's last data beat."""
    tb = ports.tb
    f = timing.fetch_slots_max(tb.hw.data_bytes)
    nslots = ch.setup.nslots
    prev_last = -1
    for h in bursts:
        n = ports.slots_of(h)
        pos = fetched % nslots
        assert h["addr"] == ch.setup.slot_addr(fetched), \
            f"burst at 0x{h['addr']:x}, expected slot count {fetched}"
        assert 1 <= n <= f, f"burst of {n} slots (F = {f})"
        assert pos + n <= nslots, f"burst of {n} slots from slot {pos} crosses the ring's end"
        assert h["addr"] // timing.PAGE == (h["addr"] + n * SLOT_BYTES - 1) // timing.PAGE, \
            f"burst of {n} slots at 0x{h['addr']:x} crosses 4 KiB"
        assert h.valid_from > prev_last, "a descriptor read issued before the previous one ended"
        ends = ports.r.matching(lambda r: r["id"] == 2 * ch.index and r["last"] == 1, h.cycle)
        prev_last = ends[0].cycle if ends else prev_last
        fetched += n


@cocotb.test()
async def outstanding_bursts(dut):
    """The RAM queues 64 transfers per AXI channel. A long XOR of the most sources with read data
    held up after its first data read: exactly 16 read bursts go out, then none. A long copy with
    write responses held up: the data of exactly 8 bursts is sent and 4 more bursts are accepted
    on AW, then nothing. Released, both complete as the model says."""
    tb = await DmaTb.create(dut, mem_size=1 << 21)
    ports = Ports(tb)
    tb.ram.set_queue_depth(64)
    ch = await tb.setup_channel(0)
    data_id = 2 * ch.index + 1
    block = timing.MAX_BURST_LEN * tb.hw.data_bytes

    def since(mon, rung: int, pred=lambda h: h["id"] == data_id) -> int:
        return len(mon.matching(pred, rung))

    # reads
    xor = stimulus.xor(tb, tb.hw.max_xor_srcs, 24 * block)
    tb.post(ch, [xor])
    tb.predict([ch])
    rung = await ports.doorbell(ch)
    await ports.ar.next(WAIT, "first data read", lambda h: h["id"] == data_id, rung)
    tb.ram.set_pause(r=1.0)  # from the next cycle: the descriptor itself is in
    await held_until(tb, ch, lambda: since(ports.ar, rung) >= timing.READS_OUTSTANDING)
    reads = since(ports.ar, rung)
    tb.log.info("read data held up: %d data read bursts", reads)
    assert reads == timing.READS_OUTSTANDING, f"{reads} read bursts outstanding"
    tb.ram.set_pause(r=0.0)
    await finish(tb, ch, tb.estimate_cycles([xor]))
    # writes
    copy = stimulus.memcpy(tb, 24 * block, dst=tb.alloc(24 * block, align=block, offset=0))
    tb.post(ch, [copy])
    tb.predict([ch])
    tb.ram.set_pause(b=1.0)
    rung = await ports.doorbell(ch)
    want = (timing.WRITES_UNANSWERED + timing.WRITES_AHEAD, timing.WRITES_UNANSWERED, 0)

    def counts() -> tuple[int, int, int]:
        """(write bursts on AW, bursts whose data went out, responses) since the doorbell"""
        return (since(ports.aw, rung), since(ports.w, rung, lambda h: h["last"] == 1),
                since(ports.b, rung))

    await held_until(tb, ch, lambda: counts()[0] >= want[0])
    tb.log.info("write responses held up: (AW, data sent, answered) = %s", counts())
    assert counts() == want, f"(AW, data sent, answered) = {counts()}, expected {want}"
    tb.ram.set_pause(b=0.0)
    await finish(tb, ch, tb.estimate_cycles([copy]))


async def held_until(tb: DmaTb, ch: Channel, reached) -> None:
    """Wait until `reached()`, then 300 cycles more: nothing may change while the bus is held."""
    await until(reached, tb.dut.clk, WAIT, "the limit reached", lambda: tb.state_of(ch))
    await tb.cycles(300)


async def run_interrupts(tb: DmaTb, ports: Ports, ch: Channel, n: int = 1,
                         head_read: tuple[AimedAccess, int] | None = None
                         ) -> tuple[int, list[int], tuple[int, int] | None]:
    """Post `n` INTERRUPTs with INT_EN and ring the doorbell; with `head_read` = (aim, d), read
    HEAD aimed at d cycles after the doorbell. Returns (doorbell cycle, the cycle of each
    descriptor's last completion write response, (read's cycle, HEAD read) or None)."""
    writes = 2 if ch.setup.cmpl_wb_en else 1  # status word, and the record
    tb.post(ch, [Interrupt(int_en=True) for _ in range(n)])
    tb.predict([ch])
    rung = await ports.doorbell(ch)
    read = None
    if head_read is not None:
        aim, delay = head_read
        read = await aim.read_in(rung + delay, ch.reg(regs.CH_HEAD))
    responses, after = [], rung
    for _ in range(n):
        after = await ports.response(ch, writes, after)
        responses.append(after)
    await finish(tb, ch)
    return rung, responses, read


async def clear_done(tb: DmaTb, ch: Channel) -> None:
    await tb.write(ch.reg(regs.CH_INT_CAUSE), DONE)
    assert not tb.irq(ch), "INT_CAUSE.DONE did not clear"


@cocotb.test()
async def completion_to_head_and_done(dut):
    """HEAD reads the new count from exactly 2 cycles after the write response of a
    descriptor's last completion write (the status word; with CMPL_WB_EN the record), and not
    1 cycle after; a COUNT-coalesced DONE raises irq in that same cycle."""
    tb = await DmaTb.create(dut)
    ports, aim = Ports(tb), AimedAccess(tb)
    await aim.calibrate()
    after = timing.RESPONSE_TO_HEAD
    for cmpl_wb in (False, True):
        ch = await tb.setup_channel(0, int_enable=DONE, coalesce=(1, 0), cmpl_wb=cmpl_wb)
        rung, (b,), _ = await run_interrupts(tb, ports, ch)
        delay = b - rung  # the same every time: the reads below are aimed with it
        await clear_done(tb, ch)
        for offset in (after - 1, after):
            old = ch.head
            rung, (b,), (read_at, head) = await run_interrupts(
                tb, ports, ch, head_read=(aim, delay + offset))
            rise = ports.irq.rises(ch.index, after=rung)
            tb.log.info("CMPL_WB_EN %d: HEAD %d in cycle b%+d, irq from b%+d", cmpl_wb, head,
                        read_at - b, rise[0] - b)
            assert b - rung == delay, f"completion {b - rung} cycles after the doorbell, " \
                f"{delay} before: the aimed read cannot be trusted"
            assert read_at == b + offset, \
                f"HEAD read in cycle b{read_at - b:+d}, aimed at b{offset:+d}"
            want = old if offset < after else ch.tail
            assert head == want, f"HEAD {head} in cycle b{offset:+d}, expected {want}"
            assert rise == [b + after], f"DONE rose at b{rise[0] - b:+d}, expected b+{after}"
            await clear_done(tb, ch)
        await tb.reset_channel(ch)


@cocotb.test()
async def coalescing_exact(dut):
    """COALESCE.TIMEOUT = T (COUNT never reached): DONE exactly T cycles after HEAD moved past
    the first unreported INT_EN completion (2 + T after its write response), for T = 1, 2, 13,
    and for two completions in a batch timed from the first. COUNT reached first: DONE with
    HEAD, and the timer is cancelled. TIMEOUT = 0: never."""
    tb = await DmaTb.create(dut)
    ports = Ports(tb)
    after = timing.RESPONSE_TO_HEAD
    for t, n in ((1, 1), (2, 1), (13, 1), (60, 2)):
        ch = await tb.setup_channel(0, int_enable=DONE, coalesce=(255, t))
        rung, responses, _ = await run_interrupts(tb, ports, ch, n)
        await tb.wait_irq(ch, timeout=t + WAIT)
        rise = ports.irq.rises(ch.index, after=rung)
        tb.log.info("TIMEOUT %d, %d completions: DONE at b%+d", t, n, rise[0] - responses[0])
        assert rise == [responses[0] + after + t], \
            f"TIMEOUT {t}: DONE at b{rise[0] - responses[0]:+d}, expected b+{after + t}"
        await clear_done(tb, ch)
    ch = await tb.setup_channel(0, int_enable=DONE, coalesce=(2, 500))
    rung, responses, _ = await run_interrupts(tb, ports, ch, 2)
    await tb.cycles(520)
    assert ports.irq.rises(ch.index, after=rung) == [responses[1] + after], \
        "COUNT 2 reached before the timeout: DONE not raised with HEAD, or raised again"
    await clear_done(tb, ch)
    ch = await tb.setup_channel(0, int_enable=DONE, coalesce=(255, 0))
    rung, _, _ = await run_interrupts(tb, ports, ch, 3)
    await tb.cycles(300)
    assert not ports.irq.rises(ch.index, after=rung), "DONE with TIMEOUT 0 and COUNT not reached"
