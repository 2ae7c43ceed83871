"""requirements.txt locks every Python package the set-up installs (compiled from
requirements.in by `make lock`), so a fresh machine gets exactly what CI got."""

import re
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]


def requirement_lines(name: str) -> list[str]:
    lines = (REPO / name).read_text().splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def locked() -> dict[str, str]:
    pins = {}
    for line in requirement_lines("requirements.txt"):
        m = re.fullmatch(r"([A-Za-z0-9._-]+)==([^\s;]+)", line)
        assert m, f"requirements.txt: {line!r} is not pinned as name==version"
        pins[canonicalize_name(m[1])] = m[2]
    return pins


def test_every_direct_dependency_is_locked_at_its_version() -> None:
    pins = locked()
    for line in requirement_lines("requirements.in"):
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is in requirements.in but not locked: run `make lock`"
        assert req.specifier.contains(pins[name], prereleases=True), \
            f"{req.name}: requirements.in wants {req.specifier}, the lock has {pins[name]}"


def test_the_lock_pins_the_installers_too() -> None:
    # pip and setuptools make the venv and the editable install: locked like the rest
    assert {"pip", "setuptools", "pip-tools"} <= locked().keys()
