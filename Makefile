# Developer shortcuts. Every target uses the virtualenv in .venv (make install creates it);
# use another one with `make test BIN=/path/to/venv/bin`.
BIN ?= .venv/bin
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
.PHONY: help install run test test-pg lint typecheck bench translations ci

help: ## List the targets
	@echo "Targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: ## Create .venv and install the portal with its test tools (editable)
	test -x $(BIN)/python || python3 -m venv .venv
	$(BIN)/pip install -e '.[test]'

run: ## Load the demo directory and serve it on http://127.0.0.1:5000 with the worker
	$(BIN)/portal demo
	$(BIN)/portal run --worker

test: ## Run the tests on SQLite (the README's test command)
	$(BIN)/pytest

test-pg: ## Run the tests on PostgreSQL (PG_URL; that database is wiped)
	PORTAL_DATABASE_URL='$(PG_URL)' $(BIN)/pytest

lint: ## ruff check
	$(BIN)/ruff check .

typecheck: ## mypy on portal/ and checks/
	$(BIN)/mypy

bench: ## Run every benchmark in bench/ (rate limits off; bench_load needs wrk); results go to bench/out/
	set -e; export PORTAL_RATELIMIT_ENABLED=0; \
	for b in import diagnose timing mail inbox argon2 sync; do $(BIN)/python bench/bench_$$b.py; done; \
	if command -v wrk >/dev/null; then $(BIN)/python bench/bench_load.py; else echo "bench_load.py skipped: no wrk (apt-get install wrk)"; fi

translations: ## Re-extract strings, update all eight catalogues and the back-translations, fill Swedish, compile; lists what is still to translate
	$(BIN)/python tools/translations.py

ci: ## Run what CI runs: install, lint, type check, tests on SQLite and PostgreSQL
	bash .ci/run
