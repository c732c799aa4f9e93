# Relais — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
LOCK   := requirements.lock
# uv resolves the lock (`make lock`); pip alone installs it. Pinned so that every `make lock` resolves alike.
UV_VERSION ?= 0.13.9
# `make lock` re-resolves every pin to the newest release pyproject.toml allows; `make lock LOCK_UPGRADE=`
# keeps the current pins and changes only what an edit of pyproject.toml requires.
LOCK_UPGRADE ?= --upgrade
# Reinstall whenever the lock or pyproject.toml changes.
STAMP  := $(VENV)/.installed-$(shell cat $(wildcard $(LOCK)) pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install lock demo test test-fast lint messages bench clean

## Install exactly the lock (every package pinned and hash-checked), then the project itself without deps.
$(STAMP): $(LOCK) pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
	@rm -f $(VENV)/.installed-*; touch $@

## axe-core for the browser tests' accessibility checks (never served to users): exactly package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

install: $(STAMP) node_modules/.package-lock.json

## Refresh requirements.lock from pyproject.toml: dependencies, the dev extra, the build backend and pip.
lock:
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(PY) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], "pip", sep="\n")' \
	  | $(VENV)/bin/uv pip compile pyproject.toml - --extra dev --universal --python-version 3.11 \
	      --generate-hashes --custom-compile-command "make lock" $(LOCK_UPGRADE) --quiet -o $(LOCK)
	@echo "$(LOCK) refreshed; run make install (and the tests) before committing it."

## Run the demo portal: X sandbox, web server, Celery worker + beat, seeded Banque Exemple.
demo: install
	bash scripts/demo.sh

## Run the whole test suite (SQLite by default; PostgreSQL + Redis when DATABASE_URL and REDIS_URL are set).
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

## Refresh and compile translations (needs GNU gettext).
messages: install
	DEBUG=1 $(PY) manage.py makemessages -l fr --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	DEBUG=1 $(PY) manage.py makemessages -d djangojs -l fr --ignore=.venv --ignore=var --ignore=node_modules
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

## The benchmarks that need no service; bench/README.md lists all of them (PostgreSQL/Redis ones too).
bench: install
	$(PY) bench/bench_checks.py
	$(PY) bench/bench_fanout.py

clean:
	rm -rf $(VENV) var
