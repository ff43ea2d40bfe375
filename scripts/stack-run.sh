#!/usr/bin/env bash
# With the infrastructure up (stack-up.sh): applies each service's migrations directly to its
# Postgres (DDL does not go through transaction pooling), then starts every service as its own
# Bun process with deploy/env/<service>.env, and waits until each reports ready.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

BUN="$ROOT/node_modules/.bin/bun"
DBMATE="$ROOT/node_modules/.bin/dbmate"

migrate() {
  local name=$1 dir="$ROOT/sql/$1/migrations"
  [[ -d $dir ]] || { log "no migrations for $name"; return; }
  "$DBMATE" --url "postgres://$name:$name@127.0.0.1:${PG_PORT[$name]}/$name?sslmode=disable" \
    --migrations-dir "$dir" --no-dump-schema --wait up >"$LOGS/migrate-$name.log" 2>&1 ||
    { show_log "$LOGS/migrate-$name.log"; die "migrations of $name failed"; }
  log "migrated $name"
}

start_service() {
  local name=$1 port
  [[ -f $ROOT/$name/main.ts ]] || { log "WARNING: $name/main.ts does not exist yet: skipped"; return; }
  port=$(sed -n 's/^[A-Z_]*_HTTP_PORT=//p' "$ROOT/deploy/env/$name.env")
  if ! pid_alive "$name"; then
    (
      set -a
      source "$ROOT/deploy/env/$name.env"
      set +a
      cd "$ROOT"
      start_bg "$name" "$LOGS/$name.log" "$BUN" "$name/main.ts"
    )
  fi
  wait_for_http "http://127.0.0.1:$port/readyz" "$name" "$LOGS/$name.log" 60
  log "$name ready on $port"
}

for name in "${SERVICES_WITH_DB[@]}"; do step "migrate $name" migrate "$name"; done
for name in product-mock loms cart notifications; do step "start $name" start_service "$name"; done
