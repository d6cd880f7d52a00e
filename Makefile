# pdca: the two commands people need are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PDCA_VAR_DIR ?= $(CURDIR)/var

.PHONY: demo test lint format migrations-check pytest bench install clean help

help:
	@echo "make demo   install into .venv, set up var/pdca.sqlite3 with demo data, serve on :$${PDCA_PORT:-8000}"
	@echo "make test   lint, migration check and the whole test suite (DATABASE_URL selects the database)"
	@echo "make bench  benchmarks; figures go to benchmarks/results/latest.json"

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
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

migrations-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=. $(BIN)/django-admin makemigrations --check --dry-run

pytest: $(STAMP)
	$(BIN)/pytest -n auto --dist loadfile -q

test: lint migrations-check pytest

bench: $(STAMP)
	DJANGO_SETTINGS_MODULE=tests.settings PYTHONPATH=.:src $(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) var build *.egg-info
