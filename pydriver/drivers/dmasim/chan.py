"""The dma_top driver's data structures (as ioat's dma.h): channel, descriptor, decoded error.

A descriptor (``DmasimDescriptor``) is the software side of one hardware descriptor: prep
builds its encoding, tx_submit writes it into the channel's ring at software's TAIL, the
cleanup reads its status word back. Its ring slots are reused once the hardware has retired
them; the descriptor object itself is only recycled when it is complete and acked.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict, deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...dmaengine import DmaAsyncTxDescriptor, DmaChan, DmaTxType
from ...runtime import Tasklet
from .hw import SLOT_BYTES, Descriptor, ErrCode, Resp
from .ring import RingLayout

if TYPE_CHECKING:
    from .init import DmasimDevice

__all__ = ["HwError", "DmasimChan", "DmasimDescriptor", "FAILED_COOKIES_KEPT"]

FAILED_COOKIES_KEPT = 64  # failed cookies a channel remembers for tx_status


@dataclass(frozen=True)
class HwError:
    """A halted channel's error registers, decoded (docs/descriptor.md, "Errors")."""

    code: int
    resp: int
    desc: int  # ERR_DESC: slot count of the faulting descriptor (= HEAD)
    addr: int

    @property
    def name(self) -> str:
        try:
            return ErrCode(self.code).name
        except ValueError:
            return f"0x{self.code:02x}"

    def __str__(self) -> str:
        resp = f", bus response {Resp(self.resp).name}" if self.resp else ""
        return f"{self.name} at 0x{self.addr:x} (descriptor slot {self.desc}{resp})"


class DmasimDescriptor(DmaAsyncTxDescriptor):
    """One prepared operation and its hardware encoding."""

    def __init__(self, chan: DmasimChan, op: DmaTxType, flags: int, hw: Descriptor,
                 length: int = 0, result: Any = None) -> None:
        super().__init__(chan, flags, chan.device.tx_submit)
        self.op = op
        self.hw = hw
        self.slots = hw.slots
        self.length = length
        self.result = result  # xor_val: the caller's SumCheck
        self.count: int | None = None  # ring slot count of its first slot, once written
        self.issued = False  # covered by a TAIL write
        self.error: HwError | None = None

    def with_interrupt(self) -> None:
        """Ask for an interrupt at completion (before the hardware can see the descriptor)."""
        if not self.hw.int_en:
            self.hw = dataclasses.replace(self.hw, int_en=True)

    def fence(self) -> None:
        """Start this descriptor's reads only after every earlier write was answered."""
        if not self.hw.fence:
            self.hw = dataclasses.replace(self.hw, fence=True)

    def encode(self) -> bytes:
        data = self.hw.encode()
        assert len(data) == self.slots * SLOT_BYTES
        return data


class DmasimChan(DmaChan):
    """One hardware channel and its ring."""

    def __init__(self, device: DmasimDevice, index: int, ring: RingLayout, cmpl_addr: int,
                 ctrl: int) -> None:
        super().__init__(device)
        self.index = index  # the hardware channel number (register block, irq line)
        self.ring = ring
        self.cmpl_addr = cmpl_addr  # its completion record
        self.ctrl = ctrl  # CTRL configuration bits (ENABLE, CMPL_WB_EN) kept across resets
        self.tail = 0  # software's TAIL: where tx_submit writes next
        self.issued_tail = 0  # the last TAIL written to the hardware
        self.head = 0  # retired up to here (completions harvested)
        self.active: deque[DmasimDescriptor] = deque()  # submitted, not yet harvested
        self.unacked: list[DmasimDescriptor] = []  # complete, waiting for the client's ack
        self.live = 0  # ring slots held by descriptors prepared and not yet recycled
        self.resources = False
        self.tasklet = Tasklet(device.tasklet, self)
        self.in_cleanup = False
        self.error: HwError | None = None  # noted by the interrupt handler, for the tasklet
        self.recovering = False  # reset in progress: submissions wait in software
        self.issue_requested = False  # issue_pending was called while recovering
        self.fence_next = False  # the last descriptor written asked DMA_PREP_FENCE
        self.recovery: Any = None  # the running recovery task
        self.dead = False  # the channel did not come back from a reset
        self.failed: OrderedDict[int, HwError] = OrderedDict()  # cookie -> its error
        self.irq_count = 0
        self.errors = 0
        self.completed = 0

    @property
    def hw_name(self) -> str:
        """A name for logs that exists before registration."""
        return self.name or f"{self.device.dev} channel {self.index}"

    def remember_failure(self, cookie: int, err: HwError) -> None:
        self.failed[cookie] = err
        while len(self.failed) > FAILED_COOKIES_KEPT:
            self.failed.popitem(last=False)
