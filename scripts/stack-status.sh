#!/usr/bin/env bash
# `make stack-status`: one screen of what the stack runs — each part's process (from the pid files
# stack-up.sh and stack-run.sh write), whether it answers (its port, or /readyz for services),
# and its log. Exits non-zero when anything recorded is down, so scripts can use it as a probe.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

down=0
row() { printf '%-24s %-8s %-8s %-18s %s\n' "$@"; }
# check NAME PIDFILE PORT LOG [READY_URL]
check() {
  local name=$1 pidfile=$2 port=$3 logfile=$4 url=${5:-} pid=- state=down health=-
  if [[ -f $pidfile ]]; then
    pid=$(head -n 1 "$pidfile")
    kill -0 "$pid" 2>/dev/null && state=running
  else
    state=absent
  fi
  if [[ -n $url ]]; then
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && health=ready || health="not ready"
  else
    port_open "${port%%/*}" && health=open || health=closed
  fi
  [[ $state == running && ($health == ready || $health == open) ]] || down=1
  row "$name" "$pid" "$state" "$port $health" "${logfile#"$ROOT/"}"
}

row PART PID PROCESS "PORT HEALTH" LOG
for name in "${SERVICES_WITH_DB[@]}"; do
  check "postgres-$name" "$STACK/postgres/$name/postmaster.pid" "${PG_PORT[$name]}" "$LOGS/postgres-$name.log"
  check "pgbouncer-$name" "$STACK/pgbouncer/$name/pgbouncer.pid" "${BOUNCER_PORT[$name]}" "$STACK/pgbouncer/$name/pgbouncer.log"
done
for port in "${REDIS_PORTS[@]}"; do check "redis-$port" "$PIDS/redis-$port.pid" "$port" "$LOGS/redis-$port.log"; done
for id in "${KAFKA_NODES[@]}"; do check "kafka-$id" "$PIDS/kafka-$id.pid" "${KAFKA_PORT[$id]}" "$LOGS/kafka-$id.log"; done
check prometheus "$PIDS/prometheus.pid" "$PROMETHEUS_PORT" "$LOGS/prometheus.log"
check jaeger "$PIDS/jaeger.pid" "$JAEGER_QUERY_PORT" "$LOGS/jaeger.log"
check zipkin "$PIDS/zipkin.pid" "$ZIPKIN_PORT" "$LOGS/zipkin.log"
for svc in product-mock:8083 loms:8084 cart:8082; do
  check "${svc%%:*}" "$PIDS/${svc%%:*}.pid" "${svc#*:}" "$LOGS/${svc%%:*}.log" "http://127.0.0.1:${svc#*:}/readyz"
done
for i in "${!NOTIFICATIONS_PORTS[@]}"; do
  port=${NOTIFICATIONS_PORTS[$i]}
  check "notifications-$((i + 1))" "$PIDS/notifications-$((i + 1)).pid" "$port" "$LOGS/notifications-$((i + 1)).log" \
    "http://127.0.0.1:$port/readyz"
done
exit "$down"
