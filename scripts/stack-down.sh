#!/usr/bin/env bash
# Stops exactly what stack-up.sh and stack-run.sh started, by their pid files (never by process
# name), newest layer first. `--purge` also deletes .stack/ (databases, Kafka logs, metrics).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

# The services and the observability processes all at once: each service spends its pre-stop
# delay (SHUTDOWN_PRE_STOP_MS) before closing, and one after another those added up.
services=()
for i in "${!NOTIFICATIONS_PORTS[@]}"; do services+=("notifications-$((i + 1))"); done
services+=("${!EXTRA_INSTANCE[@]}" cart loms product-mock prometheus jaeger zipkin)
for name in "${services[@]}"; do stop_pid "$name" & done
wait
# Signal all brokers at once: the last one alone would wait for a controller quorum that is gone.
for id in "${KAFKA_NODES[@]}"; do pid_alive "kafka-$id" && kill -TERM "$(cat "$PIDS/kafka-$id.pid")"; done
for id in "${KAFKA_NODES[@]}"; do stop_pid "kafka-$id" 60; done
for port in "${REDIS_PORTS[@]}"; do stop_pid "redis-$port"; done
for name in "${SERVICES_WITH_DB[@]}"; do
  bouncer="$STACK/pgbouncer/$name/pgbouncer.pid"
  if [[ -f $bouncer ]]; then
    cp "$bouncer" "$PIDS/pgbouncer-$name.pid"
    stop_pid "pgbouncer-$name"
  fi
  data="$STACK/postgres/$name"
  if [[ -f $data/postmaster.pid ]]; then
    pg_stop "$name" || log "postgres $name: stop failed"
  fi
done
log "stack stopped"
if [[ ${1:-} == --purge ]]; then
  rm -rf "$STACK"
  log "removed $STACK"
fi
