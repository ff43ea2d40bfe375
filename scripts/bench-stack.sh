#!/usr/bin/env bash
# `make bench-stack`: the bench's stack workloads (scripts/bench.ts, group "stack") against the
# real stack, with the same node:http ceiling measured in the run. Takes the shared stack lock,
# brings the stack up, measures, and always brings it down again.
set -euo pipefail
cd "$(dirname "$0")/.."
# -o: the daemons stack-up starts must not inherit the lock's descriptor, or the lock outlives
# this script for as long as they run (a later taker waits forever).
exec flock -o /tmp/marketplace-stack.lock bash -c '
  trap "scripts/stack-down.sh >/dev/null" EXIT
  scripts/stack-up.sh >/dev/null
  scripts/stack-run.sh >/dev/null
  BENCH_GROUPS=stack node_modules/.bin/bun scripts/bench.ts
'
