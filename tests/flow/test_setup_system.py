"""scripts/setup_system.sh, the set-up's system-package step, on a fake machine: a PATH of stubs
decides which tools exist, whether the user is root and whether sudo asks for a password; a
stub apt-get records what it was asked to do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tb import runner

SCRIPT = runner.REPO / "scripts" / "setup_system.sh"
TOOLS = ("iverilog", "g++", "make", "perl", "ccache")
# What the script itself needs from a real system.
REAL = ("env", "mktemp", "rm", "tail", "true")


def stub(path: Path, body: str) -> None:
    path.write_text(f"#!/bin/bash\n{body}\n")
    path.chmod(0o755)


def fake_machine(tmp: Path, *, tools=TOOLS, lz4=True, uid=1000, sudo=False,
                 apt=True) -> tuple[dict[str, str], Path]:
    """A PATH holding only ``tools`` (and what the script runs), and the apt-get record."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    record = tmp / "apt.log"
    for name in REAL:
        os.symlink(shutil.which(name), bin_dir / name)
    for name in tools:
        # g++ is also the lz4.h probe: it succeeds only when the header "exists"
        stub(bin_dir / name, f"exit {0 if lz4 or name != 'g++' else 1}")
    stub(bin_dir / "id", f"echo {uid}")
    if sudo:
        stub(bin_dir / "sudo", f'[ "$1" = -n ] && shift\necho -n "sudo " >> {record}\n"$@"')
    if apt:
        stub(bin_dir / "apt-get", f'echo "apt-get $*" >> {record}')
        stub(bin_dir / "apt-cache", "exit 0")
    env = {"PATH": str(bin_dir), "PYTHON": sys.executable, "HOME": str(tmp)}
    return env, record


def setup(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["/bin/bash", str(SCRIPT), *args], env=env, capture_output=True,
                          text=True, timeout=60)


def recorded(record: Path) -> list[str]:
    return record.read_text().splitlines() if record.exists() else []


def test_nothing_missing_does_nothing(tmp_path: Path) -> None:
    env, record = fake_machine(tmp_path, uid=0)
    proc = setup(env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == proc.stderr == ""
    assert recorded(record) == []


def test_root_installs_what_is_missing(tmp_path: Path) -> None:
    env, record = fake_machine(tmp_path, tools=("g++", "make", "perl"), lz4=False, uid=0)
    proc = setup(env)
    assert proc.returncode == 0, proc.stderr
    assert recorded(record) == [
        "apt-get update -qq",
        "apt-get install -y -qq iverilog liblz4-dev ccache",
    ]
    assert "installing system packages: iverilog liblz4-dev ccache" in proc.stderr


def test_passwordless_sudo_is_used(tmp_path: Path) -> None:
    env, record = fake_machine(tmp_path, tools=("iverilog", "g++", "make", "ccache"), sudo=True)
    proc = setup(env)
    assert proc.returncode == 0, proc.stderr
    assert recorded(record)[-1] == "sudo apt-get install -y -qq perl"


def test_user_who_cannot_install_gets_the_command(tmp_path: Path) -> None:
    env, record = fake_machine(tmp_path, tools=("g++", "make", "perl"), lz4=False)
    proc = setup(env)
    assert proc.returncode == 1
    assert "needs these system packages: iverilog liblz4-dev" in proc.stderr
    assert ("sudo apt-get update && sudo apt-get install -y iverilog liblz4-dev ccache"
            in proc.stderr)
    assert recorded(record) == []


def test_missing_ccache_alone_is_no_reason_to_stop(tmp_path: Path) -> None:
    env, record = fake_machine(tmp_path, tools=("iverilog", "g++", "make", "perl"))
    proc = setup(env)
    assert proc.returncode == 0, proc.stderr
    assert recorded(record) == []


def test_without_apt_get_it_names_the_packages(tmp_path: Path) -> None:
    env, record = fake_machine(tmp_path, tools=("g++", "make", "perl", "ccache"), uid=0,
                               apt=False)
    proc = setup(env)
    assert proc.returncode == 1
    assert "needs these system packages: iverilog" in proc.stderr
    assert "package manager" in proc.stderr


@pytest.mark.parametrize("uid, sudo, prefix", [(0, False, ""), (1000, True, "sudo ")])
def test_dry_run_changes_nothing(tmp_path: Path, uid: int, sudo: bool, prefix: str) -> None:
    env, record = fake_machine(tmp_path, tools=("g++", "make", "perl", "ccache"), uid=uid,
                               sudo=sudo)
    proc = setup(env, "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert (f"would run: {prefix}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
            "iverilog") in proc.stdout
    assert [line for line in recorded(record) if "apt-get" in line] == []
