# Every target installs what it needs first, and is quick when it is already there.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Node 20 is end-of-life for jsii: silence its banner (both variables are read).
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
# No AWS here: don't let SDKs probe the instance metadata service.
export AWS_EC2_METADATA_DISABLED := true

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CDK := npx --no-install cdk --no-notices
CDK_ARGS ?=

.PHONY: help deps synth test lint

help:
	@echo "make synth   install what is missing, synthesize dev/staging/prod into cdk.out, print a summary"
	@echo "make test    install what is missing, run the whole test suite"
	@echo "make lint    ruff and mypy"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed

synth: deps
	rm -rf cdk.out
	$(CDK) synth -q $(CDK_ARGS)
	$(PY) -m tableforge.summary cdk.out

test: deps
	$(PY) -m pytest -q

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy cdk_constructs stacks tableforge

.PHONY: cost
# The monthly estimate of every system and stage, from the templates and the default usage/ profiles.
# Synthesizes first when cdk.out is missing or older than the code and catalog.
COST_SOURCES := app.py catalog stacks cdk_constructs tableforge
cost: deps
	@if [ ! -f cdk.out/manifest.json ] || [ -n "$$(find $(COST_SOURCES) -newer cdk.out/manifest.json -print -quit)" ]; then \
		rm -rf cdk.out && $(CDK) synth -q $(CDK_ARGS); fi
	$(PY) -m cost estimate --cdk-out cdk.out
