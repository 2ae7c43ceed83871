"""Logging inside the simulator process: the terminal tells the test's story, the log file keeps
everything.

cocotbext-axi announces every bus model it builds (version, copyright, configuration, one line
per signal: about 110 lines for one dma_top) and every reset edge, at INFO level. tb.runner
makes cocotb call :func:`configure` right after cocotb's own logging set-up (through PYGPI_USERS,
cocotb's list of start-up hooks), so the filter is in place before any test module is imported
or any bus model is built, whatever the test module is.

When the runner names a log file (``DMASIM_LOG_FILE``, set when the run's output goes to the
terminal), records below WARNING from the bus-model libraries are kept out of the terminal and
every record, those included, goes to the file. Without it (output captured to a file already)
nothing is filtered.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from cocotb.logging import SimLogFormatter, SimTimeContextFilter

LOG_FILE_ENV = "DMASIM_LOG_FILE"
"""Environment variable naming the file that receives the full log of a run."""

QUIET_PACKAGES = ("cocotbext", "cocotb_bus")
"""Libraries whose INFO chatter (banners, reset edges) stays out of the terminal."""


class LibraryChatter(logging.Filter):
    """Refuses records below WARNING that were logged from source files under ``roots``."""

    def __init__(self, roots: Iterable[Path]) -> None:
        super().__init__()
        # as found on sys.path (what code objects record) and with links resolved
        self.roots = tuple({str(p) + os.sep for r in roots for p in (Path(r), Path(r).resolve())})

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or not record.pathname.startswith(self.roots)


def package_roots(names: Iterable[str] = QUIET_PACKAGES) -> list[Path]:
    """The folders holding the named (possibly namespace) packages that are installed."""
    import importlib.util

    roots: list[Path] = []
    for name in names:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            roots.extend(Path(p) for p in spec.submodule_search_locations)
    return roots


def configure() -> None:
    """cocotb start-up hook: filter the terminal and open the full log file (when named)."""
    path = os.environ.get(LOG_FILE_ENV)
    if not path:
        return
    root = logging.getLogger()
    chatter = LibraryChatter(package_roots())
    for handler in root.handlers:  # cocotb's stdout handler
        handler.addFilter(chatter)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    full = logging.FileHandler(path, mode="w")
    full.addFilter(SimTimeContextFilter())
    full.setFormatter(SimLogFormatter(strip_ansi=True))
    root.addHandler(full)
