# Tally — the two commands: `make run` and `make test`.
PY ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
        command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench bench-ingest lint fmt schema install clean

$(STAMP): pyproject.toml
	@test -n "$(PY)" || { echo "Tally needs Python >= 3.11 (none found on PATH)"; exit 1; }
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/tally serve --seed-demo-if-empty

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

bench-ingest: $(STAMP)
	$(BIN)/python -m bench --ingest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check gateway resolvers tests bench migrations
	$(BIN)/ruff check gateway resolvers tests bench migrations

fmt: $(STAMP)
	$(BIN)/ruff format gateway resolvers tests bench migrations
	$(BIN)/ruff check --fix gateway resolvers tests bench migrations

schema: $(STAMP)
	$(BIN)/tally export-schema

clean:
	rm -rf $(VENV) .tally
