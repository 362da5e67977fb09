# commonsnode: `make run` starts a demo node, `make test` runs every check CI runs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= .demo
DEMO_URL ?= http://127.0.0.1:8080

.PHONY: install run test lint unit bench clean

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

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/queue.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .ruff_cache
