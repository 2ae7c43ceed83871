"""The dmaengine core (drivers/dma/dmaengine.c and include/linux/dmaengine.h), in Python.

Process-wide state like the kernel's; ``reset(profile, nr_cpus)`` starts a fresh core. Kernel
functions that may sleep are coroutines, atomic ones are plain functions. The behaviour is
described in docs/kernel-model.md; comments cite its rules (R1 ... R84).
"""

from .caps import *  # noqa: F403
from .caps import __all__ as _caps_all
from .cookies import *  # noqa: F403
from .cookies import __all__ as _cookies_all
from .core import (
    current_cpu,
    nr_cpus,
    on_cpu,
    online_cpus,
    reset,
    set_timeouts,
    state,
)
from .dependencies import dma_run_dependencies
from .descriptor import *  # noqa: F403
from .descriptor import __all__ as _descriptor_all
from .device import *  # noqa: F403
from .device import __all__ as _device_all
from .flags import *  # noqa: F403
from .flags import __all__ as _flags_all
from .memcpy import *  # noqa: F403
from .memcpy import __all__ as _memcpy_all
from .profile import P29, P32, PROFILES, current_profile
from .refs import dmaengine_get, dmaengine_put
from .register import (
    ASYNC_TX_OPS,
    PREP_HOOKS,
    dma_async_device_register,
    dma_async_device_unregister,
    dma_driver_unload,
)
from .request import DmaFilterFn, dma_release_channel, dma_request_channel
from .status import *  # noqa: F403
from .status import __all__ as _status_all
from .table import (
    dma_async_issue_pending,
    dma_channel_table,
    dma_find_channel,
    dma_issue_pending_all,
)
from .wait import dma_sync_wait, dma_wait_for_async_tx

__all__ = [
    *_caps_all,
    *_cookies_all,
    *_descriptor_all,
    *_device_all,
    *_flags_all,
    *_memcpy_all,
    *_status_all,
    "P29",
    "P32",
    "PROFILES",
    "current_cpu",
    "current_profile",
    "nr_cpus",
    "on_cpu",
    "online_cpus",
    "reset",
    "set_timeouts",
    "state",
    "dma_run_dependencies",
    "dmaengine_get",
    "dmaengine_put",
    "ASYNC_TX_OPS",
    "PREP_HOOKS",
    "dma_async_device_register",
    "dma_async_device_unregister",
    "dma_driver_unload",
    "DmaFilterFn",
    "dma_release_channel",
    "dma_request_channel",
    "dma_async_issue_pending",
    "dma_channel_table",
    "dma_find_channel",
    "dma_issue_pending_all",
    "dma_sync_wait",
    "dma_wait_for_async_tx",
]
