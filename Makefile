# Two entry points for newcomers: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint typecheck unit e2e-setup quality bench bench-store db-upgrade clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
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

unit: setup
	$(BIN)/pytest

test: setup e2e-setup lint typecheck unit

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
	rm -rf $(VENV) tests/e2e/emulator/node_modules .mypy_cache .ruff_cache .pytest_cache
