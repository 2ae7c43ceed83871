"""Coverage of the driver-level system benches (tests/system, `DmaSystem`): the provider driver's
completion point, watched from the bench side (pydriver imports nothing of tb).

Every descriptor the dma_top driver completes or fails passes, in ring order, through its
device's `_retire`; `watch` wraps that method on the one probed device (after its probe, so the
probe's self-tests are not counted). A completed descriptor is sampled with the status word the
hardware wrote; a failed one as a fault, where the driver's error registers (HwError) say it was
found, for the bus errors the system benches inject.
"""

from __future__ import annotations

from typing import Any

from pydriver import regs
from pydriver.drivers.dmasim.hw import ErrCode
from tb.coverage import space
from tb.coverage.collector import Collector


def fault_site(err: Any, c: Any, d: Any) -> str | None:
    """Where a bus error of descriptor `d` on driver channel `c` was found (FAULT_SITES), from
    the error registers alone; None for codes only the reference model can place."""
    op = space.op_name(d.hw.raw().op)
    if err.code == ErrCode.DESC_READ:
        return "slot" if err.addr == c.ring.slot_addr(d.count) else "ext_slot"
    if err.code == ErrCode.DATA_READ:
        return f"{op}_src"
    if err.code == ErrCode.DATA_WRITE:
        return f"{op}_dst"
    if err.code == ErrCode.STATUS_WRITE:
        return "record" if err.addr == c.cmpl_addr else "status_word"
    return None


def watch(cov: Collector, device: Any) -> None:
    """Sample every descriptor `device` (a probed DmasimDevice) retires from now on."""
    retire = device._retire

    def retire_and_sample(c: Any, d: Any, err: Any = None) -> None:
        status = device._status(c, d).raw  # read before the slot can be reused
        count = d.count
        retire(c, d, err)
        if err is None:
            cov.descriptor(c.index, count, d.hw.raw(), status,
                           cmpl_wb=bool(c.ctrl & regs.CH_CTRL_CMPL_WB_EN_MASK),
                           nslots=c.ring.nslots)
        else:
            where = fault_site(err, c, d)
            if where:
                cov.error(err.code, where, err.resp)

    device._retire = retire_and_sample
