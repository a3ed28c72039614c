# gogooku3 — everything runs from a local virtualenv on Python >= 3.12 (pandas-ta needs it).
#   make demo    fake J-Quants API → ingest → dbt build, offline, into data/gogooku3.duckdb
#   make test    the whole test suite (what CI runs)
#   make lint    ruff (Python) and sqlfmt (SQL) checks (what CI and the pre-commit hooks run)
#   make format  apply both formatters
#   make orchestrate   Dagster's UI on http://127.0.0.1:3000 over the fake J-Quants API (offline)
#   make docs    regenerate docs/features.md (every column → formula, model, macros)
#   make bench   the ingest benchmark (4,000 codes × 5 years from the fake server)
#   make bench-features   the feature DAG against the materialization floor (issue #5)
#   make bench-peers      ours against Polars and pandas-ta → docs/benchmarks.md (issue #6; ~30 min)
#   make bench-incremental   one new trading day on the full market, the daily dbt run (issue #6);
#                            DAYS=45 replays enough days to time the settled ones (~25 min)

PYTHON312 := $(shell scripts/find-python312)
VENV := .venv
BIN := $(VENV)/bin
DAYS ?= 4

.PHONY: setup demo test lint format orchestrate docs bench bench-features bench-peers bench-incremental clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON312) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,bench,orchestrate]"
	touch $@

setup: $(VENV)/.installed

demo: setup
	$(BIN)/gogooku3 demo

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfmt --check --quiet .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/sqlfmt --quiet .

# the fake server (300 codes × 1 year) in the background, stopped with dagster dev; Dagster's state in data/dagster
orchestrate: setup
	mkdir -p data/dagster
	$(BIN)/gogooku3 fake-api --codes 300 --years 1 --port 8765 & pid=$$!; \
	trap 'kill $$pid 2>/dev/null' EXIT; trap 'exit 143' INT TERM; \
	JQUANTS_API_BASE=http://127.0.0.1:8765/v2 JQUANTS_API_KEY=fake-key JQUANTS_PLAN=premium JQUANTS_RATE_LIMIT=0 \
	GOGOOKU3_PARTITIONS_START=$${GOGOOKU3_PARTITIONS_START:-2025-11-01} DAGSTER_HOME=$(CURDIR)/data/dagster \
	$(BIN)/dagster dev -m gogooku3.orchestration.definitions -h 127.0.0.1 -p 3000

docs: setup
	$(BIN)/python scripts/gen_column_map.py

bench: setup
	$(BIN)/python bench/bench_ingest.py

bench-features: setup
	$(BIN)/python bench/bench_features.py

bench-peers: setup
	$(BIN)/python bench/bench_peers.py

bench-incremental: setup
	$(BIN)/python bench/bench_incremental.py --days $(DAYS)

clean:
	rm -rf target logs data .pytest_cache
