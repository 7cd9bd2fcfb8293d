# The two set-up commands are `make demo` and `make test`; everything else is a step of theirs.
# Each step is a file target, so a second run with nothing changed only checks time stamps.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_ARGS ?=
# The older Pyodide tested beside web/package.json's pin (harness/suite.py reads it too).
OLD_PYODIDE := $(shell cat scripts/older-pyodide.txt)
# The JupyterLite site that tests/examples drives (built below).
JUPYTERLITE := build/jupyterlite/site/pypi/all.json

.PHONY: demo test lint bench bench-smoke setup browser firefox test-firefox webkit test-webkit clean fuzz

demo: setup docs
	$(PY) -m server --port $(PORT)

test: setup browser firefox webkit lint build/pyodide-$(OLD_PYODIDE)/pyodide-lock.json test-unit-3.12 \
		$(JUPYTERLITE) docs
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# The one scenario suite (tests/scenarios) on each target of harness/suite.py, one pytest
# test per target and scenario (tests/targets); `make test` runs every target.
VENV312 := .venv-3.12
SUITE := $(VENV)/bin/pytest tests/targets $(PYTEST_ARGS) --target
.PHONY: test-chromium test-worker test-chromium-stream test-pyodide-0.29 test-node test-cpython test-unit-3.12 test-relay

test-chromium test-worker: setup browser
	$(SUITE) $(@:test-%=%)

# The whole suite over WebSocketStream (transport="auto" picks it), in a page and a worker.
test-chromium-stream: setup browser
	$(SUITE) chromium-stream --target worker-stream

# pyws.sync through its relay, forced where JSPI exists, in a Chromium and a Firefox worker:
# the scenarios that block (docs/sync-relay.md). WebKit's worker uses it unforced.
test-relay: setup browser firefox
	$(SUITE) worker-relay --target firefox-worker-relay

test-pyodide-0.29: setup browser build/pyodide-$(OLD_PYODIDE)/pyodide-lock.json
	$(SUITE) pyodide-0.29

# Firefox ESR: the suite in a page, and the demo page tests (tests/page) through Playwright.
test-firefox: setup firefox
	$(SUITE) firefox
	$(VENV)/bin/pytest tests/page --browser firefox $(PYTEST_ARGS)

# WebKit (WebKitGTK, Safari's engine): the suite in MiniBrowser, main thread and worker, the
# demo page tests through WebKitWebDriver (Selenium), each on a private Xvfb, and the canary
# of the one promise WebKitGTK cannot keep (send backpressure: see the README).
test-webkit: setup webkit
	$(SUITE) webkit --target webkit-worker
	$(VENV)/bin/pytest tests/page tests/reliability/test_webkit_buffered_amount_canary.py \
		--browser webkit $(PYTEST_ARGS)

test-node: setup
	$(SUITE) node

test-cpython: $(VENV)/.installed $(VENV312)/.installed test-unit-3.12
	$(SUITE) cpython --target cpython-3.12

# Python 3.12, the oldest pyws supports: the second CPython target, and the unit tests
# (both asyncio wake-up paths). Without the dev extra: tests/conftest.py is not loaded.
test-unit-3.12: $(VENV312)/.installed
	$(VENV312)/bin/python -m pytest tests/unit -q -o addopts= -p no:cacheprovider --confcutdir tests/unit \
		-W ignore::pytest.PytestConfigWarning

$(VENV312)/.installed: pyproject.toml
	@test -x $(VENV312)/bin/python || \
		"$$(ls -d "$$(pyenv root)"/versions/3.12.* | sort -V | tail -1)/bin/python" -m venv $(VENV312)
	$(VENV312)/bin/python -m pip install --quiet --upgrade pip
	$(VENV312)/bin/python -m pip install --quiet -e '.[cpython,suite]' pytest hypothesis
	@touch $@

# pyws under PyScript (@pyscript/core, pinned in web/package.json): main thread and worker.
.PHONY: test-pyscript
test-pyscript: setup browser
	$(VENV)/bin/pytest tests/pyscript $(PYTEST_ARGS)

# Benchmarks, in a headless Chromium with no DevTools attached: see docs/benchmarks.md.
# The targets are judged on the median of the per-run ratios of three full runs (~35 min).
BENCH_ARGS ?= --runs 3
bench: setup browser
	$(PY) -m bench --write $(BENCH_ARGS)

bench-smoke: setup browser
	$(PY) -m bench --quick

# The model-based tests (tests/model; docs/reliability.md). `make test` runs them bounded and
# derandomised (Hypothesis profile "ci"); `make fuzz` runs each of the 10 machines (one per
# run_machine() call in tests/model) for FUZZ_SECONDS on fresh random examples (profile
# "fuzz"), keeping Hypothesis's example database in build/hypothesis, so a failure found once
# is replayed first ever after.
# Each machine's example count goes to the output and to build/fuzz.log.
FUZZ_SECONDS ?= 150
fuzz: $(VENV)/.installed
	@mkdir -p build
	PYWS_HYPOTHESIS=fuzz PYWS_FUZZ_SECONDS=$(FUZZ_SECONDS) $(VENV)/bin/pytest tests/model -s -q

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

DIST_INPUTS := $(VENV)/.installed scripts/build_dist.py scripts/pyodide_compile.mjs \
	README.md CHANGELOG.md LICENSE \
	scripts/pyodide-wheels.txt pyproject.toml \
	$(shell find pyws -name '*.py' -o -name '*.mjs' -o -name py.typed)

build/pyodide/pyodide-lock.json: $(DIST_INPUTS) web/node_modules/.package-lock.json
	$(PY) scripts/build_dist.py

# The same distribution on an older Pyodide, from npm into build/npm/$(OLD_PYODIDE)/.
build/pyodide-$(OLD_PYODIDE)/pyodide-lock.json: $(DIST_INPUTS)
	$(PY) scripts/build_dist.py --pyodide-version $(OLD_PYODIDE)

# The JupyterLite site of examples/jupyterlite (tests/examples drives its notebook), built by
# `jupyter lite build` with pyws's wheels (scripts/build_jupyterlite.py; ~9 s here).
$(JUPYTERLITE): build/pyodide/pyodide-lock.json scripts/build_jupyterlite.py \
		scripts/jupyterlite-wheels.txt $(shell find examples/jupyterlite -type f)
	$(PY) scripts/build_jupyterlite.py

# The docs site (Sphinx, furo, MyST: docs/about-these-docs.md), warnings as errors; `make demo`
# serves it at /docs/. A file target: rebuilt when a page, a docstring or the README changes.
.PHONY: docs
docs: build/docs/index.html
build/docs/index.html: $(VENV)/.installed $(shell find docs examples -type f) README.md \
		CHANGELOG.md $(shell find pyws -name '*.py')
	rm -rf build/docs build/docs-doctrees
	$(VENV)/bin/sphinx-build -W --keep-going -n -q -b html -d build/docs-doctrees docs build/docs \
		|| { rm -f $@; exit 1; }  # --keep-going writes the pages: no stale target on a warning

# Playwright cannot download its own browser here: use Debian's chromium.
browser:
	@if [ -n "$$PYWS_BROWSER" ] || command -v chromium >/dev/null; then :; \
	else echo "installing Debian's chromium (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

# Firefox ESR, Debian's (or $PYWS_FIREFOX): harness/browser.py runs it, harness/firefox_bidi.py
# puts Playwright on it. NSS certutil (libnss3-tools) puts a test run's CA into the test
# profile's certificate store (harness/tls.py).
firefox:
	@if [ -n "$$PYWS_FIREFOX" ] || command -v firefox-esr >/dev/null; then :; \
	else echo "installing Debian's firefox-esr (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq firefox-esr >/dev/null; fi
	@if command -v certutil >/dev/null; then :; \
	else echo "installing Debian's libnss3-tools, for certutil (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libnss3-tools >/dev/null; fi

# WebKitGTK 4.1 (MiniBrowser), WebKitWebDriver and Xvfb, Debian's (or $$PYWS_WEBKIT and
# $$PYWS_WEBKIT_DRIVER): harness/browser.py and harness/webdriver.py run them.
WEBKIT_LIBEXEC := /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1
webkit:
	@if { [ -n "$$PYWS_WEBKIT" ] || [ -x $(WEBKIT_LIBEXEC)/MiniBrowser ]; } && \
		{ [ -n "$$PYWS_WEBKIT_DRIVER" ] || command -v WebKitWebDriver >/dev/null; } && \
		command -v Xvfb >/dev/null; then :; \
	else echo "installing Debian's WebKitGTK, WebKitWebDriver and Xvfb (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			libwebkit2gtk-4.1-0 webkit2gtk-driver xvfb >/dev/null; fi

clean:
	rm -rf build $(VENV) $(VENV312) web/node_modules
