# The two set-up commands are `make demo` and `make test`; everything else is a step of theirs.
# Each step is a file target, so a second run with nothing changed only checks time stamps.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: demo test lint bench bench-smoke setup browser clean

demo: setup
	$(PY) -m server --port $(PORT)

test: setup browser lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# Benchmarks, in a headless Chromium with no DevTools attached: see docs/benchmarks.md.
bench: setup browser
	$(PY) -m bench --write

bench-smoke: setup browser
	$(PY) -m bench --quick

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

setup: $(VENV)/.installed build/pyodide/pyodide-lock.json

$(VENV)/.installed: pyproject.toml scripts/find-python.sh
	@test -x $(PY) || "$$(scripts/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

build/pyodide/pyodide-lock.json: $(VENV)/.installed web/node_modules/.package-lock.json \
		scripts/build_dist.py scripts/pyodide-wheels.txt pyproject.toml $(shell find pyws -name '*.py' -o -name py.typed)
	$(PY) scripts/build_dist.py

# Playwright cannot download its own browser here: use Debian's chromium.
browser:
	@if [ -n "$$PYWS_BROWSER" ] || command -v chromium >/dev/null; then :; \
	else echo "installing Debian's chromium (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

clean:
	rm -rf build $(VENV) web/node_modules
