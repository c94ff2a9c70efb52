# `make run` and `make test` each create/refresh .venv, install the project, then do their job.
# Installs go through uv from the committed uv.lock: `run` gets only what running needs, `test` adds
# the dev tools. (uv re-locks by itself if pyproject.toml changed since.)
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
SYNC := UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --quiet --inexact --python $(BIN)/python
RUN_STAMP := $(VENV)/.run-installed
STAMP := $(VENV)/.dev-installed

.PHONY: run test lint bench bench-service clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

$(RUN_STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(SYNC)
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml uv.lock | $(BIN)/uv
	$(SYNC) --extra dev
	touch $(STAMP) $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/computegate demo
	$(BIN)/computegate serve --new-key --port $(PORT)

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
	$(BIN)/python benchmarks/engine_versions.py
	$(BIN)/python benchmarks/screening/evaluate.py
	$(BIN)/python benchmarks/screening/speed.py
	$(BIN)/python benchmarks/simulation.py

bench-service: $(STAMP)
	$(BIN)/python -m benchmarks.service_load
	$(BIN)/python -m benchmarks.service_soak
	$(BIN)/python -m benchmarks.receipts

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
