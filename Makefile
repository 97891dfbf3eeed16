# Two commands for a newcomer: `make run` (site with demo content) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: install run seed test pytest lint messages bench fuzz clean

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

## RELIABILITY 50, long profile: atheris on each comment renderer for FUZZ_SECONDS (default 300) with the
## saved corpus; new finds land in a scratch folder (fold them in with -merge=1, see tools/fuzz_renderers.py).
FUZZ_SECONDS ?= 300
fuzz: install
	@for target in body comment name; do \
	  DJANGO_SETTINGS_MODULE=portal.settings $(BIN)/python tools/fuzz_renderers.py $$target \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=1 -max_len=2048 -print_final_stats=1 \
	    "$$(mktemp -d)" tests/security/fuzz_corpus/$$target || exit 1; \
	done

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
