# The two commands: `make run` (demo on http://localhost:8000) and `make test` (the whole suite).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LG := $(BIN)/learner-graph
STATE := .lg
NEO4J_PORT ?= 7687
TEST_NEO4J_PORT ?= 7688
REDIS_PORT ?= 6379
PORT ?= 8000

.PHONY: run test install lock servers redis neo4j test-neo4j stop lint typecheck bench mutation clean console chromium wrk

# The demo starts Neo4j itself and simulates its learners while the JVM starts; RUN_STARTED (when
# make read this file) lets it print how long the whole `make run` took until the API answered.
run: RUN_STARTED := $(shell date +%s.%N)
run: install console redis
	@LG_NEO4J_URI=bolt://127.0.0.1:$(NEO4J_PORT) LG_REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/0 \
	  $(LG) demo --port $(PORT) --neo4j-port $(NEO4J_PORT) --since $(RUN_STARTED)

test: install console chromium redis test-neo4j
	$(BIN)/ruff check learner_graph seed tests benchmarks
	$(BIN)/mypy
	LG_TEST_NEO4J_URI=bolt://127.0.0.1:$(TEST_NEO4J_PORT) LG_TEST_REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/15 \
	  $(BIN)/pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# The virtualenv is built once, from the lock file (the exact versions CI tested); it is rebuilt
# only when pyproject.toml or requirements.lock changes. `make lock` updates the lock.
# Then the Neo4j launcher and its class archive (~1 min once: a throwaway server plans the API's
# statements, then the JVM writes the classes it loaded), which every new data directory's server
# maps: a first `make run`'s JVM starts in ~7 s of CPU instead of ~17 s.
NEO4J_ARCHIVE := services/neo4j-embedded/target/classes.jsa
install: $(VENV)/.installed $(NEO4J_ARCHIVE)

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(NEO4J_ARCHIVE): services/neo4j-embedded/pom.xml $(shell find services/neo4j-embedded/src -name '*.java') | $(VENV)/.installed
	$(LG) neo4j archive

# The web console (console/): npm ci from the lock file, types generated from the API's own OpenAPI
# document, lint, unit tests and the Vite build. Rebuilt only when its sources, the lock file or the
# API's schema change (the schema is dumped again when the Python code changes, and the console
# rebuilt only when the schema differs).
CONSOLE_SRC := $(shell find console/src -type f ! -name api-types.ts 2>/dev/null) \
  console/index.html console/vite.config.ts console/tsconfig.json console/eslint.config.js console/package.json

console: console/dist/index.html

console/node_modules/.installed: console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error
	touch $@

console/openapi.stamp: $(shell find learner_graph -name '*.py') $(VENV)/.installed
	$(BIN)/python -m learner_graph.api.openapi_dump console/openapi.json.new
	@cmp -s console/openapi.json.new console/openapi.json && rm console/openapi.json.new \
	  || mv console/openapi.json.new console/openapi.json
	@touch $@

console/openapi.json: console/openapi.stamp ;

console/dist/index.html: console/node_modules/.installed console/openapi.json $(CONSOLE_SRC)
	cd console && npm run -s gen && npm run -s lint && npm run -s test && npm run -s build

# Debian's chromium for the browser tests (Playwright drives it; its own browser download is not used).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's wrk, the load generator of the benchmarks (a C client that leaves the cores to the server).
wrk:
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

# Re-resolve every dependency of pyproject.toml (runtime and dev) to its newest allowed version.
lock:
	$(BIN)/pip install -q pip-tools
	$(BIN)/pip-compile -q --upgrade --extra dev --strip-extras --no-header --annotation-style line \
	  --no-emit-find-links --no-emit-index-url -o requirements.lock pyproject.toml

# Debian's redis-server, installed when missing, on localhost only, no persistence (it is a cache).
redis:
	@command -v redis-server >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; }
	@mkdir -p $(STATE)/redis
	@redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 || redis-server --port $(REDIS_PORT) --bind 127.0.0.1 \
	  --daemonize yes --save '' --appendonly no --dir $(CURDIR)/$(STATE)/redis \
	  --pidfile $(CURDIR)/$(STATE)/redis/redis-$(REDIS_PORT).pid --logfile $(CURDIR)/$(STATE)/redis/redis-$(REDIS_PORT).log
	@for i in $$(seq 50); do redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 && break; sleep 0.1; done
	@echo "redis ready on 127.0.0.1:$(REDIS_PORT)"

neo4j: install
	$(LG) neo4j start --port $(NEO4J_PORT)

test-neo4j: install
	$(LG) neo4j start --port $(TEST_NEO4J_PORT) --heap 1g --pagecache 256m

# Stop what `make run` / `make test` started (by the pids they recorded).
stop:
	-$(LG) neo4j stop --port $(NEO4J_PORT)
	-$(LG) neo4j stop --port $(TEST_NEO4J_PORT)
	-test -f $(STATE)/redis/redis-$(REDIS_PORT).pid && kill $$(cat $(STATE)/redis/redis-$(REDIS_PORT).pid) && rm -f $(STATE)/redis/redis-$(REDIS_PORT).pid

lint:
	$(BIN)/ruff check learner_graph seed tests benchmarks

typecheck:
	$(BIN)/mypy

# The benchmark graph (20k questions, 20k students, 1M attempts, a trained model) lives in its own
# Neo4j on BENCH_NEO4J_PORT (.lg/neo4j-bench); it is built on the first run and reused after.
# Stop it with `$(LG) neo4j stop --port $(BENCH_NEO4J_PORT) --data .lg/neo4j-bench`.
# The ASSISTments import benchmark wipes and uses a Neo4j of its own on ASSIST_NEO4J_PORT.
# One benchmark alone: `make bench BENCHMARKS=attempts` (or `python -m benchmarks attempts`).
BENCH_NEO4J_PORT ?= 7690
ASSIST_NEO4J_PORT ?= 7691
BENCHMARKS ?=

bench: install redis wrk
	LG_BENCH_NEO4J_PORT=$(BENCH_NEO4J_PORT) LG_BENCH_ASSIST_PORT=$(ASSIST_NEO4J_PORT) \
	  LG_BENCH_REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/9 $(BIN)/python -m benchmarks $(BENCHMARKS)

# Mutation testing of the pure-logic modules against their unit tests ([tool.mutmut] in pyproject.toml);
# slow (tens of minutes on 2 cores), so never part of `make test`. Writes benchmarks/results/mutation.json.
mutation: install
	rm -rf mutants
	-$(BIN)/mutmut run --max-children 2
	$(BIN)/python -m benchmarks.mutation_report

clean: stop
	rm -rf $(STATE) services/neo4j-embedded/target
