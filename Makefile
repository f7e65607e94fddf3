# Set-up and everyday commands. Each target creates .venv and installs the locked
# dependencies: every version pinned and every file checked against its hash. The venv holds
# only those (and pip, locked too): Python 3.11's venv brings setuptools 65.5.0, outside the
# lock and with known CVEs, and nothing needs it at run time, so it is removed at once.
# (`pip install -e .` builds in an isolated environment of its own: pyproject's build-system.)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make lock` and `make audit` run pip-tools and pip-audit from a venv of their own.
TOOLS := .venv-tools
LOCK := $(TOOLS)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: chat run test fuzz lock audit lint images clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip uninstall --quiet --yes setuptools
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

$(TOOLS)/.installed: requirements-tools.txt
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --require-hashes -r requirements-tools.txt
	touch $@

## Try the bot in this terminal: no token, no network.
chat: $(VENV)/.installed
	$(BIN)/backcare-bot chat

## Run the bot on Telegram (needs TELEGRAM_BOT_TOKEN in the environment or .env).
run: $(VENV)/.installed
	$(BIN)/backcare-bot run

## Run the tests, then the type and lint checks. Two workers (pytest-xdist): most of the
## suite's time is the bot waiting on a fake Telegram, not CPU. The slow tests (the bot as a
## process) run too; `pytest -m 'not slow'` leaves them out while writing a test. The Mini
## App's browser tests need Debian's chromium: without it they are skipped, said in one line.
test: $(VENV)/.installed-dev
	@test -x "$${BACKCARE_CHROMIUM:-/usr/bin/chromium}" || echo "make test: the Mini App's browser tests (tests/web/test_browser.py) will not run: no /usr/bin/chromium (apt-get install -y chromium)"
	$(BIN)/python -m pytest -q -n 2
	$(BIN)/mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## The fuzzing suite at length: 10,000 generated batches of updates, a fresh seed each run
## (`make test` runs the same 2,000 every time).
fuzz: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q tests/fuzz --hypothesis-profile=fuzz --hypothesis-show-statistics

## Lock the dependencies again from pyproject.toml (and requirements-tools.in): the newest
## versions its pins allow, every file's hash recorded. Review the diff, then `make test`.
lock: $(TOOLS)/.installed
	$(LOCK) --output-file requirements.txt pyproject.toml
	$(LOCK) --extra dev --output-file requirements-dev.txt pyproject.toml
	$(LOCK) --output-file requirements-tools.txt requirements-tools.in

## Check the locked dependencies against known vulnerabilities (needs the network: PyPI's
## advisory data). Not in CI.
audit: $(TOOLS)/.installed
	$(TOOLS)/bin/pip-audit --strict --require-hashes --disable-pip -r requirements.txt
	$(TOOLS)/bin/pip-audit --strict --require-hashes --disable-pip -r requirements-dev.txt

## Regenerate the technique pictures (content/images/) with tools/drawing.py.
images: $(VENV)/.installed-dev
	$(BIN)/python -m tools.drawing

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
