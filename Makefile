# commonsnode: `make run` starts a demo node, `make test` runs every check CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= .demo
DEMO_URL ?= http://127.0.0.1:8080
FEDIFY_DIR := tests/interop/fedify
FEDIFY_STAMP := $(FEDIFY_DIR)/node_modules/.package-lock.json

.PHONY: install run test lint bench clean node_modules

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "commonsnode needs Python 3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@test -f $(DEMO_DIR)/commonsnode.toml || $(BIN)/commonsnode init $(DEMO_DIR) --url $(DEMO_URL) --name "commonsnode demo" --allow-private-network
	@$(BIN)/commonsnode migrate $(DEMO_DIR) > /dev/null
	@$(BIN)/commonsnode demo $(DEMO_DIR)
	$(BIN)/commonsnode serve $(DEMO_DIR)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# The Fedify interop test needs Fedify and a Node >= 22 binary, both from npm.
# npm ci rewrites node_modules/.package-lock.json: newer than package*.json means up to date.
$(FEDIFY_STAMP): $(FEDIFY_DIR)/package.json $(FEDIFY_DIR)/package-lock.json
	@if command -v npm > /dev/null; then \
	  npm ci --prefix $(FEDIFY_DIR) --no-audit --no-fund --loglevel=error && touch $@; \
	elif [ "$$CI" = true ]; then echo "npm is required under CI (Fedify interop test)" >&2; exit 1; \
	else echo "npm not found: the Fedify interop test will be skipped" >&2; fi

node_modules: $(FEDIFY_STAMP)

test: lint node_modules
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/queue.py
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/signatures.py
	$(BIN)/python bench/jsonld.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache $(FEDIFY_DIR)/node_modules
