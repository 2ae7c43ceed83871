"""Which kernel the dmaengine core models: Linux ``"2.6.29"`` (the default) or ``"2.6.32"``.

docs/kernel-model.md ("Profiles") lists where the two differ. This is a leaf module: the value
tables (capability order, control flags, async_tx flags) and the behaviour that differs ask it
which profile is active, and only ``dmaengine.reset()`` changes it. The Python values of the
constants are the same under both; a profile decides which exist and how the core behaves.
"""

from __future__ import annotations

__all__ = ["P29", "P32", "PROFILES", "check_profile", "activate", "current_profile", "is_32"]

P29 = "2.6.29"
P32 = "2.6.32"
PROFILES = (P29, P32)

_active = P29


def check_profile(profile: object) -> str:
    """``profile`` if it is one of PROFILES; ValueError naming the choices otherwise."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; expected one of {PROFILES}")
    return str(profile)


def activate(profile: str) -> None:
    """Make ``profile`` the active one (part of ``dmaengine.reset()``)."""
    global _active
    _active = check_profile(profile)


def current_profile() -> str:
    """``"2.6.29"`` or ``"2.6.32"``."""
    return _active


def is_32() -> bool:
    """True under the 2.6.32 profile."""
    return _active == P32
