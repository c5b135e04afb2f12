# OpenIPT: `make run` serves the demo, `make test` runs every check. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OPENIPT_DATA_DIR ?= $(CURDIR)/var

.PHONY: install system-deps run test check lint bench clean

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e ".[test,load]"
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

# The worker (alerts, reminders, scheduled jobs) runs beside the server and stops with it.
run: install
	$(BIN)/openipt migrate
	$(BIN)/openipt demo --if-empty
	@$(BIN)/openipt worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(BIN)/openipt serve

# Installs, then every check; its own steps are timed (scripts/test.sh).
test:
	@bash scripts/test.sh

# The inner loop: lint, types and the tests of what changed (docs/development.md).
check: install
	@bash scripts/check.sh

lint: install
	$(BIN)/ruff check src tests scripts $(wildcard bench)
	$(BIN)/ruff format --check src tests scripts $(wildcard bench)

bench: install
	@bash bench/run.sh

clean:
	rm -rf $(VENV) var bench/out
