# The two set-up commands: `make demo` and `make test`. Both create .venv and install into it.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EXTRAS := server,clients,hardware,dev

.PHONY: demo test check lint system-deps bench screens clean bundle

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $(STAMP)

system-deps:
	@scripts/system-deps

demo: $(STAMP) system-deps
	$(BIN)/yichuang demo --simulate --history 28

test: $(STAMP) system-deps
	scripts/check

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# `make bench BENCH_ARGS=--quick` for a smoke run; YICHUANG_BENCH_PG_URL adds PostgreSQL/4 workers.
# BENCH_ARGS="--baseline 3f1e93a": the current tree beside that commit (a temporary worktree);
# BENCH_ARGS=--province: 1,000 halls on PostgreSQL (--halls/--rate/--seconds for a smoke run).
# Profile: `python -m bench.profile` (py-spy in its own venv: docs/performance.md).
bench: $(STAMP)
	scripts/system-deps bench
	$(BIN)/python -m bench $(BENCH_ARGS)

# Refresh the committed screenshots in docs/screens (tests write to var/screens otherwise).
screens: $(STAMP) system-deps
	YICHUANG_SCREENS_DIR=docs/screens QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q \
		tests/kiosk tests/caller tests/display tests/browser

# The offline bundle for a hall without internet (政务外网), from this venv's tested versions:
# dist/yichuang-<version>-py311-<arch>/ and its .tar.gz (docs/deploy/offline.md).
# BUNDLE_ARGS=--debs adds the Debian packages; BUNDLE_ARGS="--extras server,hardware" no Qt.
bundle: $(STAMP)
	$(BIN)/python scripts/bundle.py $(BUNDLE_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
