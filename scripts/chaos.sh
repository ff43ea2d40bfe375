#!/usr/bin/env bash
# `make chaos`: the stack with deploy/env/chaos.env (short payment timeout, product latency and
# jitter), a second LOMS and a second cart, then the chaos run (scripts/chaos/main.ts), and the
# stack down again whatever happens. CHAOS_DURATION, CHAOS_SEED, CHAOS_USERS, CHAOS_FAULTS:
# docs/chaos.md.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"
cd "$ROOT"

# Services already running would keep their own settings: start from nothing of ours.
scripts/stack-down.sh >/dev/null 2>&1 || true
trap 'step stack-down scripts/stack-down.sh' EXIT

export STACK_ENV="$ROOT/deploy/env/chaos.env"
step stack-up scripts/stack-up.sh
step stack-run scripts/stack-run.sh
step "extra replicas" bash -c 'scripts/stack-run.sh loms-2 && scripts/stack-run.sh cart-2'
step chaos node_modules/.bin/bun scripts/chaos/main.ts
