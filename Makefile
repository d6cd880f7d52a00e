# pdca: the two commands people need are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PDCA_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test lint imports types format migrations-check pytest bench bench-scale trust architecture install clean help

help:
	@echo "make demo   install into .venv, set up var/pdca.sqlite3 with demo data, serve on :$${PDCA_PORT:-8000}"
	@echo "make test   lint, import contracts, types, migration check and the whole test suite (DATABASE_URL selects the database)"
	@echo "make bench  benchmarks; figures go to benchmarks/results/latest.json"
	@echo "make bench-scale  pages, reports and writes at production scale on PostgreSQL (pdca_scale)"
	@echo "make trust  the records-you-can-trust checks with a larger fuzzing budget, on PostgreSQL"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "pdca needs Python 3.11 or newer")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	PDCA_DEBUG=1 $(BIN)/pdca demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

# The layers of docs/architecture.md (contracts in pyproject.toml), and the picture drawn from them.
imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

architecture: $(STAMP)
	$(BIN)/python scripts/architecture.py docs/architecture-layers.svg

types: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks scripts
	$(BIN)/ruff format src tests benchmarks scripts

migrations-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=. $(BIN)/django-admin makemigrations --check --dry-run

pytest: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile -q

test: lint imports types migrations-check pytest

bench: $(STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=.:src $(BIN)/python -m benchmarks.run

# pdca at production scale on PostgreSQL (docs/scaling.md): seeds the database pdca_scale with
# `pdca seed-scale` when missing, then pages, API lists, a 500-finding report in a worker and API
# writes against four gunicorn processes; figures in benchmarks/results/scale-postgresql.json.
bench-scale: $(STAMP)
	PYTHONPATH=.:src $(BIN)/python -m benchmarks.scale

# Records an auditor can trust, measured: no record deletable, no lost update or silent
# overwrite, no broken invariant under real threads, no server error or schema violation for
# any input (a larger fuzzing budget than `make test`), no live formula in any export.
TRUST_DB ?= postgres://postgres@127.0.0.1:5432/pdca_trust
trust: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-$(TRUST_DB)} PDCA_FUZZ_EXAMPLES=$${PDCA_FUZZ_EXAMPLES:-25} \
	  $(BIN)/pytest -n auto --dist loadfile -q -rs \
	  tests/core/test_records_every_model.py tests/core/test_concurrency_postgres.py \
	  tests/core/test_concurrency.py tests/assessments/test_concurrency.py \
	  tests/core/test_export_safety.py tests/core/test_api_errors.py \
	  tests/test_openapi_document.py tests/test_api_fuzz.py

clean:
	rm -rf $(VENV) var build *.egg-info
