# Two commands on a fresh clone: `make run` and `make test`. Each creates .venv and installs what it needs,
# exactly the versions in requirements.lock (hash-checked); `make lock` refreshes that file.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# uv resolves the lock only (`make lock`); installing needs nothing but pip.
UV := uv==0.13.9

NODE_PROJECT := tests/interop/node
NODE_STAMP := $(NODE_PROJECT)/node_modules/.package-lock.json

.PHONY: run test lint lock bench clean node-packages messages

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
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
	$(BIN)/lint-imports

# Resolve pyproject.toml's dependencies (with the dev extra) again, for Python 3.11+ on any platform, with
# every file's hash. Commit the new requirements.lock; the next make run/test installs from it.
lock:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet $(UV)
	$(BIN)/uv pip compile --quiet --upgrade --generate-hashes --extra dev --universal --python-version 3.11 \
		pyproject.toml -o requirements.lock

# The message catalogues (README, "Translations"): every translatable text of the code and the templates
# extracted into the template, then merged into each language's catalogue, where translators fill it in.
# The service reads the .po files themselves (core/i18n.py compiles them in memory): nothing else to build.
LOCALES_DIR := core/locales
MESSAGE_SOURCES := core issuers network passport verification server
EXTRACT_OPTIONS := -F babel.cfg --sort-by-file --add-location=file --project="Skills Passport" \
	--copyright-holder="Skills Passport contributors"

messages: $(STAMP)
	$(BIN)/pybabel --quiet extract $(EXTRACT_OPTIONS) -o $(LOCALES_DIR)/messages.pot $(MESSAGE_SOURCES)
	$(BIN)/pybabel --quiet update --ignore-obsolete --previous -i $(LOCALES_DIR)/messages.pot -d $(LOCALES_DIR)

bench: $(STAMP)
	$(BIN)/python bench/core.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis $(NODE_PROJECT)/node_modules
