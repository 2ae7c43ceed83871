"""Providers: ``struct dma_device``, ``struct dma_chan``, the channel's sysfs node and the
driver module whose reference count guards unloading (docs/kernel-model.md, R5, R8, R27, R30).

A hook left as ``None`` is the kernel's NULL function pointer: registration checks for the
hooks each capability needs (R25). A provider subclasses :class:`DmaDevice` and defines
the hooks as methods (or assigns callables to the instance).
"""

from __future__ import annotations

import enum
import errno
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..errors import DmaBug
from .caps import dma_cap_mask_t

if TYPE_CHECKING:
    from .descriptor import DmaAsyncTxDescriptor
    from .status import DmaStatus

__all__ = ["ModuleState", "DriverModule", "ChanDev", "DmaChan", "DmaDevice"]


class ModuleState(enum.Enum):
    LIVE = "live"
    GOING = "going"  # rmmod in progress: try_module_get fails
    UNLOADED = "unloaded"


class DriverModule:
    """The provider's kernel module: its refcount is what makes ``rmmod`` refuse (R8)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.refcount = 0
        self.state = ModuleState.LIVE

    def try_get(self) -> bool:
        """try_module_get: fails once the module is going away."""
        if self.state is not ModuleState.LIVE:
            return False
        self.refcount += 1
        return True

    def get(self) -> None:
        """__module_get: unconditional (the caller already holds a reference)."""
        self.refcount += 1

    def put(self) -> None:
        if self.refcount <= 0:
            raise DmaBug(f"module {self.name}: reference dropped below zero", rule="module-put")
        self.refcount -= 1

    def __repr__(self) -> str:
        return f"DriverModule({self.name!r}, refcount={self.refcount}, {self.state.value})"


class ChanDev:
    """The channel's node in sysfs class "dma" (R30). Attributes read -ENODEV once the
    channel is unregistered (R29)."""

    def __init__(self, chan: DmaChan, dev_id: int, name: str) -> None:
        self.chan: DmaChan | None = chan
        self.dev_id = dev_id
        self.name = name

    @property
    def in_use(self) -> int:
        return self.chan.client_count if self.chan is not None else -errno.ENODEV

    @property
    def memcpy_count(self) -> int:
        return self.chan.memcpy_count if self.chan is not None else -errno.ENODEV

    @property
    def bytes_transferred(self) -> int:
        return self.chan.bytes_transferred if self.chan is not None else -errno.ENODEV


class DmaChan:
    """``struct dma_chan``. Providers may subclass it to keep per-channel driver state."""

    def __init__(self, device: DmaDevice | None = None) -> None:
        self.device = device
        self.chan_id = -1
        self.client_count = 0  # R5: references; > 0 iff resources are allocated
        self.table_count = 0  # R5: how many channel-table slots point here
        self.cookie = 0  # last cookie handed out (R60)
        self.completed_cookie = 0  # last completed cookie, for providers that want it
        self.private: Any = None  # chan->private: filters may stash data here (R19)
        self.dev: ChanDev | None = None  # sysfs node, set at registration
        self.memcpy_count = 0  # sysfs counters (R30)
        self.bytes_transferred = 0
        self.exclusive = False  # held through dma_request_channel (not a kernel field)
        self.fail_dev_alloc = False  # test hook: registration cannot allocate this chan's node

    @property
    def name(self) -> str | None:
        """``dma<dev_id>chan<chan_id>`` once registered (dma_chan_name)."""
        return self.dev.name if self.dev is not None else None

    def __repr__(self) -> str:
        return f"<DmaChan {self.name or '(unregistered)'} clients={self.client_count}>"


PrepHook = Callable[..., "DmaAsyncTxDescriptor | None"]


class DmaDevice:
    """``struct dma_device``: capabilities, channels and the provider's hooks.

    Hooks (R25): ``device_alloc_chan_resources(chan)`` and
    ``device_free_chan_resources(chan)`` are coroutines; the prep hooks, ``device_issue_pending``
    and ``device_tx_status(chan, cookie) -> (status, last, used)`` are plain functions.
    """

    device_alloc_chan_resources: Callable[[DmaChan], Awaitable[int]] | None = None
    device_free_chan_resources: Callable[[DmaChan], Awaitable[None]] | None = None
    device_prep_dma_memcpy: PrepHook | None = None
    device_prep_dma_xor: PrepHook | None = None
    device_prep_dma_xor_val: PrepHook | None = None
    device_prep_dma_pq: PrepHook | None = None
    device_prep_dma_pq_val: PrepHook | None = None
    device_prep_dma_memset: PrepHook | None = None
    device_prep_dma_interrupt: PrepHook | None = None
    device_prep_slave_sg: PrepHook | None = None
    device_terminate_all: Callable[[DmaChan], None] | None = None
    device_issue_pending: Callable[[DmaChan], None] | None = None
    device_tx_status: Callable[[DmaChan, int], tuple[DmaStatus, int, int]] | None = None

    def __init__(self, dev: str | None = None, owner: DriverModule | None = None) -> None:
        self.cap_mask = dma_cap_mask_t()
        self.channels: list[DmaChan] = []
        self.chancnt = 0  # recomputed at registration (R27)
        self.dev_id = -1
        self.max_xor = 0
        self.max_pq = 0
        # 2.6.32 alignment requirements, as shift counts (R5)
        self.copy_align = 0
        self.xor_align = 0
        self.pq_align = 0
        self.fill_align = 0
        self.privatecnt = 0  # 2.6.32 (R22)
        self.idr_ref = 0  # live channel nodes; the device id is freed with the last (R27)
        # the parent struct device; registration BUG()s when it is missing
        self.dev: str | None = dev if dev is not None else type(self).__name__.lower()
        self.owner = owner if owner is not None else DriverModule(self.dev or "dma")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} dma{self.dev_id} {self.cap_mask!r}>"
