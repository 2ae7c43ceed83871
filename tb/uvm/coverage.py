"""Functional coverage of completed descriptors (plain Python bins)."""

from __future__ import annotations

from collections import Counter

from pyuvm import ConfigDB, uvm_subscriber

from tb.dma_tb import DmaTb
from tb.uvm.item import OPS, DescItem, Observed

LEN_BUCKETS = ("sub_word", "words", "burst", "long")
ALIGN = ("aligned", "unaligned")
DATA_OPS = {"memcpy": (True, True), "xor": (True, True), "xor_val": (True, False),
            "fill": (False, True), "interrupt": (False, False)}  # (has sources, has destination)


class Coverage(uvm_subscriber):
    """Samples every completion the monitors publish.

    Cross: channel x operation x length bucket x source alignment x destination alignment
    (alignment relative to the bus word; "-" where the operation has no such buffer); XOR and
    XOR_VAL source counts per channel; INT_EN / FENCE / in-place XOR / XOR_VAL result flags."""

    def build_phase(self) -> None:
        self.tb: DmaTb = ConfigDB().get(self, "", "TB")
        self.cross: Counter = Counter()
        self.nsrc: Counter = Counter()
        self.flags: Counter = Counter()

    def length_bucket(self, n: int) -> str:
        db = self.tb.hw.data_bytes
        if n < db:
            return "sub_word"
        if n <= 4 * db:
            return "words"
        if n <= 16 * db:
            return "burst"
        return "long"

    def align(self, addrs) -> str:
        if not addrs:
            return "-"
        db = self.tb.hw.data_bytes
        return "aligned" if all(a % db == 0 for a in addrs) else "unaligned"

    def write(self, obs: Observed) -> None:
        item: DescItem = obs.item
        dst = item.dst_range()
        length = "-" if item.op == "interrupt" else self.length_bucket(item.length)
        self.cross[(item.channel, item.op, length, self.align(item.src_addrs()),
                    self.align([dst[0]] if dst else []))] += 1
        if item.op in ("xor", "xor_val"):
            self.nsrc[(item.channel, item.op, item.nsrc)] += 1
        for flag, on in (("int_en", item.int_en), ("fence", item.fence),
                         ("xor_in_place", item.op == "xor" and dst in
                          [(s, item.length) for s in item.src_addrs()]),
                         ("xor_val_nonzero", item.op == "xor_val" and obs.status & 1),
                         ("xor_val_zero", item.op == "xor_val" and not obs.status & 1)):
            if on:
                self.flags[(item.channel, flag)] += 1

    # -- queries --------------------------------------------------------------------------------

    def ops_on(self, channel: int) -> set[str]:
        return {op for (ch, op, *_), n in self.cross.items() if ch == channel and n}

    def possible_bins(self) -> list[tuple]:
        """Every meaningful (op, length, src align, dst align) combination, per channel."""
        out = []
        for op in OPS:
            has_src, has_dst = DATA_OPS[op]
            lengths = ("-",) if op == "interrupt" else LEN_BUCKETS
            for length in lengths:
                for sa in ALIGN if has_src else ("-",):
                    for da in ALIGN if has_dst else ("-",):
                        out.append((op, length, sa, da))
        return out

    def summary(self) -> str:
        chans = range(self.tb.hw.channels)
        bins = self.possible_bins()
        lines = ["functional coverage (completed descriptors):"]
        for op in OPS:
            row = [sum(n for (c, o, *_), n in self.cross.items() if c == ch and o == op)
                   for ch in chans]
            lines.append(f"  {op:<10} per channel: {row}")
        total_hit = 0
        for ch in chans:
            hit = {k[1:] for k, n in self.cross.items() if k[0] == ch and n}
            total_hit += len(hit & set(bins))
            lines.append(f"  channel {ch}: op x length x src/dst alignment "
                         f"{len(hit & set(bins))}/{len(bins)} bins")
        lines.append(f"  cross total: {total_hit}/{len(bins) * len(chans)} bins "
                     f"({100.0 * total_hit / (len(bins) * len(chans)):.0f}%)")
        for op in ("xor", "xor_val"):
            seen = sorted({n for (_, o, n) in self.nsrc if o == op})
            lines.append(f"  {op} source counts seen: {seen} of 2..{self.tb.hw.max_xor_srcs}")
        flags = Counter()
        for (_, flag), n in self.flags.items():
            flags[flag] += n
        lines.append("  flags: " + ", ".join(f"{k}={v}" for k, v in sorted(flags.items())))
        return "\n".join(lines)

    def report_phase(self) -> None:
        self.logger.info(self.summary())
