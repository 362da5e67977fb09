# commonsnode: `make run` starts a demo node, `make test` runs every check CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= .demo
DEMO_URL ?= http://127.0.0.1:8080
FEDIFY_DIR := tests/interop/fedify
FEDIFY_STAMP := $(FEDIFY_DIR)/node_modules/.package-lock.json
A11Y_DIR := tests/a11y
A11Y_STAMP := $(A11Y_DIR)/node_modules/.package-lock.json
CHROMIUM ?= /usr/bin/chromium

.PHONY: install run test lint bench clean node_modules chromium

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

# The accessibility test (tests/web/test_pages_a11y.py) needs axe-core and playwright-core.
$(A11Y_STAMP): $(A11Y_DIR)/package.json $(A11Y_DIR)/package-lock.json
	@if command -v npm > /dev/null; then \
	  npm ci --prefix $(A11Y_DIR) --no-audit --no-fund --loglevel=error && touch $@; \
	elif [ "$$CI" = true ]; then echo "npm is required under CI (accessibility test)" >&2; exit 1; \
	else echo "npm not found: the accessibility test will be skipped" >&2; fi

node_modules: $(FEDIFY_STAMP) $(A11Y_STAMP)

# ... and a headless Chromium from Debian (a browser downloaded by npm does not run here).
chromium:
	@if [ -x $(CHROMIUM) ] || command -v chromium > /dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get > /dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends chromium; \
	elif [ "$$CI" = true ]; then echo "Chromium is required under CI: apt-get install chromium (as root)" >&2; exit 1; \
	else echo "Chromium not found (install it as root: apt-get install chromium): the accessibility test will be skipped" >&2; fi

test: lint node_modules chromium
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/queue.py
	$(BIN)/python bench/inbox.py
	$(BIN)/python bench/fanout.py
	$(BIN)/python bench/signatures.py
	$(BIN)/python bench/jsonld.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/backfill.py
	$(BIN)/python bench/reputation.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache $(FEDIFY_DIR)/node_modules $(A11Y_DIR)/node_modules
