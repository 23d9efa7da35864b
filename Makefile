# qstui — the two commands of the README, and a few for developers.
#   make run    set up, create the embedded database with demo data on first run, start
#   make test   set up and run the whole test suite (Firebird too when QSTUI_TEST_FIREBIRD is set)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run test venv lint format bench i18n screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "qstui needs Python >= 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/qstui db init
	$(BIN)/qstui demo --if-empty
	$(BIN)/qstui

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench docs
	$(BIN)/ruff format --check src tests bench docs

format: $(STAMP)
	$(BIN)/ruff format src tests bench docs
	$(BIN)/ruff check --fix src tests bench docs

# The benchmark suite on the large demo (made on the first run): SQLite, and the Firebird
# server too when QSTUI_BENCH_FIREBIRD is its URL; bench/RESULTS.md is rewritten.
# Then the reports (issue 11) on the same large demos, and the bank statement import (a
# scratch database: a temporary SQLite file, and bank.fdb beside the Firebird one).
bench: $(STAMP)
	$(BIN)/python -m bench --results
	@if [ -n "$$QSTUI_BENCH_FIREBIRD" ]; then QSTUI_BENCH_DB="$$QSTUI_BENCH_FIREBIRD" $(BIN)/python -m bench --results; fi
	$(BIN)/python -m bench.reports
	@if [ -n "$$QSTUI_BENCH_FIREBIRD" ]; then QSTUI_BENCH_DB="$$QSTUI_BENCH_FIREBIRD" $(BIN)/python -m bench.reports; fi
	$(BIN)/python -m bench.bank_import
	@if [ -n "$$QSTUI_BENCH_FIREBIRD" ]; then QSTUI_BENCH_BANK_DB="$${QSTUI_BENCH_FIREBIRD%/*}/bank.fdb" $(BIN)/python -m bench.bank_import; fi
	$(BIN)/python -m bench.onec_sync
	@if [ -n "$$QSTUI_BENCH_FIREBIRD" ]; then QSTUI_BENCH_ONEC_DB="$${QSTUI_BENCH_FIREBIRD%/*}/onec.fdb" $(BIN)/python -m bench.onec_sync; fi

# The README's screenshots, from a fresh small demo database
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

# Compile the Russian catalog after editing src/qstui/locale/ru/LC_MESSAGES/qstui.po
i18n: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d src/qstui/locale -D qstui

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
