"""dmasim's tests. A package so that every suite, including the cocotb modules that run inside a
simulator, imports the shared helpers as ``tests.support``."""
