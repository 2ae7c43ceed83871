"""A run's functional coverage database: every covergroup exported when the simulation ends,
as YAML and XML next to each other (`<sim>-<params>-<module>.yml/.xml`, the path the runner
hands over in DMASIM_COVERAGE_DB); report.py merges them."""

from __future__ import annotations

import os
from pathlib import Path

from cocotb_coverage.coverage import coverage_db

# Every covergroup, so that every database holds all of them (merging needs the same items).
from tb.coverage import bus, descriptors, errors, interrupts, ring  # noqa: F401

_registered = False


def write(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    coverage_db.export_to_yaml(str(path.with_suffix(".yml")))
    coverage_db.export_to_xml(str(path.with_suffix(".xml")))


def write_at_end() -> None:
    """Write the database when cocotb shuts the simulation down (registered once)."""
    global _registered
    if _registered:
        return
    _registered = True
    path = Path(os.environ.get("DMASIM_COVERAGE_DB", "functional_coverage.yml"))
    # The hook cocotb saves its own Python code coverage with (COCOTB_USER_COVERAGE); it runs
    # after the last test, on both simulators.
    import cocotb._shutdown

    cocotb._shutdown.register(lambda: write(path))
