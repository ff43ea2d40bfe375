# The two commands a newcomer needs: `make run` (embedded mode) and `make test` (what CI runs).
# Every target installs what it needs first; tools and downloads are cached in gitignored
# folders (node_modules, .tools, .cache, proto/.deps) so that a second run is fast.
# Running (run, cart, loms, product-mock) needs only Node + npm: gen/ is committed. The code
# generation tools (sqlc built with Go, protovalidate's protos from Maven, protoc-gen-es) are
# installed only by the targets that generate or check: generate, lint, sqlc-vet, test.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

BUN    := node_modules/.bin/bun
BUF    := node_modules/.bin/buf
BIOME  := node_modules/.bin/biome
TSC    := node_modules/.bin/tsc
REDOCLY := node_modules/.bin/redocly
KNIP   := node_modules/.bin/knip
SQLC_VERSION := v1.31.1
SQLC   := .tools/bin/sqlc
COMPOSE_VERSION := v2.40.3
COMPOSE := .tools/bin/docker-compose

PROTOC_GEN_ES := scripts/protoc-gen-es/node_modules/.bin/protoc-gen-es

.PHONY: help run cart loms product-mock notifications test run-deps deps generate check-generated lint fmt typecheck \
        test-unit test-browser test-bun-install test-integration check-compose compose-env stack-up stack-down stack-run stack-status sqlc-vet \
        bench bench-stack seed-bench load replay-poison chaos chaos-short

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

run: run-deps ## start every service in one process on an embedded Postgres
	$(BUN) scripts/embedded.ts

cart: run-deps ## run cart alone (against the stack's Postgres and peers; see deploy/env/cart.env)
	$(BUN) cart/main.ts

loms: run-deps ## run loms alone (against the stack's Postgres)
	$(BUN) loms/main.ts

product-mock: run-deps ## run product-mock alone
	$(BUN) product-mock/main.ts

notifications: run-deps ## run one notifications consumer alone (against the stack's Postgres and Kafka)
	$(BUN) notifications/main.ts

test: ## everything CI checks: lint, types, generated-code freshness, unit, integration, e2e
	scripts/test.sh

# --- dependencies -----------------------------------------------------------------------

# What running needs: the npm packages (Bun among them) and, as root, the postgres OS user.
run-deps: node_modules/.installed
	@scripts/ensure-postgres-user.sh

# What generating and checking need on top.
deps: run-deps $(SQLC) proto/.deps $(PROTOC_GEN_ES)

# npm by default. A checkout installed with `bun install` has a bun.lock (gitignored; Bun
# converts package-lock.json on its first install): keep installing with Bun there, so that the
# two package managers never take turns on one node_modules.
# patches/ (patch-package, run by package.json's postinstall) fixes known bugs in dependencies.
node_modules/.installed: package.json package-lock.json $(wildcard patches/*.patch)
	@if [[ -f bun.lock ]]; then echo "bun.lock present: bun install"; \
	  "$$(command -v bun || echo node_modules/.bin/bun)" install; \
	else echo "npm install --no-audit --no-fund"; npm install --no-audit --no-fund; fi
	touch $@

# sqlc needs cgo (the Postgres parser); the first build takes a few minutes, then it is cached.
$(SQLC):
	GOBIN=$(CURDIR)/.tools/bin go install github.com/sqlc-dev/sqlc/cmd/sqlc@$(SQLC_VERSION)

# protoc-gen-es declares node >= 22 (the last release for Node 20, 2.13.0, writes a broken
# import for rewrite_imports), so it is not in the root package.json, where npm would warn on
# every install; it runs on Bun (proto/buf.gen.yaml), which also installs it, from its own lock.
$(PROTOC_GEN_ES): scripts/protoc-gen-es/package.json scripts/protoc-gen-es/bun.lock node_modules/.installed
	cd scripts/protoc-gen-es && ../../$(BUN) install --frozen-lockfile
	touch $@

proto/.deps: node_modules/.installed scripts/fetch-protos.sh
	scripts/fetch-protos.sh
	touch $@

# --- code generation --------------------------------------------------------------------

generate: deps ## regenerate gen/ from proto/ and sql/
	$(BUF) generate --template proto/buf.gen.yaml
	mkdir -p .cache && $(BUF) build proto -o .cache/proto-image.binpb
	$(BUN) scripts/proto-comments.ts .cache/proto-image.binpb gen/proto/comments.ts
	rm -rf gen/sql
	$(SQLC) generate -f sqlc.yaml

check-generated: generate ## fail when gen/ differs from a fresh generation
	@if [[ -n "$$(git status --porcelain -- gen)" ]]; then \
	  git status --porcelain -- gen; git diff --stat -- gen; \
	  echo "gen/ is stale: run 'make generate' and commit the result"; exit 1; fi

sqlc-vet: deps ## sqlc parses and type-checks every query against the migrations
	$(SQLC) vet -f sqlc.yaml

# --- quality ----------------------------------------------------------------------------

lint: deps ## biome (+layering), buf lint+format, tsc, knip, config table, doc links and port table, Redocly on the OpenAPI documents
	$(BIOME) check .
	$(BUF) lint proto
	$(BUF) format --diff --exit-code --path proto/cart --path proto/loms --path proto/product proto
	$(MAKE) --no-print-directory typecheck
	$(KNIP)
	$(BUN) scripts/check-config-table.ts
	$(BUN) scripts/check-docs.ts
	$(BUN) scripts/openapi-docs.ts .cache/openapi
	REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true $(REDOCLY) lint --extends=recommended \
	  .cache/openapi/cart.json .cache/openapi/loms.json .cache/openapi/product-mock.json

typecheck: node_modules/.installed ## tsc over every TypeScript file (also part of lint)
	$(TSC) -p .

fmt: deps ## format TypeScript and protos in place
	$(BIOME) check --write .
	$(BUF) format -w --path proto/cart --path proto/loms --path proto/product proto

# --timeout also bounds beforeAll hooks: an embedded Postgres or a whole test system starting
# on a busy 2-core machine can take longer than the default 5 s.
test-unit: deps ## unit and repository tests (embedded Postgres), with the coverage gate
	LOG_LEVEL=$${LOG_LEVEL:-silent} $(BUN) test --timeout 30000 --coverage --coverage-reporter=lcov --coverage-reporter=text \
	  --path-ignore-patterns='**/*.integration.test.ts' --path-ignore-patterns='**/*.browser.test.ts' \
	  $(UNIT_TEST_DIRS)
	$(BUN) scripts/coverage-gate.ts coverage/lcov.info

UNIT_TEST_DIRS := ./platform ./product-mock ./cart ./loms ./notifications ./scripts ./tests

check-compose: run-deps ## compose.yaml through Docker Compose's own `config` (with a throwaway env file), then the static checks
	scripts/install-compose.sh $(COMPOSE_VERSION)
	env=$$(mktemp -u) && scripts/compose-env.sh $$env >/dev/null && \
	  { $(COMPOSE) --env-file $$env -f compose.yaml config --quiet; status=$$?; rm -f $$env; exit $$status; }
	$(BUN) scripts/check-compose.ts

compose-env: ## write .env with random passwords for compose.yaml (once; an existing .env is kept)
	scripts/compose-env.sh

test-bun-install: run-deps ## a fresh clone installed with `bun install` gives a working `make run`
	scripts/test-bun-install.sh

test-browser: run-deps ## Swagger UI in Debian's headless Chromium (installed by apt when missing)
	scripts/ensure-chromium.sh
	LOG_LEVEL=$${LOG_LEVEL:-silent} $(BUN) test ./tests/swagger-ui.browser.test.ts

# --- benchmarks -------------------------------------------------------------------------

bench: run-deps ## load benchmarks (autocannon) on embedded mode, with a node:http ceiling in the same run
	$(BUN) scripts/bench.ts

bench-stack: deps ## the bench's workloads on the real stack (takes the stack lock; brings it up and down)
	scripts/bench-stack.sh

seed-bench: run-deps ## load the bench seed (stock for 3000 catalog SKUs) into the stack's LOMS database
	$(BUN) scripts/seed-bench.ts

replay-poison: run-deps ## run stored poison order events through notifications again (docs/operations.md)
	$(BUN) scripts/replay-poison.ts

# --- the real stack ---------------------------------------------------------------------

stack-up: deps ## start Postgres+pgbouncer, Redis, Kafka, Prometheus as local processes
	scripts/stack-up.sh

stack-run: deps ## migrate and start the four services against the stack
	scripts/stack-run.sh

load: run-deps ## a steady mix of adds, lists, checkouts, pays and cancels (LOAD_SECONDS=60 LOAD_USERS=4) against running services
	$(BUN) scripts/load.ts

stack-status: ## what the stack runs: each part's process, health, port and log (non-zero if any is down)
	@scripts/stack-status.sh

stack-down: ## stop everything stack-up and stack-run started
	scripts/stack-down.sh


test-integration: deps ## integration and e2e tests against the stack (brought up and down here)
	scripts/test-integration.sh

chaos: deps ## randomized overlapping faults + invariant checker on the stack (CHAOS_DURATION=180 CHAOS_SEED=N; docs/chaos.md)
	scripts/chaos.sh

chaos-short: deps ## a 90-second chaos run (make test runs it with CHAOS_SEED=2; docs/chaos.md)
	CHAOS_DURATION=$${CHAOS_DURATION:-90} scripts/chaos.sh
