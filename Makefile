# Two entry points for newcomers: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint typecheck unit e2e-setup install-check quality bench bench-store db-upgrade clean

$(STAMP): pyproject.toml requirements-semantic.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-semantic.txt
	touch $(STAMP)

setup: $(STAMP)

# Runs the bot when TELEGRAM_BOT_TOKEN is configured (environment or .env), otherwise an
# interactive terminal chat with the shipped article.
run: setup
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=.\+' .env; then \
		$(BIN)/tanyaberita serve; \
	else \
		echo "TELEGRAM_BOT_TOKEN is not configured: starting the terminal chat instead."; \
		$(BIN)/tanyaberita chat; \
	fi

e2e-setup:
	@if [ ! -f tests/e2e/emulator/package.json ]; then \
		true; \
	elif command -v npm >/dev/null 2>&1; then \
		cd tests/e2e/emulator && npm install --no-audit --no-fund --silent; \
	else \
		echo "npm not found: the end-to-end tests will be skipped"; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

# The PostgreSQL store tests (about 100) need TEST_DATABASE_URL. Like .ci/run, `make test` uses
# the local server when it answers (postgres@127.0.0.1:5432, database `test`, no password);
# `make test TEST_DATABASE_URL=` runs without it. The summary counts skipped tests by reason.
PG_LOCAL_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
PG_PROBE := import psycopg; psycopg.connect("$(subst +psycopg,,$(PG_LOCAL_URL))", connect_timeout=2).close()

unit: setup
	@if [ -z "$${TEST_DATABASE_URL+set}" ]; then \
		if $(BIN)/python -c '$(PG_PROBE)' >/dev/null 2>&1; then \
			echo "PostgreSQL store tests: using the local server ($(PG_LOCAL_URL))"; \
			export TEST_DATABASE_URL="$(PG_LOCAL_URL)"; \
		else \
			echo "PostgreSQL store tests: skipped (no server answers at 127.0.0.1:5432; set TEST_DATABASE_URL)"; \
		fi; \
	elif [ -z "$$TEST_DATABASE_URL" ]; then \
		echo "PostgreSQL store tests: skipped (TEST_DATABASE_URL is empty)"; \
	else \
		echo "PostgreSQL store tests: TEST_DATABASE_URL is set"; \
	fi; \
	$(BIN)/pytest

test: setup e2e-setup lint typecheck unit

# The package as a user gets it: build the wheel, install it (not editable) into a fresh venv
# and run `tanyaberita --help` and `tanyaberita ask` in an empty directory, with no CONTENT_DIR
# or .env (the shipped article comes with the wheel). Run by .ci/run.
INSTALL_CHECK_DIR := .install-check
install-check: setup
	rm -rf $(INSTALL_CHECK_DIR)
	mkdir -p $(INSTALL_CHECK_DIR)/run
	$(BIN)/pip wheel --quiet --no-deps -w $(INSTALL_CHECK_DIR) .
	rm -rf build  # setuptools' staging copy of the packages, left in the source tree
	$(PYTHON) -m venv $(INSTALL_CHECK_DIR)/venv
	$(INSTALL_CHECK_DIR)/venv/bin/pip install --quiet $(INSTALL_CHECK_DIR)/tanyaberita-*.whl
	cd $(INSTALL_CHECK_DIR)/run && env -u CONTENT_DIR -u DATABASE_URL -u PYTHONPATH \
		DATA_DIR="$$PWD/data" ../venv/bin/tanyaberita --help >/dev/null
	cd $(INSTALL_CHECK_DIR)/run && env -u CONTENT_DIR -u DATABASE_URL -u PYTHONPATH \
		DATA_DIR="$$PWD/data" ../venv/bin/tanyaberita ask "Siapa yang menjadi perantara gencatan senjata?" \
		| tee answer.txt && grep -q Putin answer.txt
	cd $(INSTALL_CHECK_DIR)/run && ../venv/bin/python -c "import bot, index" \
		&& ! ../venv/bin/python -c "import benchmarks" 2>/dev/null \
		&& ! ../venv/bin/python -c "import scipy" 2>/dev/null \
		|| { echo "install-check: benchmarks/ or scipy was installed"; exit 1; }
	rm -rf $(INSTALL_CHECK_DIR)
	@echo "install-check: the installed wheel answers in an empty directory"

quality: setup
	$(BIN)/python -m benchmarks.quality_gate

bench: setup
	$(BIN)/python -m benchmarks

# Content store on the 3,463 IndoSum articles: ingest, start, reload (see docs/store.md).
bench-store: setup
	$(BIN)/python -m benchmarks.store

db-upgrade: setup
	$(BIN)/tanyaberita db upgrade

clean:
	rm -rf $(VENV) $(INSTALL_CHECK_DIR) tests/e2e/emulator/node_modules .mypy_cache .ruff_cache .pytest_cache
