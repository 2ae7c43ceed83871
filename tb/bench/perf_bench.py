"""cocotb performance benches of dma_top on dma_bench_top (run by tb/bench/run.py, `make bench`).

Each test measures one group of cases (tb/bench/harness.py: one doorbell, verified bytes, RTL
time stamps) and appends one JSON line per case to $DMASIM_BENCH_RESULTS; tb/bench/report.py
turns them into figures. A test fails only when a run did not do its job (wrong bytes, an error
status, a timeout, a memory-model stall): missing a performance target is the report's business.
"""

from __future__ import annotations

import json
import os

import cocotb

from tb.bench.harness import BenchError, BenchHarness, Case, results_path

KIB = 1024
# the deep-latency cases and the extra read latency each is sized for (tb/bench/run.py builds
# each with the mover buffer it needs)
SIZED_LATENCIES = (128, 256)


def groups(quick: bool = False) -> dict[str, list[Case]]:
    """The cases of each test. `quick` (Icarus, where this RTL simulates at a few hundred cycles
    per second) keeps every figure but with shorter transfers and fewer sweep points."""
    big = 8 * KIB if quick else 64 * KIB
    sweep = 4 * KIB if quick else 32 * KIB
    latencies = (0, 32, 64, 128) if quick else (0, 16, 32, 48, 64, 96, 128)
    sizes = (64, 256, 1 * KIB, 4 * KIB) if quick else (64, 256, 1 * KIB, 4 * KIB, 16 * KIB,
                                                        64 * KIB)
    # back to back: (bytes per descriptor, descriptors behind one doorbell)
    b2b = ((64, 32), (1 * KIB, 8)) if quick else (
        (64, 128), (128, 128), (512, 64), (1 * KIB, 32), (4 * KIB, 8))
    # the 256 B target counts the one-off doorbell and drain cycles too: always 128 copies
    n256 = 128
    n256_info = 32 if quick else 128
    # unaligned: (source offset, destination offset); the length is a multiple of nothing
    unaligned = ((1, 0), (0, 3), (3, 5)) if quick else ((1, 0), (0, 3), (3, 5), (7, 1), (5, 2),
                                                        (13, 6))
    unaligned_len = sweep + 11
    xor_len = 2 * KIB if quick else 16 * KIB
    xor_srcs = (2, 4, 8) if quick else (2, 3, 4, 6, 8)
    multi_len, multi_count = (2 * KIB, 2) if quick else (16 * KIB, 4)
    return {
        # a few short cases for tests/flow/test_bench_harness.py (not part of `make bench`)
        "selfcheck": [
            Case("self_memcpy", "selfcheck", length=1 * KIB + 5, src_off=3, dst_off=5,
                 latency=5),
            Case("self_xor", "selfcheck", op="xor", nsrc=3, length=512),
            Case("self_b2b", "selfcheck", length=64, count=4, cmpl_wb=True),
        ],
        "headline": [
            Case("memcpy_4k", "headline", length=4 * KIB),
            Case("xor8_4k", "headline", op="xor", nsrc=8, length=4 * KIB),
        ],
        "memcpy": [
            Case("memcpy_steady", "memcpy", length=big),
            Case("memcpy_lat64", "memcpy", length=big, latency=64),
        ],
        "latency": [Case(f"latency_{lat}", "latency", length=sweep, latency=lat)
                    for lat in latencies],
        "size": [Case(f"size_{n}", "size", length=n) for n in sizes],
        "b2b": [
            *(Case(f"b2b_{n}", "b2b", length=n, count=count)
              for n, count in sorted((*b2b, (256, n256)))),
            Case("b2b_256_cmpl", "b2b", length=256, count=n256_info, cmpl_wb=True),
            Case("b2b_256_lat64", "b2b", length=256, count=n256_info, latency=64),
        ],
        "unaligned": [Case(f"unaligned_s{s}_d{d}", "unaligned", length=unaligned_len,
                           src_off=s, dst_off=d) for s, d in unaligned],
        "xor": [
            *(Case(f"xor{n}", "xor", op="xor", nsrc=n, length=xor_len) for n in xor_srcs),
            Case("xor8_lat64", "xor", op="xor", nsrc=8, length=xor_len, latency=64),
        ],
        # four channels copying at once, one doorbell each
        "multichannel": [Case("multichannel_4", "multichannel", length=multi_len,
                              count=multi_count, channels=4)],
        # simulation speed: the same cases on the bench's build and on a build made the old way
        "speed": [
            Case("speed_memcpy", "speed", length=big, count=2),
            Case("speed_xor8", "speed", op="xor", nsrc=8, length=xor_len),
        ],
        # steady memcpy far behind an interconnect, on a build whose buffer is sized for it
        **{f"sized_latency_{lat}": [Case(f"sized_latency_{lat}", f"sized_latency_{lat}",
                                         length=big, latency=lat)]
           for lat in SIZED_LATENCIES},
    }


def quick_mode() -> bool:
    env = os.environ.get("DMASIM_BENCH_QUICK", "")
    if env:
        return env != "0"
    return os.environ.get("DMASIM_SIM", "") == "icarus"


async def run_group(dut, group: str) -> BenchHarness:
    harness = await BenchHarness.start(dut, seed=group)
    out = results_path()
    for case in groups(quick_mode())[group]:
        rec = await harness.run(case)
        dut._log.info("%-22s %7d cycles (%d simulated in %.2f s), data verified", case.name,
                      rec["cycles"], rec["sim_cycles"], rec["wall_sim_s"])
        if out:
            with open(out, "a") as f:
                f.write(json.dumps(rec) + "\n")
    return harness


@cocotb.test()
async def headline(dut) -> None:
    """4 KiB memcpy and 4 KiB 8-source XOR: cycle counts, doorbell to first data read."""
    await run_group(dut, "headline")


@cocotb.test()
async def memcpy(dut) -> None:
    """Long memcpy, no extra read latency and 64 cycles of it: steady write bandwidth."""
    await run_group(dut, "memcpy")


@cocotb.test()
async def latency(dut) -> None:
    """memcpy against extra read latency 0..128 cycles."""
    await run_group(dut, "latency")


@cocotb.test()
async def size(dut) -> None:
    """Single-descriptor memcpy of growing size, doorbell to interrupt."""
    await run_group(dut, "size")


@cocotb.test()
async def b2b(dut) -> None:
    """Back-to-back small copies behind one doorbell, descriptor fetch and status included."""
    await run_group(dut, "b2b")


@cocotb.test()
async def unaligned(dut) -> None:
    """Copies with every kind of source/destination misalignment."""
    await run_group(dut, "unaligned")


@cocotb.test()
async def xor(dut) -> None:
    """N-source XOR against the read-channel limit N * L / DATA_BYTES beats."""
    await run_group(dut, "xor")


@cocotb.test()
async def multichannel(dut) -> None:
    """Four channels copying at once: aggregate write bandwidth and fairness."""
    await run_group(dut, "multichannel")


@cocotb.test()
async def speed(dut) -> None:
    """Fixed cases whose wall time per simulated cycle tb/bench/run.py compares between builds."""
    await run_group(dut, "speed")


@cocotb.test()
async def sized_latency_128(dut) -> None:
    """Steady memcpy with +128 cycles of read latency (on a build sized for it)."""
    await run_group(dut, "sized_latency_128")


@cocotb.test()
async def sized_latency_256(dut) -> None:
    """Steady memcpy with +256 cycles of read latency (on a build sized for it)."""
    await run_group(dut, "sized_latency_256")


@cocotb.test()
async def selfcheck(dut) -> None:
    """The bench harness itself (tests/flow/test_bench_harness.py): a few short verified runs,
    then proof that the check would catch a wrong byte and an overwritten guard byte."""
    harness = await run_group(dut, "selfcheck")
    (dst, length), *_ = harness.last_destinations()
    for addr, what in ((dst + length // 2, "wrong bytes"), (dst + length, "guard bytes")):
        good = harness.mem.read(addr, 1)
        harness.mem.write(addr, bytes([good[0] ^ 0x5A]))
        try:
            await harness.verify_last()
        except BenchError as exc:
            assert what in str(exc), exc
        else:
            raise AssertionError(f"the bench check missed {what} at {addr:#x}")
        harness.mem.write(addr, good)
    await harness.verify_last()
