"""`dmasim dmatest` and `dmasim conformance`: cocotb modules that bring up the simulated system
with the provider driver and run one client on it (`*_sim.py`), and the CLI side that runs them
(`simulate.py`)."""
