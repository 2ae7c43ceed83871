"""Process-wide state of the dmaengine core, profiles and the current CPU.

Like the kernel's file-scope variables in dmaengine.c: the device list, the public reference
count, the list mutex, the id allocator and the per-CPU channel table (docs/kernel-model.md,
R4). ``reset()`` replaces all of it, as a reboot would.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import DmaBug
from ..runtime import Context, Mutex, get_runtime
from .caps import KERNEL_ENUM_ORDER, DmaTxType
from .profile import P29, activate, check_profile, current_profile, is_32

if TYPE_CHECKING:
    from .device import DmaChan, DmaDevice

__all__ = [
    "reset",
    "nr_cpus",
    "online_cpus",
    "on_cpu",
    "current_cpu",
    "set_timeouts",
    "state",
    "might_sleep",
]

log = logging.getLogger("pydriver.dmaengine")

DEFAULT_SYNC_WAIT_NS = 5_000_000_000  # R56: the kernel's 5000 ms
DEFAULT_POLL_NS = 1_000

# R4: capabilities that are properties of a channel, not operations, get no table column
_NO_TABLE = (DmaTxType.INTERRUPT, DmaTxType.PRIVATE, DmaTxType.SLAVE)


class CoreState:
    """Everything ``reset()`` replaces."""

    def __init__(
        self,
        nr_cpus: int,
        online: tuple[int, ...],
        sync_wait_ns: int,
        poll_ns: int,
    ) -> None:
        profile = current_profile()
        self.nr_cpus = nr_cpus  # possible CPUs
        self.online = online  # online CPUs, ascending
        self.devices: list[DmaDevice] = []  # dma_device_list, registration order
        self.registered: list[DmaDevice] = []  # every registered device, listed or not
        self.ref_count = 0  # dmaengine_ref_count
        self.mutex = Mutex()  # dma_list_mutex
        self.ids: set[int] = set()  # the idr of device ids
        self.table_caps = tuple(t for t in KERNEL_ENUM_ORDER[profile] if t not in _NO_TABLE)
        self.table: dict[DmaTxType, list[DmaChan | None]] = {
            t: [None] * nr_cpus for t in self.table_caps
        }
        self.rebalances = 0  # how many times the table was rebuilt (for tests and checks)
        self.warned: set[str] = set()  # WARN_ONCE sites already fired
        self.sync_wait_ns = sync_wait_ns
        self.poll_ns = poll_ns

    @property
    def profile(self) -> str:
        """The active profile (kept by the profile module, set by reset())."""
        return current_profile()

    @property
    def is_32(self) -> bool:
        return is_32()

    def warn_once(self, site: str, message: str, category: type[Warning]) -> None:
        """WARN_ONCE: the first hit of ``site`` since reset() warns; every hit is logged."""
        log.warning("%s", message)
        if site in self.warned:
            return
        self.warned.add(site)
        warnings.warn(message, category, stacklevel=4)


_state = CoreState(1, (0,), DEFAULT_SYNC_WAIT_NS, DEFAULT_POLL_NS)


def might_sleep(op: str) -> None:
    """The kernel's might_sleep(): ``op`` takes the list mutex, so atomic contexts may not call
    it (a coroutine awaited inside an ``in_context`` block would break that block)."""
    ctx = get_runtime().current_context()
    if ctx is not Context.PROCESS:
        raise DmaBug(f"{op} may sleep and was called from {ctx.value} context", rule="might-sleep")


def state() -> CoreState:
    """The live core state (for the core's own modules, checkers and tests)."""
    return _state


def reset(
    profile: str = P29,
    nr_cpus: int = 1,
    *,
    online_cpus: tuple[int, ...] | list[int] | None = None,
    sync_wait_timeout_ns: int = DEFAULT_SYNC_WAIT_NS,
    poll_interval_ns: int = DEFAULT_POLL_NS,
) -> None:
    """A fresh core for ``profile`` with ``nr_cpus`` possible CPUs (all online by default).

    ``sync_wait_timeout_ns`` replaces the kernel's 5 s limit of dma_sync_wait and
    dma_wait_for_async_tx; ``poll_interval_ns`` is how long a polling loop sleeps between polls.
    """
    global _state
    check_profile(profile)
    if isinstance(nr_cpus, bool) or not isinstance(nr_cpus, int) or nr_cpus < 1:
        raise ValueError(f"nr_cpus must be a positive int, got {nr_cpus!r}")
    online = tuple(range(nr_cpus)) if online_cpus is None else tuple(sorted(set(online_cpus)))
    if not online or any(not isinstance(c, int) or not 0 <= c < nr_cpus for c in online):
        raise ValueError(
            f"online_cpus {online_cpus!r} must be a non-empty subset of 0..{nr_cpus - 1}"
        )
    _check_ns("sync_wait_timeout_ns", sync_wait_timeout_ns)
    _check_ns("poll_interval_ns", poll_interval_ns)
    activate(profile)
    _state = CoreState(nr_cpus, online, sync_wait_timeout_ns, poll_interval_ns)


def _check_ns(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{name} must be a non-negative int, got {value!r}")


def set_timeouts(*, sync_wait_ns: int | None = None, poll_ns: int | None = None) -> None:
    """Change the dma_sync_wait limit and/or the polling interval of the live core."""
    if sync_wait_ns is not None:
        _check_ns("sync_wait_ns", sync_wait_ns)
        _state.sync_wait_ns = sync_wait_ns
    if poll_ns is not None:
        _check_ns("poll_ns", poll_ns)
        _state.poll_ns = poll_ns


def nr_cpus() -> int:
    return _state.nr_cpus


def online_cpus() -> tuple[int, ...]:
    return _state.online


def current_cpu() -> int:
    """The CPU the caller runs on (chosen with :func:`on_cpu`; default the first online)."""
    cpu = get_runtime().get_local("cpu")
    return cpu if cpu in _state.online else _state.online[0]


@contextlib.contextmanager
def on_cpu(n: int) -> Iterator[None]:
    """Run the enclosed code (and the tasks and tasklets it starts) on CPU ``n``."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"cpu must be an int, got {type(n).__name__}")
    if n not in _state.online:
        raise ValueError(f"cpu {n} is not online (online: {list(_state.online)})")
    rt = get_runtime()
    previous = rt.get_local("cpu")
    rt.set_local("cpu", n)
    try:
        yield
    finally:
        rt.set_local("cpu", previous)
