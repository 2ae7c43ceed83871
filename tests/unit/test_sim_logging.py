"""tb.sim_logging: which records the terminal filter keeps out, and the full log file."""

import logging
from pathlib import Path

from tb import sim_logging


def record(path: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.LogRecord("cocotb.dma_top.s_axil", level, path, 1, "banner", None, None)


def test_library_info_is_kept_out_and_its_warnings_are_not(tmp_path: Path) -> None:
    lib = tmp_path / "site-packages" / "cocotbext"
    chatter = sim_logging.LibraryChatter([lib])
    assert not chatter.filter(record(str(lib / "axi" / "axil_master.py")))
    assert chatter.filter(record(str(lib / "axi" / "axil_master.py"), logging.WARNING))
    assert chatter.filter(record(str(tmp_path / "tb" / "dma_tb.py")))
    # a sibling whose name only starts like the library's is not the library
    assert chatter.filter(record(str(tmp_path / "site-packages" / "cocotbext_mine" / "x.py")))


def test_the_bus_model_libraries_are_found() -> None:
    roots = sim_logging.package_roots()
    assert any(r.name == "cocotbext" for r in roots)
    assert (next(r for r in roots if r.name == "cocotbext") / "axi").is_dir()
