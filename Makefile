# shixiao: `make demo` runs the embedded demo, `make test` runs the whole suite.
# Both create .venv on first use with a Python >= 3.12 found by scripts/find-python.

VENV   ?= .venv
BIN    := $(VENV)/bin
PYTHON ?= $(shell scripts/find-python)
MEMBERS ?= 300
SEED    ?= 2026
HOST    ?= 127.0.0.1
PORT    ?= 8000
TODAY   ?=

.PHONY: demo test lint install install-test clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "no Python >= 3.12 found; set PYTHON=..." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Stamp files re-run the install only when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/shixiao demo --members $(MEMBERS) --seed $(SEED) --host $(HOST) --port $(PORT) \
		$(if $(TODAY),--today $(TODAY))

# scripts/get-chromium installs Chromium for the browser tests when it can (root + apt-get);
# without it they skip with one line saying what to install (docs/testing.md).
test: install-test
	@scripts/get-chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) var build *.egg-info src/*.egg-info .pytest_cache .ruff_cache .hypothesis
