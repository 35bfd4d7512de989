# cskpi — `make report` and `make test` work from a clean clone with only Python installed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV    := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help install report test fuzz lint typecheck check bench bench-dask snapshots sample clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# two stamps: `report` needs the runtime only; the test and lint targets add the dev tools
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e .
	touch $(STAMP)

$(DEV): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(DEV)

install: $(DEV)  ## create .venv and install cskpi with its dev tools

report: $(STAMP)  ## run a real report on sample_data/ (installs the runtime only)
	$(BIN)/cskpi report sample_data/tickets.csv --surveys sample_data/surveys.csv --by channel

test: $(DEV)  ## run the test suite
	$(BIN)/python -m pytest

fuzz: $(DEV)  ## fuzz the CLI with random exports and options (CSKPI_FUZZ_EXAMPLES, default 2000)
	CSKPI_FUZZ_EXAMPLES=$${CSKPI_FUZZ_EXAMPLES:-2000} $(BIN)/python -m pytest tests/test_fuzz.py

lint: $(DEV)  ## ruff
	$(BIN)/ruff check cskpi tests bench
	$(BIN)/ruff format --check cskpi tests bench

typecheck: $(DEV)  ## mypy
	$(BIN)/mypy

check: lint typecheck test  ## lint + types + tests

bench: $(DEV)  ## benchmarks vs DuckDB (bench/run.py); writes bench/RESULTS.md, not a test
	$(BIN)/python -m pip install -q 'duckdb>=1.0,<2'
	$(BIN)/python bench/run.py

bench-dask: $(DEV)  ## --engine dask vs local, W at 10 M in 40 files, then 50 M with 2 GiB workers
	$(BIN)/python bench/dask_run.py --size 10000000 --files 40
	$(BIN)/python bench/dask_run.py --size 50000000 --files 50 --memory-limit 2GiB --runs 1

snapshots: $(DEV)  ## regenerate tests/snapshots (review the diff!)
	CSKPI_UPDATE_SNAPSHOTS=1 $(BIN)/python -m pytest tests/test_snapshots.py

sample: $(STAMP)  ## regenerate sample_data/
	$(BIN)/cskpi sample --out sample_data

clean:  ## remove the venv and caches
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
