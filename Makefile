# `make run` and `make test` each create/refresh .venv, install the project, then do their job.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/computegate demo
	$(BIN)/computegate serve --new-key

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: lint
	eval "$$(bash scripts/test-services.sh)" && $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/classify.py
	$(BIN)/python benchmarks/decisions.py
	$(BIN)/python benchmarks/screening/evaluate.py
	$(BIN)/python benchmarks/screening/speed.py
	$(BIN)/python benchmarks/simulation.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
