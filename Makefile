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
# The project's one command line (tableforge/cli.py), installed into the venv by `deps`.
TABLEFORGE := $(VENV)/bin/tableforge
CDK := npx --no-install cdk --no-notices
CDK_ARGS ?=

.PHONY: help deps synth test lint

help:
	@echo "make local          set up, synthesize, start DynamoDB Local, create the dev tables, load the seed data"
	@echo "make test           install what is missing, run the whole test suite"
	@echo "make synth          synthesize dev/staging/prod into cdk.out and print a summary (tables, alarms, cost)"
	@echo "make local-stop     stop every DynamoDB Local that make local started"
	@echo "make cost           monthly cost estimate of every stage, from cdk.out and usage/"
	@echo "make review BASE=   DynamoDB-aware diff of BASE (a git ref) against the working tree"
	@echo "make access-report  docs/access-<system>.md: who may do what to which table"
	@echo "make lint           ruff and mypy"

# The project itself is installed editable (the `tableforge` command; code and data stay in
# the checkout), without build isolation: the backend is the venv's setuptools, no download.
$(VENV)/.installed: requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed

synth: deps
	rm -rf cdk.out
	$(CDK) synth -q $(CDK_ARGS)
	$(TABLEFORGE) summary cdk.out

# The seed tests run against a real DynamoDB Local, which needs java.
test: deps java
	$(PY) -m pytest -q

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy cdk_constructs stacks tableforge seed cost review tools adopt app.py

.PHONY: cost
# The monthly estimate of every system and stage, from the templates and the default usage/ profiles.
# Synthesizes first when cdk.out is missing or older than the code and catalog.
COST_SOURCES := app.py catalog stacks cdk_constructs tableforge
cost: deps
	@if [ ! -f cdk.out/manifest.json ] || [ -n "$$(find $(COST_SOURCES) -newer cdk.out/manifest.json -print -quit)" ]; then \
		rm -rf cdk.out && $(CDK) synth -q $(CDK_ARGS); fi
	$(TABLEFORGE) cost estimate --cdk-out cdk.out

# --- review (issue 7) ---------------------------------------------------------------
# make review BASE=<git ref>: synthesize BASE in a temporary git worktree and the working
# tree, then print the DynamoDB-aware diff. Exit 1 when an unacknowledged destructive
# change reaches staging or prod. Optional: REVIEW_FORMAT=json, STAGE=prod, REVIEW_OUT=<file>
# (the printed report, also written there) and REVIEW_JSON=<file> (the JSON report too).
# stdout carries the report alone (REVIEW_FORMAT=json | jq works): the command is not echoed,
# and whatever installing the dependencies prints goes to stderr. With BASE_OUT=<dir> and
# HEAD_OUT=<dir> it diffs two assemblies already synthesized instead of synthesizing refs.
BASE ?= main
REVIEW_FORMAT ?= markdown
REVIEW_OPTS = --format $(REVIEW_FORMAT) $(if $(STAGE),--stage $(STAGE)) $(if $(REVIEW_OUT),--output $(REVIEW_OUT)) $(if $(REVIEW_JSON),--json-output $(REVIEW_JSON))
.PHONY: review
review:
	@$(MAKE) --no-print-directory deps >&2
	@$(if $(and $(BASE_OUT),$(HEAD_OUT)),$(TABLEFORGE) review diff --base $(BASE_OUT) --head $(HEAD_OUT),$(TABLEFORGE) review ref --base-ref $(BASE)) $(REVIEW_OPTS)

# --- local mode and seed data (issue 5) --------------------------------------------
# make local: install, synthesize, start DynamoDB Local (in memory, -sharedDb so any
# credentials and region see the same tables, port LOCAL_PORT: one server per port), create
# the dev tables from cdk.out, load seed/data, print tables and item counts. DynamoDB Local
# keeps running afterwards (data lives until it stops); make local-stop stops every one.
LOCAL_PORT ?= 8000
LOCAL_ENDPOINT := http://127.0.0.1:$(LOCAL_PORT)
.PHONY: local local-stop java
java:
	@command -v java >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "java not found: installing default-jre-headless (DynamoDB Local is a Java program)"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; \
		else \
			echo "java not found: DynamoDB Local needs a JRE. Install one, e.g." >&2; \
			echo "  sudo apt-get install -y default-jre-headless   (Debian/Ubuntu)" >&2; \
			echo "  brew install openjdk                           (macOS)" >&2; \
			exit 1; \
		fi; }

local: synth java
	$(TABLEFORGE) seed dynamodb-local start --port $(LOCAL_PORT)
	$(TABLEFORGE) seed local-tables --stage dev --endpoint-url $(LOCAL_ENDPOINT)
	$(TABLEFORGE) seed load --stage dev --endpoint-url $(LOCAL_ENDPOINT)
	$(TABLEFORGE) seed status --stage dev --endpoint-url $(LOCAL_ENDPOINT)
	@echo "DynamoDB Local keeps running at $(LOCAL_ENDPOINT); stop it with: make local-stop"

local-stop:
	@$(TABLEFORGE) seed dynamodb-local stop

# --- access (issue 4) ---------------------------------------------------------------
# make access-report: docs/access-<system>.md for security review, from the catalog's access
# matrix with the code that builds the deployed policies: table x consumer -> actions, each
# consumer's exact statements and a Mermaid graph. No synth, no AWS.
.PHONY: access-report
access-report: deps
	$(TABLEFORGE) access-report --catalog catalog --out docs
