"""Covergroup `dma.errors`: every error code x where it was found.

- `code`: each error code of docs/descriptor.md;
- `code_where`: each code x where (tb.refmodel.FAULT_SITES: the descriptor check that failed,
  the slot, buffer, status word or record whose access was refused or failed, ABORT or RESET
  while busy), and for the bus errors (DESC_READ, DATA_READ, DATA_WRITE, STATUS_WRITE) x the
  AXI response (SLVERR, DECERR).
"""

from __future__ import annotations

from cocotb_coverage.coverage import CoverPoint, coverage_section

from pydriver.drivers.dmasim.hw import ErrCode, Resp
from tb.coverage.goal import AT_LEAST
from tb.refmodel import FAULT_SITES

G = "dma.errors"
BUS_ERRORS = (ErrCode.DESC_READ, ErrCode.DATA_READ, ErrCode.DATA_WRITE, ErrCode.STATUS_WRITE)
BUS_RESPS = (Resp.SLVERR, Resp.DECERR)


def label(code: int, where: str, resp: int) -> str:
    """`CODE/where` (`CODE/where/RESP` for a bus error)."""
    name = f"{ErrCode(code).name}/{where}"
    return f"{name}/{Resp(resp).name}" if code in BUS_ERRORS else name


CODE_WHERE = [label(code, where, resp) for code, wheres in FAULT_SITES.items()
              for where in wheres
              for resp in (BUS_RESPS if code in BUS_ERRORS else (Resp.OKAY,))]

_section = coverage_section(
    CoverPoint(f"{G}.code", xf=lambda code, where, resp: ErrCode(code).name,
               bins=[c.name for c in FAULT_SITES], at_least=AT_LEAST),
    CoverPoint(f"{G}.code_where", xf=label, bins=CODE_WHERE, at_least=AT_LEAST),
)


@_section
def sample(code: int, where: str, resp: int) -> None:
    """A channel halted with `code`, found at `where`, with AXI response `resp`."""
