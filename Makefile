# Trove: every target sets itself up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTEM_STAMP := $(VENV)/.system-packages
# Debian packages the tests need: libmagic for python-magic, Chromium for the browser tests,
# Ghostscript's ICC profiles (libgs-common) for the CMYK colour test.
APT_PACKAGES := libmagic1 chromium libgs-common
# Uppy for the browser test that drives it (tests/e2e/browser/test_uppy.py), from the npm registry at
# the versions its lock file pins; the test bundles and serves it offline.
UPPY := tests/e2e/browser/uppy
UPPY_STAMP := $(UPPY)/node_modules/.installed

.PHONY: help setup dev test test-unit synth layers bench invoke lint openapi clean

help:
	@echo "make dev      run the whole service locally (API, uploads, processing, web page)"
	@echo "make test     run every test suite"
	@echo "make synth    synthesize the CDK stack offline into cdk.out/"
	@echo "make layers   build the Lambda layers (no Docker)"
	@echo "make bench    run the benchmarks, write bench/results.json and docs/performance.md"
	@echo "make invoke FN=api|processor|sweep EVENT=events/<file>.json   one handler, one event, against make dev"

$(STAMP): pyproject.toml
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@test -x $(BIN)/python || uv venv --quiet --python $(PYTHON) $(VENV)
	uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	@touch $@

$(SYSTEM_STAMP): Makefile
	@missing=""; for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "Please install:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi
	@mkdir -p $(VENV) && touch $@

setup: $(STAMP) $(SYSTEM_STAMP)

$(UPPY_STAMP): $(UPPY)/package.json $(UPPY)/package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm; \
	  else echo "Please install: nodejs npm (sudo apt-get install nodejs npm)"; exit 1; fi; }
	npm ci --prefix $(UPPY) --no-audit --no-fund --loglevel=error
	@touch $@

dev: setup
	$(BIN)/python -m infra.local

test: setup $(UPPY_STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test-unit: setup
	$(BIN)/python -m pytest tests/unit tests/integration

openapi: setup
	$(BIN)/python -m functions.api.openapi_export docs/openapi.json

synth: setup
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(BIN)/python -m infra.app

layers: setup
	$(BIN)/python -m layers.build

bench: setup
	$(BIN)/python -m bench

invoke: setup
	$(BIN)/python -m infra.local.invoke $(FN) $(EVENT)

lint: setup
	$(BIN)/ruff check functions infra tests bench

clean:
	rm -rf $(VENV) cdk.out layers/build .pytest_cache
