"""What one dmatest thread reports, and the kernel's rate arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field

from .patterns import Mismatch

__all__ = ["DmatestResult", "dmatest_persec", "dmatest_kbs"]

UINT_MAX = 0xFFFFFFFF


def dmatest_persec(runtime_us: int, val: int) -> int:
    """``val`` per second over ``runtime_us`` microseconds, in the kernel's integer steps."""
    if runtime_us <= 0:
        return 0
    per_sec = 1_000_000
    while runtime_us > UINT_MAX:  # drop precision until runtime is 32 bits
        runtime_us >>= 1
        per_sec <<= 1
    return per_sec * val // runtime_us


def dmatest_kbs(runtime_us: int, total_len: int) -> int:
    return dmatest_persec(runtime_us, total_len >> 10)


@dataclass
class DmatestResult:
    """One thread's outcome. ``iops`` and ``kbps`` are in the runtime's time base (simulated
    time under cocotb), excluding the time spent filling and checking buffers, as the kernel
    does. ``status`` is the thread's return code (0, or a negative errno if it could not run).
    """

    thread: str
    tests: int = 0
    failures: int = 0
    iops: int = 0
    kbps: int = 0
    status: int = 0
    runtime_us: int = 0
    total_len: int = 0
    messages: list[str] = field(default_factory=list)  # result and mismatch lines, in order
    mismatches: list[Mismatch] = field(default_factory=list)  # the reported wrong bytes

    @property
    def summary(self) -> str:
        return (
            f"{self.thread}: summary {self.tests} tests, {self.failures} failures "
            f"{self.iops} iops {self.kbps} KB/s ({self.status})"
        )

    @property
    def ok(self) -> bool:
        return self.status == 0 and self.failures == 0 and self.tests > 0

    def kinds(self) -> set[str]:
        """The classifications of the reported wrong bytes."""
        return {m.kind for m in self.mismatches}
