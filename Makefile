# Two entry points: `make render` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE ?= examples/accounts-payable.yml
DEST ?= build/$(basename $(notdir $(EXAMPLE)))

.PHONY: setup render test test-fast lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet '.[test]'
	touch $@

## Render a complete client repository from a shipped example discovery.
render: setup
	$(BIN)/python hooks/render.py $(EXAMPLE) $(DEST)

## The whole template test suite, the rendered repositories' gates included.
test: setup
	$(BIN)/python -m pytest

## Only the fast tests: answers, validators, rendering.
test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

lint: setup
	$(BIN)/ruff format --check hooks tests
	$(BIN)/ruff check hooks tests

clean:
	rm -rf $(VENV) build
