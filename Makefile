# The README's commands. Every target sets up .venv from the registries first (once).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export PREFECT_HOME := $(CURDIR)/.prefect
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120
UI_PORT ?= 4200

.PHONY: run test e2e ui serve bench quality clean

$(INSTALLED): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

run: $(INSTALLED)
	$(BIN)/newsflow run

test: $(INSTALLED)
	$(BIN)/pytest

# The browser tests alone (also part of `make test`): the report page, and the flow run's artifacts in the
# Prefect UI. Needs Debian's chromium (apt-get install chromium); Playwright drives it, downloading nothing.
e2e: $(INSTALLED)
	$(BIN)/pytest -m e2e tests/e2e -p no:logging

# The Prefect UI on http://127.0.0.1:$(UI_PORT) (loopback only).
ui: $(INSTALLED)
	PREFECT_UI_API_URL=http://127.0.0.1:$(UI_PORT)/api $(BIN)/prefect server start --host 127.0.0.1 --port $(UI_PORT)

# Deployments with a daily schedule, against the server `make ui` started.
serve: $(INSTALLED)
	PREFECT_API_URL=http://127.0.0.1:$(UI_PORT)/api $(BIN)/newsflow serve

# Throughput, memory and re-run cost against bare spaCy (bench/, not part of `make test`).
BENCH_SIZES ?= 1000 10000 20000
bench: $(INSTALLED)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,bench]'
	$(BIN)/python -m bench.throughput --sizes $(BENCH_SIZES)

# Every dev set in ../shared/devsets run and scored beside the naive baseline (bench/quality.py,
# not part of `make test`). QUALITY_ARGS: e.g. --sets conll2003-dev,tempeval3-silver, --baselines.
QUALITY_ARGS ?=
quality: $(INSTALLED)
	$(BIN)/python -m bench.quality $(QUALITY_ARGS)

clean:
	rm -rf warehouse .prefect .pytest_cache
