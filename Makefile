# Two commands on a fresh clone: `make run` and `make test`. Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

NODE_PROJECT := tests/interop/node
NODE_STAMP := $(NODE_PROJECT)/node_modules/.package-lock.json

.PHONY: run test lint bench clean node-packages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/passport serve --demo

# The reference JavaScript stack (jsonld.js, rdf-canonize, Digital Bazaar vc) for tests/interop, pinned by
# its package-lock.json. Without npm those tests are skipped with the reason.
$(NODE_STAMP): $(NODE_PROJECT)/package-lock.json
	cd $(NODE_PROJECT) && npm ci --no-audit --no-fund --silent

node-packages:
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(NODE_STAMP); \
	else echo "npm not found: tests/interop will be skipped"; fi

test: $(STAMP) lint node-packages
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/core.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis $(NODE_PROJECT)/node_modules
