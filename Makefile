# The two commands a newcomer needs: `make run` (embedded mode) and `make test` (what CI runs).
# Every target installs what it needs first; tools and downloads are cached in gitignored
# folders (node_modules, .tools, .cache, proto/.deps) so that a second run is fast.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

BUN    := node_modules/.bin/bun
BUF    := node_modules/.bin/buf
BIOME  := node_modules/.bin/biome
TSC    := node_modules/.bin/tsc
KNIP   := node_modules/.bin/knip
SQLC_VERSION := v1.31.1
SQLC   := .tools/bin/sqlc

.PHONY: help run test deps generate check-generated lint fmt typecheck test-unit test-integration \
        stack-up stack-down stack-run sqlc-vet bench bench-stack seed-bench

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

run: deps ## start every service in one process on an embedded Postgres
	$(BUN) scripts/embedded.ts

test: ## everything CI checks: lint, types, generated-code freshness, unit, integration, e2e
	scripts/test.sh

# --- dependencies -----------------------------------------------------------------------

deps: node_modules/.installed $(SQLC) proto/.deps
	@scripts/ensure-postgres-user.sh

node_modules/.installed: package.json package-lock.json
	npm install --no-audit --no-fund
	touch $@

# sqlc needs cgo (the Postgres parser); the first build takes a few minutes, then it is cached.
$(SQLC):
	GOBIN=$(CURDIR)/.tools/bin go install github.com/sqlc-dev/sqlc/cmd/sqlc@$(SQLC_VERSION)

proto/.deps: node_modules/.installed scripts/fetch-protos.sh
	scripts/fetch-protos.sh
	touch $@

# --- code generation --------------------------------------------------------------------

generate: deps ## regenerate gen/ from proto/ and sql/
	$(BUF) generate --template proto/buf.gen.yaml
	rm -rf gen/sql
	$(SQLC) generate -f sqlc.yaml

check-generated: generate ## fail when gen/ differs from a fresh generation
	@if [[ -n "$$(git status --porcelain -- gen)" ]]; then \
	  git status --porcelain -- gen; git diff --stat -- gen; \
	  echo "gen/ is stale: run 'make generate' and commit the result"; exit 1; fi

sqlc-vet: deps ## sqlc parses and type-checks every query against the migrations
	$(SQLC) vet -f sqlc.yaml

# --- quality ----------------------------------------------------------------------------

lint: deps ## biome lint+format+layering, buf lint+format, TypeScript, knip (unused code), config table
	$(BIOME) check .
	$(BUF) lint proto
	$(BUF) format --diff --exit-code --path proto/cart --path proto/loms --path proto/product proto
	$(TSC) -p .
	$(KNIP)
	$(BUN) scripts/check-config-table.ts

fmt: deps ## format TypeScript and protos in place
	$(BIOME) check --write .
	$(BUF) format -w --path proto/cart --path proto/loms --path proto/product proto

test-unit: deps ## unit and repository tests (embedded Postgres), with the coverage gate
	LOG_LEVEL=$${LOG_LEVEL:-silent} $(BUN) test --coverage --coverage-reporter=lcov --coverage-reporter=text \
	  --path-ignore-patterns='**/*.integration.test.ts' $(UNIT_TEST_DIRS)
	$(BUN) scripts/coverage-gate.ts coverage/lcov.info

UNIT_TEST_DIRS := ./platform ./product-mock ./cart ./loms ./scripts ./tests

# --- benchmarks -------------------------------------------------------------------------

bench: deps ## load benchmarks (autocannon) on embedded mode, with a node:http ceiling in the same run
	$(BUN) scripts/bench.ts

bench-stack: deps ## the bench's workloads on the real stack (takes the stack lock; brings it up and down)
	scripts/bench-stack.sh

seed-bench: deps ## load the bench seed (stock for 3000 catalog SKUs) into the stack's LOMS database
	$(BUN) scripts/seed-bench.ts

# --- the real stack ---------------------------------------------------------------------

stack-up: deps ## start Postgres+pgbouncer, Redis, Kafka, Prometheus as local processes
	scripts/stack-up.sh

stack-run: deps ## migrate and start the four services against the stack
	scripts/stack-run.sh

stack-down: ## stop everything stack-up and stack-run started
	scripts/stack-down.sh

test-integration: deps ## integration and e2e tests against the stack (brought up and down here)
	scripts/test-integration.sh
