"""Provider drivers: dmaengine providers for real (simulated) hardware, and what they share.

- ``prep_args``: the argument checks every provider's hooks use (also ``pydriver.soft``).
- ``dmasim``: the driver for the dma_top controller, shaped like Linux drivers/dma/ioat.
"""
