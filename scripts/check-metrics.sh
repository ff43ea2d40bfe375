#!/usr/bin/env bash
# `promtool check metrics` (Prometheus' own linter for the exposition format and its naming
# rules) on the /metrics of every service running in the stack. Run by test-integration.sh
# after the e2e tests, so that the RPC and HTTP series of real traffic are there too.
# promtool ships with Debian's prometheus package, which stack-up.sh installs.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

command -v promtool >/dev/null || die "promtool missing: scripts/stack-up.sh installs Debian's prometheus package"
checked=0
for name in product-mock loms cart notifications; do
  [[ -f $ROOT/$name/main.ts ]] || continue
  port=$(sed -n 's/^[A-Z_]*_HTTP_PORT=//p' "$ROOT/deploy/env/$name.env")
  text=$(curl -fsS "http://127.0.0.1:$port/metrics") || die "$name: cannot read http://127.0.0.1:$port/metrics"
  if ! problems=$(promtool check metrics <<<"$text" 2>&1); then
    die "$name: promtool check metrics failed on http://127.0.0.1:$port/metrics:"$'\n'"$problems"
  fi
  log "$name: /metrics passes promtool check metrics ($(grep -c '^# TYPE' <<<"$text") metric families)"
  checked=$((checked + 1))
done
((checked > 0)) || die "no service to check"
