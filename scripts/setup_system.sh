#!/usr/bin/env bash
# The system packages dmasim needs outside its .venv, installed when they are missing.
#
#   iverilog      Icarus Verilog, the default simulator
#   g++, make     Verilator compiles its C++ model with them
#   perl          the verilator command is a Perl script
#   liblz4-dev    lz4.h, which Verilator's FST waveform writer includes
#   ccache        optional: rebuilding an unchanged Verilator model becomes almost free
#   python3-venv  only when the system's python3 cannot make a venv (Debian splits it off)
#
# Installs with apt-get as root, or through sudo when sudo needs no password. Otherwise, and on
# machines without apt-get, it installs nothing and stops with the exact command to run.
# Every make target that builds or simulates runs this first; it is quick when nothing is
# missing.
#
# Usage: scripts/setup_system.sh [--dry-run]
#   --dry-run  print what would be installed and how, change nothing (exit 0)
# Environment: PYTHON (default python3), the interpreter the .venv will be made with.
set -euo pipefail

dry_run=0
case "${1:-}" in
  --dry-run) dry_run=1 ;;
  "") ;;
  *) echo "usage: $0 [--dry-run]" >&2; exit 2 ;;
esac

PYTHON=${PYTHON:-python3}
have() { command -v "$1" >/dev/null 2>&1; }

# The header must be where the compiler looks, not merely somewhere on disk.
have_lz4_header() {
  if have g++; then
    printf '#include <lz4.h>\n' | g++ -fsyntax-only -x c++ - >/dev/null 2>&1
  else
    [ -f /usr/include/lz4.h ]
  fi
}

# The Python packages the .venv needs: python3 itself when the default one is absent, and
# python3-venv when Debian's python3 lacks ensurepip (another Python brings its own).
python_packages() {
  local exe
  if ! exe=$(command -v "$PYTHON" 2>/dev/null); then
    [ "$PYTHON" = python3 ] && echo "python3 python3-venv"
    return 0
  fi
  "$exe" -c 'import ensurepip, venv' >/dev/null 2>&1 && return 0
  case "$exe" in /usr/bin/*) echo python3-venv ;; esac
}

missing=()
have iverilog || missing+=(iverilog)
have g++ || missing+=(g++)
have make || missing+=(make)
have perl || missing+=(perl)
have_lz4_header || missing+=(liblz4-dev)
read -r -a py_pkgs <<<"$(python_packages)" || true
missing+=("${py_pkgs[@]}")
optional=()
have ccache || optional+=(ccache)

[ ${#missing[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ] && exit 0

# How we may install: directly as root, or through a sudo that asks no password.
sudo=()
if ! have apt-get; then
  installer=none
elif [ "$(id -u)" = 0 ]; then
  installer=root
elif have sudo && sudo -n true >/dev/null 2>&1; then
  installer=sudo
  sudo=(sudo)
else
  installer=none
fi

if [ "$installer" = none ]; then
  [ ${#missing[@]} -eq 0 ] && exit 0  # ccache is a nicety: go on without it
  echo "error: dmasim needs these system packages: ${missing[*]}" >&2
  if have apt-get; then
    echo "this user may not install them; as an administrator, run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}${optional[*]:+ ${optional[*]}}" >&2
    echo "then rerun this command" >&2
  else
    echo "install them with your system's package manager (on Debian/Ubuntu:" \
      "apt-get install -y ${missing[*]}), then rerun" >&2
  fi
  exit 1
fi

apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)
if [ "$dry_run" = 1 ]; then
  echo "would run: ${apt[*]} update -qq"
  echo "would run: ${apt[*]} install -y -qq ${missing[*]}${optional[*]:+ ${optional[*]}}"
  exit 0
fi

echo "dmasim set-up: installing system packages: ${missing[*]}${optional[*]:+ ${optional[*]}}" >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A fresh machine has empty package lists; without them nothing can be found.
"${apt[@]}" update -qq >"$log" 2>&1 || true
wanted=("${missing[@]}")
for pkg in "${optional[@]}"; do  # only what this distribution offers
  apt-cache show "$pkg" >/dev/null 2>&1 && wanted+=("$pkg")
done
if [ ${#wanted[@]} -gt 0 ] && ! "${apt[@]}" install -y -qq "${wanted[@]}" >>"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "error: installing ${wanted[*]} failed (apt-get's messages above); run:" >&2
  echo "  ${sudo[*]:+${sudo[*]} }apt-get install -y ${wanted[*]}" >&2
  exit 1
fi
