"""The driver stack reaches the simulation only through its seams: no module under pydriver/
imports cocotb, cocotbext, pyuvm or the tb package (checked on the source, so a lazy import
inside a function is caught too)."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pydriver

FORBIDDEN = ("cocotb", "cocotbext", "cocotb_bus", "pyuvm", "tb")


def modules() -> list[str]:
    return [m.name for m in pkgutil.walk_packages(pydriver.__path__, "pydriver.")]


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_every_pydriver_module_is_found_and_imports_cleanly():
    found = modules()
    assert "pydriver.drivers.dmasim.dma" in found and "pydriver.io" in found
    for name in found:
        if not name.endswith(".__main__"):  # a command's entry point runs when imported
            importlib.import_module(name)


def test_no_pydriver_module_imports_the_simulation():
    bad = []
    for name in modules():
        path = Path(importlib.util.find_spec(name).origin)
        for imp in imported(path):
            if imp.split(".")[0] in FORBIDDEN:
                bad.append(f"{name} imports {imp}")
    assert not bad, "\n".join(bad)
