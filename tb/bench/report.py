"""Figures of `make bench`: from the per-case records to a table, results.json and plots.

Definitions (DB = DATA_WIDTH / 8 bytes per beat; every time stamp from the RTL monitors of
tb/hdl/dma_bench_top.v, in clock cycles; the doorbell is the accepted AXI-Lite TAIL write):

- steady write efficiency: payload bytes / (DB x cycles from the first to the last data W beat);
  the share of the write-data channel carrying payload once the copy streams.
- end-to-end write efficiency: payload bytes / (DB x cycles from the doorbell to the interrupt of
  the last descriptor), so descriptor fetch, read latency, status writeback and the interrupt
  are all inside.
- XOR read efficiency: the read-channel limit N x L / DB beats over the cycles from the first to
  the last data R beat (steady) or from the doorbell to the interrupt (end to end).
- doorbell to first data read: cycles from the doorbell to the handshake of the first AR of the
  payload, the descriptor fetch included.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

Record = dict[str, Any]


def payload(r: Record) -> int:
    return r["count"] * r["length"]


def w_steady(r: Record) -> float:
    return payload(r) / (r["data_bytes"] * (r["t_w_last"] - r["t_w_first"] + 1))


def w_e2e(r: Record) -> float:
    return payload(r) / (r["data_bytes"] * r["cycles"])


def read_limit_beats(r: Record) -> float:
    return r["count"] * r["nsrc"] * r["length"] / r["data_bytes"]


def r_steady(r: Record) -> float:
    return read_limit_beats(r) / (r["t_r_last"] - r["t_r_first"] + 1)


def r_e2e(r: Record) -> float:
    return read_limit_beats(r) / r["cycles"]


def db_to_data_read(r: Record) -> int:
    return r["t_ar_data"] - r["t_db"]


def db_to_desc_read(r: Record) -> int:
    return r["t_ar_first"] - r["t_db"]


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
    return out


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: float | None       # a fraction (unit "%") or a count (unit "cycles")
    unit: str
    target: str               # "" for a reported-only figure
    met: bool | None          # None: no target, or not measured
    peer: str                 # verilog-axi axi_cdma on the same kind of harness
    basis: str                # which case(s), which metric

    def shown(self) -> str:
        if self.value is None:
            return "not measured"
        if self.unit == "%":
            return f"{100 * self.value:.1f} %"
        return f"{self.value:.0f} {self.unit}"


@dataclass(frozen=True)
class _Spec:
    key: str
    label: str
    cases: tuple[str, ...]
    metric: Callable[[Record], float]
    unit: str
    bound: float | None = None  # target: value >= bound ("%") or value <= bound ("cycles")
    peer: str = ""
    basis: str = ""


SPECS: tuple[_Spec, ...] = (
    _Spec("memcpy_steady", "steady memcpy, 16-beat bursts", ("memcpy_steady",), w_steady, "%",
          0.99, "94.1 %", "{size} copy, first to last W beat"),
    _Spec("memcpy_lat64", "steady memcpy, +64 cycles read latency", ("memcpy_lat64",),
          w_steady, "%", 0.95, "37.5 %", "{size} copy, first to last W beat"),
    _Spec("b2b_256", "back-to-back 256 B copies", ("b2b_256",), w_e2e, "%", 0.85, "",
          "{count} x {size} behind one doorbell, doorbell to interrupt (fetch, status in)"),
    _Spec("unaligned", "unaligned copies", (), w_steady, "%", 0.97, "88.8 %",
          "worst of {n} src/dst offset pairs, {size}, first to last W beat"),
    _Spec("xor", "XOR vs read-channel limit", (), r_steady, "%", 0.95, "",
          "worst of {n} source counts 2..8, {size}, N*L/DB over first to last R beat"),
    _Spec("doorbell", "doorbell to first data read", ("memcpy_4k",), db_to_data_read,
          "cycles", 15, "", "TAIL write accepted to first payload AR, descriptor fetch in"),
    _Spec("memcpy_4k_cycles", "4 KiB memcpy", ("memcpy_4k",), lambda r: r["cycles"], "cycles",
          None, "", "doorbell to interrupt; 512 W beats"),
    _Spec("xor8_4k_cycles", "4 KiB 8-source XOR", ("xor8_4k",), lambda r: r["cycles"],
          "cycles", None, "", "doorbell to interrupt; 4096 R beats"),
    _Spec("memcpy_e2e", "memcpy end to end", ("memcpy_steady",), w_e2e, "%", None, "",
          "{size} copy, doorbell to interrupt"),
    _Spec("b2b_256_cmpl", "back-to-back 256 B + completion record", ("b2b_256_cmpl",),
          w_e2e, "%", None, "", "{count} x {size}, CTRL.CMPL_WB_EN set, end to end"),
    _Spec("b2b_256_lat64", "back-to-back 256 B, +64 cycles latency", ("b2b_256_lat64",),
          w_e2e, "%", None, "", "{count} x {size}, end to end"),
    _Spec("xor8_lat64", "8-source XOR, +64 cycles read latency", ("xor8_lat64",), r_steady,
          "%", None, "", "{size}, N*L/DB over first to last R beat"),
)


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


def figures(records: Sequence[Record]) -> list[Figure]:
    by_name = {r["name"]: r for r in records}
    out = []
    for spec in SPECS:
        recs = _cases_for(spec, by_name)
        value: float | None = None
        basis = spec.basis.format(size="-", count="-", n="the")
        if recs:
            worst = min(recs, key=spec.metric) if spec.unit == "%" else \
                max(recs, key=spec.metric)
            value = spec.metric(worst)
            basis = spec.basis.format(size=size_text(worst["length"]), count=worst["count"],
                                      n=len(recs))
            if len(recs) > 1:
                basis += f" (worst: {worst['name']})"
        if spec.bound is None or value is None:
            met, target = None, ("" if spec.bound is None else _target(spec))
        else:
            met = value >= spec.bound if spec.unit == "%" else value <= spec.bound
            target = _target(spec)
        out.append(Figure(spec.key, spec.label, value, spec.unit, target, met, spec.peer, basis))
    return out


def _target(spec: _Spec) -> str:
    assert spec.bound is not None
    if spec.unit == "%":
        return f">= {100 * spec.bound:g} %"
    return f"<= {spec.bound:g} {spec.unit}"


# ---------------------------------------------------------------------------------------------
# output

def print_tables(figs: Sequence[Figure], records: Sequence[Record], title: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 140))
    t = Table(title=title, title_justify="left")
    for col, kw in (("figure", {}), ("measured", {"justify": "right"}),
                    ("target", {"justify": "right"}), ("result", {}),
                    ("axi_cdma", {"justify": "right"}), ("how", {"style": "dim"})):
        t.add_column(col, **kw)
    for f in figs:
        if f.met is None:
            result = "" if f.value is not None else "[yellow]not measured[/]"
        else:
            result = "[green]met[/]" if f.met else "[bold red]MISSED[/]"
        t.add_row(f.label, f.shown(), f.target, result, f.peer, f.basis)
    console.print(t)

    c = Table(title="Cases (all data verified)", title_justify="left")
    for col in ("case", "bytes", "cycles", "write steady", "write e2e", "read steady",
                "read e2e", "db->desc", "db->data", "extra R/W beats"):
        c.add_column(col, justify="left" if col == "case" else "right")
    for r in records:
        d = derived(r)
        pct = "{:.1f} %".format
        c.add_row(r["name"], str(d["payload_bytes"]), str(r["cycles"]),
                  pct(100 * d["write_steady"]), pct(100 * d["write_e2e"]),
                  pct(100 * d["read_steady"]) if "read_steady" in d else "",
                  pct(100 * d["read_e2e"]) if "read_e2e" in d else "",
                  str(d["doorbell_to_desc_read"]), str(d["doorbell_to_data_read"]),
                  f"{d['extra_r_beats']}/{d['extra_w_beats']}")
    console.print(c)


def write_json(path: Path, figs: Sequence[Figure], records: Sequence[Record],
               meta: dict[str, Any]) -> None:
    cases = [{**r, **derived(r)} for r in records]
    path.write_text(json.dumps({**meta, "figures": [asdict(f) for f in figs], "cases": cases},
                               indent=2) + "\n")


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
        ax.plot([64], [37.5], "x", color="red", ms=9, label="axi_cdma at +64")
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
        ax.axhline(88.8, color="red", lw=0.8, ls="--", label="axi_cdma unaligned")
        ax.set_ylabel("% of write-data bandwidth")
        ax.set_ylim(0, 102)
        ax.set_title(f"unaligned memcpy, {size_text(un[0]['length'])}")
        ax.legend(fontsize=8, loc="lower right")
        save(fig, "unaligned.png")
    return made
