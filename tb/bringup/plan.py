"""The rehearsal's steps, in order: one list for the simulator (which runs them) and the CLI
(which shows progress against it and checks the names its test hooks refer to).

The hardware is rehearsed at register level first (as before loading a driver: identity,
registers, interrupts, error handling), then the provider driver is probed and used.
"""

from __future__ import annotations

# Register level: the bench drives dma_top directly.
HARDWARE_STEPS = (
    "reset and identity",
    "register walk",
    "channels idle",
    "interrupt delivery",
    "coalescing by count",
    "coalescing by timeout",
    "fault: data read bus error",
    "fault: data write bus error",
    "fault: descriptor fetch bus error",
    "fault: status write bus error",
    "fault: bad descriptor",
    "fault: address window",
    "fault: ABORT while busy",
    "all channels at once",
)

# Driver level: the provider driver over the register seam, inside the dmaengine core.
DRIVER_STEPS = (
    "driver probe and self-tests",
    "dmaengine registration",
    "client session",
)
CONFORMANCE_STEP = "conformance"


def dmatest_step(channel: int, device: int = 0) -> str:
    """One short dmatest run per channel, named after the kernel's channel name."""
    return f"dmatest dma{device}chan{channel}"


def steps(channels: int) -> list[str]:
    return [*HARDWARE_STEPS, *DRIVER_STEPS, *(dmatest_step(n) for n in range(channels)),
            CONFORMANCE_STEP]
