# Two commands for a newcomer: `make run` (site with demo content) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: install run seed test pytest lint messages bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	@# The browser suite's checkers (Nu HTML Checker, axe-core); skipped where npm is missing.
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --silent; \
	  else echo "npm not found: browser page-quality checks will be skipped"; fi
	touch $@

install: $(VENV)/.installed

## Migrate, load demo content and serve on http://127.0.0.1:8000 (SQLite, DEBUG on).
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

seed: install
	DEBUG=1 $(BIN)/python manage.py seed_demo

## Lint, migrations check, and the whole pytest suite (DATABASE_URL/CACHE_URL pick the backends).
test: install lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

pytest: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Refresh the translation catalogs after changing user-facing strings.
messages: install
	$(BIN)/python manage.py makemessages -l bg -l en --ignore=.venv --ignore=node_modules --ignore=tests --ignore=bench
	$(BIN)/python manage.py makemessages -d djangojs -l bg -l en --ignore=.venv --ignore=node_modules --ignore=tests \
		--ignore=bench --ignore=staticfiles --ignore=media --ignore=artifacts
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules

## The benchmark (docs/performance.md): seeds vestnik_bench, test-client timings, wrk against gunicorn
## and nginx. Needs PostgreSQL, Redis, wrk and nginx on this machine; ~10 minutes; never run in CI.
bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
