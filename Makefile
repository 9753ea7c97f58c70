# Guanxi: `make run` installs and serves with demo data; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_COMPILE_BYTECODE := 1
export UV_LINK_MODE := copy

.PHONY: run install install-dev demo serve test check lint types layers migrations-check messages \
	messages-check test-sqlite test-postgres browser-deps clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen --no-dev --python $(PYTHON)

install-dev: $(UV)
	$(UV) sync --frozen --all-groups --python $(PYTHON)

## First command: install, create the SQLite database, load demo data, serve on :8000.
run: install
	$(BIN)/guanxi migrate -v0
	@if [ ! -f data/.demo-loaded ]; then $(BIN)/guanxi demo && touch data/.demo-loaded; fi
	@echo "Sign in at http://127.0.0.1:8000/ as admin / guanxi-demo-2026 (other demo users: see above)"
	$(BIN)/guanxi serve --host 127.0.0.1 --port 8000

## Second command: install the test dependencies and run every check and test.
test: install-dev browser-deps check

check: lint types layers migrations-check messages-check test-sqlite test-postgres

lint:
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

types:
	$(BIN)/mypy guanxi config

layers:
	$(BIN)/lint-imports

migrations-check:
	GUANXI_DATA_DIR=$$(mktemp -d) $(BIN)/python manage.py makemigrations --check --dry-run

messages-check:
	$(BIN)/python -m guanxi.core.i18ncheck

test-sqlite:
	$(BIN)/pytest -n 2 -q

# PostgreSQL when one is reachable (CI always has one at 127.0.0.1:5432).
test-postgres:
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
		echo "== PostgreSQL: $(PG_URL)"; \
		GUANXI_DATABASE_URL=$(PG_URL) $(BIN)/pytest -n 2 -q -p no:cacheprovider; \
	else echo "== PostgreSQL not reachable at $(PG_URL): skipped"; fi

# Debian's Chromium for the browser tests (never a downloaded browser).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else echo "Chromium missing: install Debian's chromium package for the browser tests"; fi; \
	fi

clean:
	rm -rf $(VENV) $(TOOLS) data .pytest_cache .mypy_cache .ruff_cache

# Update the zh-Hans catalogs from the code (no source locations: merges stay clean), then compile.
messages:
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --no-location --ignore=bench -v0
	$(BIN)/python manage.py compilemessages -l zh_Hans -v0
