# Baoxue: the two commands a newcomer needs.
#   make serve  - create .venv, install core + every plugin, migrate, load the demo county, serve
#   make test   - same set-up, then lint and the whole suite (SQLite, and PostgreSQL if it answers)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PLUGIN_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard plugins/*/pyproject.toml))
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 1
DEMO_STUDENTS ?= 3000
# The demo county: a plugin's division code or name (荔浦市 450381: its rules come from its plugin),
# or 369901 for the fictional 示范县.
DEMO_JURISDICTION ?= 450381
PG_SERVER ?= postgres://postgres@127.0.0.1:5432
PYTEST_ARGS ?=
# Test processes (pytest-xdist): "auto" is one per CPU, 0 runs the suite in this process.
TEST_WORKERS ?= auto

.PHONY: install serve test test-sqlite test-postgres lint format schema migrate demo clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml $(wildcard plugins/*/pyproject.toml) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]" $(foreach p,$(PLUGIN_DIRS),-e $(p))
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/baoxue migrate

demo: migrate
	$(BIN)/baoxue demo --if-empty --students $(DEMO_STUDENTS) --jurisdiction $(DEMO_JURISDICTION)

serve: demo
	$(BIN)/baoxue serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install
	$(BIN)/baoxue schema export

test-sqlite: install
	BAOXUE_TEST_DATABASE=sqlite $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Runs only when a PostgreSQL server answers; the suite creates and drops its own database.
test-postgres: install
	@if $(BIN)/python -c "import asyncio, asyncpg, sys; \
	sys.exit(0 if asyncio.run(asyncio.wait_for(asyncpg.connect('$(PG_SERVER)/postgres'.replace('postgres://','postgresql://',1)), 3)) else 1)" \
	  >/dev/null 2>&1; then \
	  echo "== PostgreSQL answers at $(PG_SERVER): running the suite against it"; \
	  BAOXUE_TEST_DATABASE=$(PG_SERVER) $(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS); \
	else \
	  echo "== no PostgreSQL at $(PG_SERVER): skipping the PostgreSQL run"; \
	fi

test: lint test-sqlite test-postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# The API benchmark over HTTP (bench/__main__.py): demo counties cached in ~/.cache/baoxue-bench,
# the real server and the hand-written floor as subprocesses. Quick: BENCH_ARGS="--sizes 10000
# --databases sqlite --quick".
BENCH_ARGS ?=
bench: install
	nice $(BIN)/python -m bench $(BENCH_ARGS)
