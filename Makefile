# Set-up and everyday commands. Each target creates .venv and installs pinned dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: chat run test fuzz lint images clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt pyproject.toml
	$(BIN)/pip install --quiet -r requirements.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

## Try the bot in this terminal: no token, no network.
chat: $(VENV)/.installed
	$(BIN)/backcare-bot chat

## Run the bot on Telegram (needs TELEGRAM_BOT_TOKEN in the environment or .env).
run: $(VENV)/.installed
	$(BIN)/backcare-bot run

## Run the tests, then the type and lint checks.
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q
	$(BIN)/mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## The fuzzing suite at length: 10,000 generated batches of updates, a fresh seed each run
## (`make test` runs the same 2,000 every time).
fuzz: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -q tests/fuzz --hypothesis-profile=fuzz --hypothesis-show-statistics

## Regenerate the technique pictures (content/images/) with content/drawing.py.
images: $(VENV)/.installed-dev
	$(BIN)/python -m content.drawing

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
