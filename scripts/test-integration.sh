#!/usr/bin/env bash
# Integration and e2e tests on the real stack: brings it up (infra, then services), runs the
# repository tests through pgbouncer and every *.integration.test.ts, and always brings the
# stack down again, also when a test fails.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

# Anything of ours still running from an earlier, interrupted run would hold the ports.
scripts/stack-down.sh >/dev/null 2>&1 || true
trap 'step stack-down scripts/stack-down.sh' EXIT

step stack-up scripts/stack-up.sh
step stack-run scripts/stack-run.sh
export LOG_LEVEL=${LOG_LEVEL:-silent}
step "repositories through pgbouncer" env TEST_PG=stack node_modules/.bin/bun test ./cart/repo.test.ts ./loms/repo.test.ts ./notifications/repo.test.ts ./platform/db/statement-timeout.test.ts
mapfile -t suites < <(find . -name '*.integration.test.ts' -not -path './node_modules/*' | sort)
step "integration and e2e" node_modules/.bin/bun test "${suites[@]}"
step "promtool check metrics" scripts/check-metrics.sh
