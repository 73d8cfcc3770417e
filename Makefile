# The README's two commands: `make run` (the app on SQLite, http://127.0.0.1:5000) and `make test`; `make serve` for
# the production shape on PostgreSQL.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
FLASK := COACH_ENV=development $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test test-fast lint db seed clean bench-deps

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

## Set up, migrate and seed the embedded SQLite database, make the push keys once, then serve on http://$(HOST):$(PORT)
## with the reminder scheduler in-process.
run: $(VENV)/.runtime
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) vapid init --subject mailto:dev@localhost
	SCHEDULER_IN_PROCESS=1 $(FLASK) run --host $(HOST) --port $(PORT)

## Production shape on one machine: migrate and seed, then gunicorn (gunicorn.conf.py) and two reminder schedulers on
## PostgreSQL (DATABASE_URL), Redis rate limits when REDIS_URL is set; Ctrl-C stops all (scripts/serve, docs/OPERATIONS.md).
serve: $(VENV)/.runtime
	$(BIN)/python scripts/serve

## Set up and run every test (SQLite by default; set DATABASE_URL for PostgreSQL), spread over every core by
## pytest-xdist (TEST_WORKERS=0 runs them in one process): each worker has a database of its own.
TEST_WORKERS ?= auto
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist worksteal
test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

## Everything but the browser tests.
test-fast: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not e2e" $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check coach tests bench

db: $(VENV)/.runtime
	$(FLASK) db upgrade

seed: $(VENV)/.runtime
	$(FLASK) seed

## The soak's load tool (locust; not installed by CI): bench/soak.py, docs/RELIABILITY.md.
bench-deps: $(VENV)/.dev
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt

clean:
	rm -rf $(VENV) .pytest_cache
