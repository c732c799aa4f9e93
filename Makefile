# Relais — the two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install demo test test-fast lint messages bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m pip check
	@rm -f $(VENV)/.installed-*; touch $@

install: $(STAMP)

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
	DEBUG=1 $(PY) manage.py makemessages -d djangojs -l fr --ignore=.venv --ignore=var
	DEBUG=1 $(PY) manage.py compilemessages --ignore=.venv

## The benchmarks that need no service; bench/README.md lists all of them (PostgreSQL/Redis ones too).
bench: install
	$(PY) bench/bench_checks.py
	$(PY) bench/bench_fanout.py

clean:
	rm -rf $(VENV) var
