# The README's two commands: `make run` and `make test`. Both install what they need.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test deps lint lab-up lab-down bench clean

run: deps
	$(PY) manage.py launch

test: deps
	tools/run-tests.sh

deps: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml tools/install-deps.sh
	tools/install-deps.sh
	touch $@

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

lab-up:
	lab/lab up

lab-down:
	lab/lab down

bench: deps
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
