"""The dmaengine provider driver for the dma_top controller, laid out like drivers/dma/ioat:

- ``hw``: the descriptor format (codec, status word, completion record, error codes)
- ``ring``: ring arithmetic (slot addresses, outstanding and free slots, counts mod 2^16)
- ``chan``: the driver's channel and descriptor structures
- ``prep``: device_prep_dma_* hooks
- ``dma``: tx_submit, issue_pending, interrupt handler, cleanup tasklet, tx_status, recovery
- ``selftest``: the probe-time self-tests
- ``init``: probe and remove

It reaches the hardware only through DMA memory (``SystemMemory``) and a ``RegisterIO``
(``pydriver.io``). docs/driver.md describes how it uses the controller.
"""

from .chan import DmasimChan, DmasimDescriptor, HwError
from .init import DmasimDevice, HwInfo, dmasim_probe, dmasim_remove
from .selftest import SelfTestError

__all__ = [
    "DmasimChan",
    "DmasimDescriptor",
    "DmasimDevice",
    "HwError",
    "HwInfo",
    "SelfTestError",
    "dmasim_probe",
    "dmasim_remove",
]
