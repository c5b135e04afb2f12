# OpenIPT: `make run` serves the demo, `make test` runs every check. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export OPENIPT_DATA_DIR ?= $(CURDIR)/var

.PHONY: install system-deps run test lint bench clean

$(STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements/constraints.txt -e ".[test,load]"
	@touch $(STAMP)

install: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

run: install
	$(BIN)/openipt migrate
	$(BIN)/openipt demo --if-empty
	$(BIN)/openipt serve

test: install system-deps
	@bash scripts/test.sh

lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)

bench: install
	@bash bench/run.sh

clean:
	rm -rf $(VENV) var bench/out
