# The two commands: `make run` serves the app with demo data, `make test` runs every test.
# Both work on a fresh clone with only Python 3.11: they make .venv and install into it, every
# package from the lock and checked against its hash (requirements.txt: what the tool needs to
# run; requirements-dev.txt: the tests and tooling, added by `make test`).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALL := $(PY) -m pip install --quiet --require-hashes
RUNTIME := $(VENV)/.runtime
DEVELOPMENT := $(VENV)/.development
UV := $(VENV)/bin/uv
PORT ?= 8501
# Links that leave the tool (invitations, feeds) point here; a deployment sets its own.
APC_BASE_URL ?= http://localhost:$(PORT)
export APC_BASE_URL

.PHONY: install run test lint format lock audit deploy-test bench clean

$(RUNTIME): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(INSTALL) -r requirements.txt
	touch $(RUNTIME)

$(DEVELOPMENT): $(RUNTIME) requirements-dev.txt
	$(INSTALL) -r requirements.txt -r requirements-dev.txt
	touch $(DEVELOPMENT)

install: $(RUNTIME)

run: install
	$(PY) -m committee init-db
	$(PY) -m committee demo --if-empty
	# The worker delivers mail and runs the timed jobs beside the app; it stops with it.
	$(PY) -m committee worker & worker=$$!; trap 'kill $$worker' EXIT; \
		$(PY) -m committee serve --port $(PORT)

lint: $(DEVELOPMENT)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: lint
	$(PY) -m pytest

format: $(DEVELOPMENT)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# After a change to the dependencies in pyproject.toml: resolve again (uv.lock) and export the
# two requirement files pip installs from. Versions already locked stay unless they must move;
# `make lock UPGRADE=--upgrade` takes the newest allowed of everything.
lock: $(DEVELOPMENT)
	$(UV) lock $(UPGRADE)
	$(UV) export --frozen --no-dev --no-emit-project --quiet --output-file requirements.txt
	$(UV) export --frozen --only-group dev --no-emit-project --quiet --output-file requirements-dev.txt

# Known vulnerabilities in the locked packages (pip-audit); says so when it cannot find out.
audit: $(DEVELOPMENT)
	$(PY) .ci/audit requirements.txt requirements-dev.txt

# The production stack on this machine: PostgreSQL, two app servers, nginx, Chromium.
deploy-test: $(DEVELOPMENT)
	$(PY) -m pytest tests/test_production_stack.py

# The server-side benchmark (every page rendered under AppTest, the exports, the import, memory,
# mail: three scales, both engines, ~8 minutes), then the browser benchmark (issue 24: from a
# click to fully drawn in Chromium, against the floor page) on the largest records of both
# engines as the chair and a representative, ~10 minutes per engine. Every role and scale:
# make bench BENCH_BROWSER="--scales small,medium,large"
BENCH_BROWSER ?= --scales large --roles chair,representative
bench: $(DEVELOPMENT)
	$(PY) -m bench
	$(PY) -m bench --browser --reuse $(BENCH_BROWSER)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
