"""Helpers shared by the test suites (no tests here).

- ``engines``: SoftDmaDevices, registering them, taking async_tx's dmaengine reference, and
  reading back channel state (reference counts, the per-CPU table, queue lengths).
- ``pages``: reproducible page contents and XOR of byte strings.
- ``waiting``: letting engines and tasklets run, waiting for a condition or for descriptors.
- ``callbacks``: a recorder of completion callbacks and the context each ran in.
- ``doc_example``: the async_tx documentation's xor -> copy -> xor chain, run by the unit suite
  under asyncio and by the system suite inside a simulation.
- ``simulated``: a fresh core on cocotb's scheduler, for the system suite's modules.

The unit suite's fixtures (fresh core, asyncio runtime, memory) are in tests/unit/conftest.py.
"""
