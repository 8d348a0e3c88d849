# The two commands a newcomer needs: `make run` and `make test`.
# Both create .venv on first use and install the pinned versions in constraints.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP_INSTALL := $(BIN)/python -m pip install --disable-pip-version-check -q -c constraints.txt

.PHONY: run test lint typecheck pytest pytest-pg screenshots bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q --upgrade pip

$(VENV)/.run-installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP_INSTALL) -e '.[postgres]'
	touch $@

$(VENV)/.test-installed: $(VENV)/.run-installed
	$(PIP_INSTALL) -e '.[test]'
	touch $@

run: $(VENV)/.run-installed
	$(BIN)/python -m copdesk $(ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check copdesk tests scripts
	$(BIN)/lint-imports

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

pytest: $(VENV)/.test-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# The data layer, CLI and concurrency tests again, on a throwaway PostgreSQL server,
# and tests/pg: the window, two windows at once and every report on a server store
# (skipped with a message where PostgreSQL cannot start; required when CI=true).
pytest-pg: $(VENV)/.test-installed
	$(BIN)/python scripts/pg_test_server.py -- env QT_QPA_PLATFORM=offscreen \
		$(BIN)/python -m pytest tests/data tests/cli tests/pg $(PYTEST_ARGS)

test: lint typecheck pytest pytest-pg

bench: $(VENV)/.test-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run.py

screenshots: $(VENV)/.run-installed
	QT_QPA_PLATFORM=offscreen $(BIN)/python scripts/screenshots.py --out screenshots

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache
