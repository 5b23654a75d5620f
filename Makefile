# Tarina: `make run` to try it, `make test` to test it. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# Development runs against embedded defaults: SQLite and a filesystem broker under var/.
export DJANGO_DEBUG ?= 1

.PHONY: run dev test install system-packages lint format lock models clean

# Debian packages the pipeline and its tests use: Tesseract reads text in pictures (to blur
# it), espeak-ng makes speech for the tests, Dovecot is the real IMAP server the mailbox
# poller's test starts, Pango and a font lay out PDF reports (WeasyPrint). Installed with
# apt when missing (root or sudo).
SYSTEM_PACKAGES := espeak-ng sox tesseract-ocr tesseract-ocr-eng tesseract-ocr-fin \
	tesseract-ocr-swe tesseract-ocr-deu dovecot-imapd libpango-1.0-0 libpangoft2-1.0-0 \
	fonts-dejavu-core

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

# JavaScript for the tests only (axe-core, from package-lock.json); the UI needs no build.
# Without Node.js the site still runs; the accessibility test then skips (CI has Node).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else echo "npm not found: axe-core not installed, the accessibility test will skip"; fi

system-packages:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	if ! command -v apt-get >/dev/null; then echo "install these system packages: $$missing"; exit 0; fi; \
	$$sudo apt-get update -qq && $$sudo apt-get install -y -qq $$missing >/dev/null

install: system-packages $(VENV)/.installed node_modules/.installed

run: install
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py compile_translations
	$(PY) manage.py provision_models
	$(PY) manage.py load_demo
	$(PY) manage.py embed_stories
	@echo "Tarina on http://127.0.0.1:8000/api/v1/  (API docs: /api/docs/, admin: /admin/)"
	$(VENV)/bin/honcho --procfile Procfile.dev start

# `make run`, with the web processes restarted whenever a Python file changes.
dev: export GUNICORN_RELOAD = 1
dev: run

# Tests keep their database, broker folders and media apart from `make run`'s. They run
# with debug off, as production does, so they need a key of their own (never a real one).
TEST_SECRET_KEY ?= tarina-tests-only-key-never-used-outside-the-test-suite
test: install
	TARINA_VAR_DIR=$(CURDIR)/var/test$(TARINA_VAR_DIR_SUFFIX) TARINA_MODELS_DIR=$(CURDIR)/var/models \
		DJANGO_DEBUG=0 DJANGO_SECRET_KEY=$${DJANGO_SECRET_KEY:-$(TEST_SECRET_KEY)} $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Re-resolve the lock file after changing dependencies in pyproject.toml.
lock: install
	$(VENV)/bin/pip-compile --quiet --all-extras --generate-hashes --allow-unsafe \
		--strip-extras -o requirements.lock pyproject.toml

models: install
	$(PY) manage.py provision_models

clean:
	rm -rf var/test .pytest_cache .mypy_cache .ruff_cache
