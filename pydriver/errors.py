"""Exceptions and warnings raised by the driver stack.

A kernel ``BUG()`` becomes a :class:`DmaError` whose message names the broken rule (and nothing
is changed); a kernel ``WARN_ON`` becomes a :class:`DmaWarning` through :func:`warnings.warn`.
"""

from __future__ import annotations

import errno as _errno

__all__ = [
    "DmaError",
    "DmaBug",
    "DmaTypeError",
    "DmaValueError",
    "DeviceBusyError",
    "NoDeviceError",
    "OutOfMemoryError",
    "DmaWarning",
    "DmaRefcountWarning",
    "DmaUnregisterWarning",
    "DmaSpeculativeWaitWarning",
]


class DmaError(Exception):
    """Base class: a kernel rule was broken or a kernel call failed.

    ``errno`` is the positive errno value the kernel would use (EINVAL unless said otherwise);
    ``rule`` is a short name of the broken rule when there is one.
    """

    default_errno = _errno.EINVAL

    def __init__(self, message: str, errno: int | None = None, rule: str | None = None):
        super().__init__(message)
        self.errno = self.default_errno if errno is None else errno
        self.rule = rule


class DmaBug(DmaError):
    """Misuse that would make the kernel BUG(): raised before anything is changed."""


class DmaTypeError(DmaError, TypeError):
    """An argument of the wrong type where the kernel's type system would have refused it."""


class DmaValueError(DmaError, ValueError):
    """An argument out of range for the kernel call (e.g. a capability the profile lacks)."""


class DeviceBusyError(DmaError):
    """EBUSY: the driver module is in use (rmmod refused)."""

    default_errno = _errno.EBUSY


class NoDeviceError(DmaError):
    """ENODEV: no such device, or its driver module is going away."""

    default_errno = _errno.ENODEV


class OutOfMemoryError(DmaError):
    """ENOMEM: an allocation failed (simulated memory exhausted)."""

    default_errno = _errno.ENOMEM


class DmaWarning(UserWarning):
    """Base class of the kernel's WARN_ON/WARN_ONCE reports."""


class DmaRefcountWarning(DmaWarning):
    """dma_release_channel on a channel whose client_count is not 1."""


class DmaUnregisterWarning(DmaWarning):
    """dma_async_device_unregister while clients still hold channel references."""


class DmaSpeculativeWaitWarning(DmaWarning):
    """2.6.29 dma_wait_for_async_tx called on a descriptor that still has a parent."""
