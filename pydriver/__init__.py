"""dmasim's driver stack: a Python model of the Linux dmaengine core and async_tx API.

Framework-neutral: nothing in this package imports cocotb. The few kernel primitives the stack
needs (tasklets, events, timeouts) sit behind the seam in :mod:`pydriver.runtime`.
"""
