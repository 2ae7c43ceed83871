"""Figures of `make bench`: from the per-case records to a table, results.json and plots.

Definitions (DB = DATA_WIDTH / 8 bytes per beat; every time stamp from the RTL monitors of
tb/hdl/dma_bench_top.v, in clock cycles; the doorbell is the accepted AXI-Lite TAIL write, the
first one when a case rings several channels):

- steady write efficiency: payload bytes / (DB x cycles from the first to the last data W beat);
  the share of the write-data channel carrying payload once the copy streams (several channels:
  all of their payload).
- end-to-end write efficiency: payload bytes / (DB x cycles from the doorbell to the interrupt of
  the last descriptor), so descriptor fetch, read latency, status writeback and the interrupt
  are all inside.
- XOR read efficiency: the read-channel limit N x L / DB beats over the cycles from the first to
  the last data R beat (steady) or from the doorbell to the interrupt (end to end).
- doorbell to first data read: cycles from the doorbell to the handshake of the first AR of the
  payload, the descriptor fetch included.
- fairness: Jain's index (sum x)^2 / (n sum x^2) over the data W beats each channel got from the
  doorbell until the first channel of the run finished (1: equal shares, 1/n: one channel only).
- simulation speed: the simulator process's CPU time per simulated cycle while the `speed` cases
  run (setup and checks excluded; on an idle machine, its wall time), on the bench's build and on
  the same bench built as before; the floor is a top with the same clocking and a counter only.

Only figures measured in this run are in the table. Figures of other designs are printed apart,
as references with their source.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

Record = dict[str, Any]
DMA_TOP = Path(__file__).resolve().parents[2] / "rtl" / "dma_top.v"


def payload(r: Record) -> int:
    return r.get("channels", 1) * r["count"] * r["length"]


def w_steady(r: Record) -> float:
    return payload(r) / (r["data_bytes"] * (r["t_w_last"] - r["t_w_first"] + 1))


def w_e2e(r: Record) -> float:
    return payload(r) / (r["data_bytes"] * r["cycles"])


def read_limit_beats(r: Record) -> float:
    return r.get("channels", 1) * r["count"] * r["nsrc"] * r["length"] / r["data_bytes"]


def r_steady(r: Record) -> float:
    return read_limit_beats(r) / (r["t_r_last"] - r["t_r_first"] + 1)


def r_e2e(r: Record) -> float:
    return read_limit_beats(r) / r["cycles"]


def db_to_data_read(r: Record) -> int:
    return r["t_ar_data"] - r["t_db"]


def db_to_desc_read(r: Record) -> int:
    return r["t_ar_first"] - r["t_db"]


def jain(r: Record) -> float:
    shares = r["n_w_win"]
    total = sum(shares)
    squares = sum(x * x for x in shares)
    return total * total / (len(shares) * squares) if squares else 0.0


def us_per_cycle(records: Sequence[Record]) -> float | None:
    """CPU time of the simulator process per simulated cycle (the wall time of an idle machine;
    CPU time because the machine may be shared), in microseconds."""
    cycles = sum(r["sim_cycles"] for r in records)
    return 1e6 * sum(r["cpu_sim_s"] for r in records) / cycles if cycles else None


def derived(r: Record) -> dict[str, float | int]:
    """The metrics of one record, for results.json and the case table."""
    out: dict[str, float | int] = {
        "payload_bytes": payload(r),
        "write_steady": w_steady(r),
        "write_e2e": w_e2e(r),
        "doorbell_to_data_read": db_to_data_read(r),
        "doorbell_to_desc_read": db_to_desc_read(r),
        "doorbell_to_last_b": r["t_b_last"] - r["t_db"],
        # the memory model's own latency, seen at the first payload read (2 + extra latency)
        "first_read_latency": r["t_r_first"] - r["t_ar_data"],
        "extra_r_beats": r["n_r_data"] - r["r_beats_min"],
        "extra_w_beats": r["n_w_data"] - r["w_beats_min"],
    }
    if r["op"] == "xor":
        out["read_steady"] = r_steady(r)
        out["read_e2e"] = r_e2e(r)
    if r.get("channels", 1) > 1:
        out["jain"] = jain(r)
    return out


# ---------------------------------------------------------------------------------------------
# block-RAM cost of a mover buffer size

def rtl_default(name: str) -> int:
    """A parameter's default in rtl/dma_top.v (the one place it is stated)."""
    m = re.search(rf"parameter\s+integer\s+{name}\s*=\s*(\d+)", DMA_TOP.read_text())
    if m is None:
        raise ValueError(f"no parameter {name} in {DMA_TOP}")
    return int(m.group(1))


# 18-Kbit block RAM shapes (depth, width) of both ECP5 DP16KD and Xilinx RAMB18E1 (simple dual
# port): one block holds any of these
BRAM18_SHAPES = ((512, 36), (1024, 18), (2048, 9), (4096, 4), (8192, 2), (16384, 1))


def bram18(depth: int, width: int) -> int:
    """18-Kbit blocks for a depth x width memory (cascaded in depth, side by side in width)."""
    return min(math.ceil(depth / d) * math.ceil(width / w) for d, w in BRAM18_SHAPES)


def buffer_cost(build_params: dict[str, int], data_bytes: int, channels: int) -> dict[str, int]:
    """The mover's block buffer at this size: BUF_BLOCKS x MAX_BURST_LEN words of DATA_WIDTH
    bits per channel, kept as two memories (even and odd words: one read beat covers two words),
    and what it costs in 18-Kbit block RAMs (today's RTL holds it in flip-flops)."""
    blocks = build_params.get("BUF_BLOCKS", rtl_default("BUF_BLOCKS"))
    words = blocks * rtl_default("MAX_BURST_LEN")
    per_channel = 2 * bram18(words // 2, 8 * data_bytes)
    return {"BUF_BLOCKS": blocks, "RD_TRACK": build_params.get("RD_TRACK", rtl_default("RD_TRACK")),
            "buffer_bits_per_channel": words * 8 * data_bytes,
            "bram18_per_channel": per_channel, "bram18_total": per_channel * channels}


def buffer_text(c: dict[str, int], channels: int) -> str:
    return (f"BUF_BLOCKS {c['BUF_BLOCKS']}, RD_TRACK {c['RD_TRACK']}: "
            f"{c['buffer_bits_per_channel'] // 1024} Kbit per channel = "
            f"{c['bram18_per_channel']} x 18-Kbit block RAM per channel, {c['bram18_total']} "
            f"for {channels} channels")


# ---------------------------------------------------------------------------------------------
# figures

@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | None       # a fraction (unit "%"), a count, an index or a ratio
    unit: str                 # "%", "cycles", "index", "x", "us/cycle"
    target: str               # "" for a reported-only figure
    met: bool | None          # None: no target, or not measured
    basis: str                # which case(s), which metric

    def shown(self) -> str:
        if self.value is None:
            return "not measured"
        if self.unit == "%":
            return f"{100 * self.value:.1f} %"
        if self.unit == "index":
            return f"{self.value:.4f}"
        if self.unit == "x":
            return f"{self.value:.1f} x"
        if self.unit == "us/cycle":
            return f"{self.value:.2f} us/cycle"
        return f"{self.value:.0f} {self.unit}"


@dataclass(frozen=True)
class _Spec:
    key: str
    label: str
    cases: tuple[str, ...]
    metric: Callable[[Record], float]
    unit: str
    bound: float | None = None  # target: value >= bound, or <= for "cycles" and "us/cycle"
    basis: str = ""


SPECS: tuple[_Spec, ...] = (
    _Spec("memcpy_steady", "steady memcpy, 16-beat bursts", ("memcpy_steady",), w_steady, "%",
          0.99, "{size} copy, first to last W beat"),
    _Spec("memcpy_lat64", "steady memcpy, +64 cycles read latency", ("memcpy_lat64",),
          w_steady, "%", 0.95, "{size} copy, first to last W beat"),
    _Spec("latency_128", "steady memcpy, +128 cycles read latency", ("sized_latency_128",),
          w_steady, "%", 0.95, "{size} copy, first to last W beat; {buffer}"),
    _Spec("latency_256", "steady memcpy, +256 cycles read latency", ("sized_latency_256",),
          w_steady, "%", 0.95, "{size} copy, first to last W beat; {buffer}"),
    _Spec("b2b_256", "back-to-back 256 B copies", ("b2b_256",), w_e2e, "%", 0.85,
          "{count} x {size} behind one doorbell, doorbell to interrupt (fetch, status in)"),
    _Spec("unaligned", "unaligned copies", (), w_steady, "%", 0.97,
          "worst of {n} src/dst offset pairs, {size}, first to last W beat"),
    _Spec("xor", "XOR vs read-channel limit", (), r_steady, "%", 0.95,
          "worst of {n} source counts 2..8, {size}, N*L/DB over first to last R beat"),
    _Spec("multichannel_4", "4 channels at once: aggregate W", ("multichannel_4",), w_steady,
          "%", 0.97, "4 channels x {count} x {size} memcpy, one doorbell each, all payload, "
          "first to last W beat"),
    _Spec("jain_4", "4 channels at once: fairness (Jain)", ("multichannel_4",), jain, "index",
          0.99, "W beats per channel until the first channel finished"),
    _Spec("doorbell", "doorbell to first data read", ("memcpy_4k",), db_to_data_read,
          "cycles", 15, "TAIL write accepted to first payload AR, descriptor fetch in"),
    _Spec("memcpy_4k_cycles", "4 KiB memcpy", ("memcpy_4k",), lambda r: r["cycles"], "cycles",
          None, "doorbell to interrupt; 512 W beats"),
    _Spec("xor8_4k_cycles", "4 KiB 8-source XOR", ("xor8_4k",), lambda r: r["cycles"],
          "cycles", None, "doorbell to interrupt; 4096 R beats"),
    _Spec("memcpy_e2e", "memcpy end to end", ("memcpy_steady",), w_e2e, "%", None,
          "{size} copy, doorbell to interrupt"),
    _Spec("b2b_256_cmpl", "back-to-back 256 B + completion record", ("b2b_256_cmpl",),
          w_e2e, "%", None, "{count} x {size}, CTRL.CMPL_WB_EN set, end to end"),
    _Spec("b2b_256_lat64", "back-to-back 256 B, +64 cycles latency", ("b2b_256_lat64",),
          w_e2e, "%", None, "{count} x {size}, end to end"),
    _Spec("xor8_lat64", "8-source XOR, +64 cycles read latency", ("xor8_lat64",), r_steady,
          "%", None, "{size}, N*L/DB over first to last R beat"),
)

@dataclass(frozen=True)
class Reference:
    """A figure of another design: printed apart from the measured ones, never compared as if
    measured here."""

    key: str                  # the figure of ours it stands beside
    value: float              # in that figure's unit
    design: str
    approx: bool = False


REFERENCES: tuple[Reference, ...] = (
    Reference("memcpy_steady", 0.941, "axi_cdma"),
    Reference("memcpy_lat64", 0.375, "axi_cdma"),
    Reference("unaligned", 0.888, "axi_cdma"),
    Reference("sim_us_per_cycle", 1.2, "axi_cdma, a far smaller design, with an HDL RAM",
              approx=True),
)
REFERENCE_SOURCE = ("verilog-axi's axi_cdma at DATA_WIDTH 64 (the peer design), measured on a "
                    "cocotb harness of the same kind on this kind of machine before this bench was "
                    "written; not re-measured by this bench or in this run")


def reference(key: str) -> Reference:
    return next(r for r in REFERENCES if r.key == key)


def size_text(n: int) -> str:
    if n % 1024 == 0:
        return f"{n // 1024} KiB"
    if n > 1024:
        return f"{n // 1024} KiB + {n % 1024} B"
    return f"{n} B"


def _cases_for(spec: _Spec, by_name: dict[str, Record]) -> list[Record]:
    if spec.key == "unaligned":
        return [r for r in by_name.values() if r["group"] == "unaligned"]
    if spec.key == "xor":
        return [r for r in by_name.values()
                if r["group"] == "xor" and r["latency"] == 0]
    return [by_name[n] for n in spec.cases if n in by_name]


def _judge(value: float | None, bound: float | None, unit: str) -> bool | None:
    if bound is None or value is None:
        return None
    return value <= bound if unit in ("cycles", "us/cycle") else value >= bound


def _target(bound: float | None, unit: str) -> str:
    if bound is None:
        return ""
    if unit == "%":
        return f">= {100 * bound:g} %"
    if unit in ("cycles", "us/cycle"):
        return f"<= {bound:g} {unit}"
    if unit == "x":
        return f">= {bound:g} x"
    return f">= {bound:g}"


def figures(records: Sequence[Record], main_build: str = "hdlclock",
            before_build: str = "gpiclock") -> list[Figure]:
    """Every figure from this run's records: the case figures from the bench's builds, the
    speed figures from the `speed` cases on the bench's build and on the build made as before,
    and the floor."""
    by_name = {r["name"]: r for r in records if r.get("build") != before_build and "group" in r}
    out = []
    for spec in SPECS:
        recs = _cases_for(spec, by_name)
        value: float | None = None
        basis = spec.basis.format(size="-", count="-", n="the", buffer="buffer sized for it")
        if recs:
            worst = min(recs, key=spec.metric) if spec.unit not in ("cycles",) else \
                max(recs, key=spec.metric)
            value = spec.metric(worst)
            dut_channels = worst["dut_channels"]
            buffer = buffer_text(buffer_cost(worst.get("build_params", {}), worst["data_bytes"],
                                             dut_channels), dut_channels)
            basis = spec.basis.format(size=size_text(worst["length"]), count=worst["count"],
                                      n=len(recs), buffer=buffer)
            if len(recs) > 1:
                basis += f" (worst: {worst['name']})"
        out.append(Figure(spec.key, spec.label, value, spec.unit, _target(spec.bound, spec.unit),
                          _judge(value, spec.bound, spec.unit), basis))
    out += speed_figures(records, main_build, before_build)
    return out


def speed_figures(records: Sequence[Record], main_build: str,
                  before_build: str) -> list[Figure]:
    fast = [r for r in records if r.get("group") == "speed" and r.get("build") == main_build]
    before = [r for r in records if r.get("group") == "speed" and r.get("build") == before_build]
    floor = [r for r in records if r.get("name") == "floor"]
    us_fast, us_before, us_floor = us_per_cycle(fast), us_per_cycle(before), us_per_cycle(floor)
    speedup = us_before / us_fast if us_fast and us_before else None
    cases = ", ".join(sorted({r["name"] for r in fast})) or "the speed cases"
    return [
        Figure("sim_speedup", "simulation speed-up vs the bench built as before", speedup, "x",
               _target(4, "x"), _judge(speedup, 4, "x"),
               f"{cases}: CPU time per simulated cycle, --public-flat-rw and GPI clock "
               f"({'-' if us_before is None else f'{us_before:.2f}'} us/cycle) over this build"),
        Figure("sim_us_per_cycle", "simulation speed of the bench", us_fast, "us/cycle", "",
               None, f"{cases}, simulator CPU time per cycle (setup and checks excluded)"),
        Figure("sim_floor_us_per_cycle", "simulation floor: same clocking, a counter only",
               us_floor, "us/cycle", "", None,
               f"bench_floor_top, {floor[0]['sim_cycles'] if floor else '-'} cycles"),
    ]


# ---------------------------------------------------------------------------------------------
# output

def print_tables(figs: Sequence[Figure], records: Sequence[Record], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 140))
    t = Table(title=title + " (every figure measured in this run)", title_justify="left")
    for col, kw in (("figure", {}), ("measured", {"justify": "right"}),
                    ("target", {"justify": "right"}), ("result", {}), ("how", {"style": "dim"})):
        t.add_column(col, **kw)
    for f in figs:
        if f.met is None:
            result = "" if f.value is not None else "[yellow]not measured[/]"
        else:
            result = "[green]met[/]" if f.met else "[bold red]MISSED[/]"
        t.add_row(f.label, f.shown(), f.target, result, f.basis)
    console.print(t)

    by_key = {f.key: f for f in figs}
    r = Table(title="References: other designs, not measured in this run", title_justify="left")
    for col in ("figure", "reference value", "design"):
        r.add_column(col)
    for ref in REFERENCES:
        fig = by_key[ref.key]
        shown = Figure(ref.key, fig.label, ref.value, fig.unit, "", None, "").shown()
        r.add_row(fig.label, ("about " if ref.approx else "") + shown, ref.design)
    r.caption = f"Source: {REFERENCE_SOURCE}."
    r.caption_justify = "left"
    console.print(r)

    c = Table(title="Cases (all data verified)", title_justify="left")
    for col in ("case", "bytes", "cycles", "write steady", "write e2e", "read steady",
                "read e2e", "db->desc", "db->data", "extra R/W beats"):
        c.add_column(col, justify="left" if col == "case" else "right")
    for r_ in records:
        d = derived(r_)
        pct = "{:.1f} %".format
        c.add_row(r_["name"], str(d["payload_bytes"]), str(r_["cycles"]),
                  pct(100 * d["write_steady"]), pct(100 * d["write_e2e"]),
                  pct(100 * d["read_steady"]) if "read_steady" in d else "",
                  pct(100 * d["read_e2e"]) if "read_e2e" in d else "",
                  str(d["doorbell_to_desc_read"]), str(d["doorbell_to_data_read"]),
                  f"{d['extra_r_beats']}/{d['extra_w_beats']}")
    console.print(c)


def write_json(path: Path, figs: Sequence[Figure], records: Sequence[Record],
               meta: dict[str, Any]) -> None:
    """results.json: the run's metadata, `figures` keyed by figure (only what this run
    measured), `references` (other designs, with their source) apart, and every case."""
    cases = [{**r, **derived(r)} if "group" in r else dict(r) for r in records]
    body = {
        **meta,
        "figures": {f.key: {k: v for k, v in asdict(f).items() if k != "key"} for f in figs},
        "references": {"source": REFERENCE_SOURCE,
                       "figures": [asdict(ref) for ref in REFERENCES]},
        "cases": cases,
    }
    path.write_text(json.dumps(body, indent=2) + "\n")


def plot(out: Path, records: Sequence[Record]) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made: list[Path] = []

    def save(fig: Any, name: str) -> None:
        path = out / name
        fig.tight_layout()
        fig.savefig(path, dpi=110)
        plt.close(fig)
        made.append(path)

    def group(name: str) -> list[Record]:
        return [r for r in records if r["group"] == name]

    # bandwidth vs transfer size: one descriptor, and back-to-back descriptors
    single = sorted(group("size"), key=lambda r: r["length"])
    b2b = sorted((r for r in group("b2b") if not r["cmpl_wb"] and r["latency"] == 0),
                 key=lambda r: r["length"])
    if single or b2b:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        if single:
            ax.plot([r["length"] for r in single], [100 * w_e2e(r) for r in single], "o-",
                    label="one descriptor, doorbell to interrupt")
            ax.plot([r["length"] for r in single], [100 * w_steady(r) for r in single], "s--",
                    label="one descriptor, steady (first to last W)")
        if b2b:
            ax.plot([r["length"] for r in b2b], [100 * w_e2e(r) for r in b2b], "^-",
                    label="back to back, one doorbell, end to end")
        ax.axhline(85, color="grey", lw=0.8, ls=":")
        ax.annotate("b2b 256 B target 85 %", (256, 85), textcoords="offset points",
                    xytext=(4, -12), fontsize=8, color="grey")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("bytes per descriptor")
        ax.set_ylabel("% of write-data bandwidth")
        ax.set_ylim(0, 102)
        ax.set_title("memcpy bandwidth vs transfer size (DATA_WIDTH 64)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        save(fig, "bandwidth_vs_size.png")

    lat = sorted(group("latency"), key=lambda r: r["latency"])
    if lat:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        xs = [r["latency"] for r in lat]
        ax.plot(xs, [100 * w_steady(r) for r in lat], "o-", label="dmasim, steady")
        ax.plot(xs, [100 * w_e2e(r) for r in lat], "s--", label="dmasim, doorbell to interrupt")
        ref = reference("memcpy_lat64")
        ax.plot([64], [100 * ref.value], "x", color="red", ms=9,
                label=f"reference, not this run: {ref.design} at +64")
        ax.axhline(95, color="grey", lw=0.8, ls=":")
        ax.annotate("target 95 % at +64", (0, 95), textcoords="offset points", xytext=(2, -12),
                    fontsize=8, color="grey")
        ax.set_xlabel("extra read latency (cycles)")
        ax.set_ylabel("% of write-data bandwidth")
        ax.set_ylim(0, 102)
        ax.set_title(f"memcpy {size_text(lat[0]['length'])} vs read latency")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")
        save(fig, "bandwidth_vs_latency.png")

    xor = sorted((r for r in group("xor") if r["latency"] == 0), key=lambda r: r["nsrc"])
    if xor:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        xs = [r["nsrc"] for r in xor]
        ax.plot(xs, [100 * r_steady(r) for r in xor], "o-", label="steady (first to last R)")
        ax.plot(xs, [100 * r_e2e(r) for r in xor], "s--", label="doorbell to interrupt")
        ax.axhline(95, color="grey", lw=0.8, ls=":")
        ax.set_xlabel("XOR sources")
        ax.set_ylabel("% of read-channel limit N*L/DB")
        ax.set_ylim(0, 102)
        ax.set_title(f"XOR of {size_text(xor[0]['length'])} vs number of sources")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
        save(fig, "xor_vs_sources.png")

    un = group("unaligned")
    if un:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        labels = [f"s+{r['src_off']}/d+{r['dst_off']}" for r in un]
        ax.bar(labels, [100 * w_steady(r) for r in un], label="steady")
        ax.plot(labels, [100 * w_e2e(r) for r in un], "k^", label="doorbell to interrupt")
        ax.axhline(97, color="grey", lw=0.8, ls=":")
        ref = reference("unaligned")
        ax.axhline(100 * ref.value, color="red", lw=0.8, ls="--",
                   label=f"reference, not this run: {ref.design} unaligned")
        ax.set_ylabel("% of write-data bandwidth")
        ax.set_ylim(0, 102)
        ax.set_title(f"unaligned memcpy, {size_text(un[0]['length'])}")
        ax.legend(fontsize=8, loc="lower right")
        save(fig, "unaligned.png")
    return made
