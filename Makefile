# Two entry points: `make run` (platform with demo data on SQLite) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BIND ?= 127.0.0.1:8000
WORKERS ?= 2

.PHONY: run test test-sqlite test-postgres lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[postgres]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(BIN)/surveyapp init-db
	$(BIN)/surveyapp demo
	$(BIN)/surveyapp serve --bind $(BIND) --workers $(WORKERS)

# The whole suite on SQLite and again on PostgreSQL when a server is given in
# SURVEYAPP_TEST_POSTGRES_URL (.ci/run starts one; CI fails without it). The two
# passes run at once, one a core: they share only the PostgreSQL server, where the
# PostgreSQL pass has its own database and the SQLite pass's few PostgreSQL tests
# make fresh ones. Each pass's output is printed as a whole when it ends.
test:
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
PYTEST = $(BIN)/python -m pytest $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] && echo "pytest collected no tests" >&2; exit $$rc; }
# The browser tests start their own server on a temporary SQLite file whatever the
# database under test, so the PostgreSQL pass would only repeat them.
PYTEST_PG = $(BIN)/python -m pytest --ignore=tests/browser $(PYTEST_ARGS) || { rc=$$?; [ $$rc -eq 5 ] && echo "pytest collected no tests" >&2; exit $$rc; }

# axe-core for the browser accessibility test (tests/browser); CI fails without it.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the axe-core accessibility test will be skipped (and fail under CI)"; \
	fi

test-sqlite: $(VENV)/.installed-test node_modules/.installed
	$(PYTEST)

test-postgres: $(VENV)/.installed-test
	@if [ -n "$$SURVEYAPP_TEST_POSTGRES_URL" ]; then \
		echo "== The same suite on PostgreSQL (tests/browser ran above: their server has its own SQLite file) =="; \
		export SURVEYAPP_TEST_DATABASE_URL="$$SURVEYAPP_TEST_POSTGRES_URL"; $(PYTEST_PG); \
	elif [ "$$CI" = "true" ]; then \
		echo "CI: SURVEYAPP_TEST_POSTGRES_URL is not set; the PostgreSQL run cannot be skipped" >&2; \
		exit 1; \
	else \
		echo "PostgreSQL run skipped: start a server with '.ci/start-postgres' and set SURVEYAPP_TEST_POSTGRES_URL"; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
