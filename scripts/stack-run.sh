#!/usr/bin/env bash
# With the infrastructure up (stack-up.sh): applies each service's migrations directly to its
# Postgres (DDL does not go through transaction pooling) and has its pgbouncer reopen its server
# connections (so that they carry the migrated database settings), then starts every service as its own
# Bun process with deploy/env/<service>.env (notifications three times, on NOTIFICATIONS_PORTS),
# and waits until each reports ready. `stack-run.sh NAME` (re)starts one process, e.g.
# `stack-run.sh loms` or `stack-run.sh notifications-2`, when it is not running; `loms-2` and
# `cart-2` are the extra replicas (EXTRA_INSTANCE in lib/common.sh). With STACK_ENV=FILE, that
# file's variables override every service's env file (make chaos: a short payment timeout).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

BUN="$ROOT/node_modules/.bin/bun"
DBMATE="$ROOT/node_modules/.bin/dbmate"

migrate() {
  local name=$1 dir="$ROOT/sql/$1/migrations"
  [[ -d $dir ]] || { log "no migrations for $name"; return; }
  # The URL (password included) goes through the environment, never onto a command line (ps).
  DATABASE_URL="postgres://$name:$name@127.0.0.1:${PG_PORT[$name]}/$name?sslmode=disable" \
    "$DBMATE" --migrations-dir "$dir" --no-dump-schema --wait up >"$LOGS/migrate-$name.log" 2>&1 ||
    { show_log "$LOGS/migrate-$name.log"; die "migrations of $name failed"; }
  # A migration may change the database's settings (statement_timeout), which Postgres applies
  # when a session starts: pgbouncer's server connections opened before it (stack-up's check,
  # an earlier run) would keep the old ones for up to an hour. RECONNECT closes each of them
  # once it is released, so the pool comes back with the new settings.
  PGPASSWORD=$name psql "postgres://$name@127.0.0.1:${BOUNCER_PORT[$name]}/pgbouncer" -qtAc "RECONNECT $name" \
    >/dev/null || die "pgbouncer $name refused RECONNECT"
  log "migrated $name"
}

# start_service NAME [INSTANCE HTTP_PORT [GRPC_PORT [VAR=value...]]]: one process of NAME with
# deploy/env/NAME.env; an instance gets its own pid file, log and ports (NAME_HTTP_PORT and
# NAME_GRPC_PORT overridden) and any further settings given.
start_service() {
  local name=$1 instance=${2:-$1} port=${3:-} grpc_port=${4:-}
  local -a settings=("${@:5}")
  [[ -f $ROOT/$name/main.ts ]] || { log "WARNING: $name/main.ts does not exist yet: skipped"; return; }
  [[ -n $port ]] || port=$(sed -n 's/^[A-Z_]*_HTTP_PORT=//p' "$ROOT/deploy/env/$name.env")
  if ! pid_alive "$instance"; then
    (
      set -a
      source "$ROOT/deploy/env/$name.env"
      [[ -n ${STACK_ENV:-} ]] && source "$STACK_ENV"
      set +a
      local prefix
      prefix=$(echo "$name" | tr 'a-z-' 'A-Z_')
      [[ -n ${3:-} ]] && export "${prefix}_HTTP_PORT=$port"
      [[ -n $grpc_port ]] && export "${prefix}_GRPC_PORT=$grpc_port"
      [[ ${#settings[@]} -eq 0 ]] || export "${settings[@]}"
      cd "$ROOT"
      start_bg "$instance" "$LOGS/$instance.log" "$BUN" "$name/main.ts"
    )
  fi
  wait_for_http "http://127.0.0.1:$port/readyz" "$instance" "$LOGS/$instance.log" 60
  log "$instance ready on $port"
}

start_notifications() {
  local i
  for i in "${!NOTIFICATIONS_PORTS[@]}"; do
    start_service notifications "notifications-$((i + 1))" "${NOTIFICATIONS_PORTS[$i]}"
  done
}

# Only what this script starts: a single service by name (restarting one after a fault test),
# or everything.
if [[ $# -gt 0 ]]; then
  case $1 in
    notifications-[0-9]) start_service notifications "$1" "${NOTIFICATIONS_PORTS[$((${1#notifications-} - 1))]}" ;;
    loms-2 | cart-2)
      read -r service http grpc settings <<<"${EXTRA_INSTANCE[$1]}"
      # shellcheck disable=SC2086 # settings: space-separated VAR=value words
      start_service "$service" "$1" "$http" "$grpc" $settings
      ;;
    *) start_service "$1" ;;
  esac
  exit 0
fi

for name in "${SERVICES_WITH_DB[@]}"; do step "migrate $name" migrate "$name"; done
for name in product-mock loms cart; do step "start $name" start_service "$name"; done
step "start notifications ×${#NOTIFICATIONS_PORTS[@]}" start_notifications
