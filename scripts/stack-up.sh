#!/usr/bin/env bash
# Starts the stack's infrastructure as local processes on loopback, without Docker:
# PostgreSQL per service, each behind its own pgbouncer; two Redis shards; a three-node Kafka
# cluster in KRaft mode with the order-events topic; Prometheus; Jaeger and Zipkin for traces. Idempotent: what already runs
# is left alone. State, pids and logs live under .stack/ (see scripts/lib/common.sh).
# `stack-up.sh PART` starts one part only (see one_part below).
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

KAFKA_CLUSTER_ID=bWFya2V0cGxhY2UtMjU2  # fixed: the three nodes must agree; base64 of 16 bytes
KAFKA_CP="$CACHE/kafka-libs/*"

install_packages() {
  local missing=()
  command -v pgbouncer >/dev/null || missing+=(pgbouncer)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v prometheus >/dev/null || missing+=(prometheus)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v java >/dev/null || missing+=(default-jre-headless)
  command -v mvn >/dev/null || missing+=(maven)
  [[ ${#missing[@]} -eq 0 ]] && { log "packages present"; return; }
  log "installing: ${missing[*]}"
  # Keep the packages' own services from starting: we run our own instances on our own ports.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
}

postgres_up() {
  local name=$1 port=${PG_PORT[$1]} bin data="$STACK/postgres/$1" logfile="$LOGS/postgres-$1.log"
  bin=$(pg_bin)
  "$ROOT/scripts/ensure-postgres-user.sh"
  touch "$logfile" && chown postgres "$logfile"
  if [[ ! -f $data/PG_VERSION ]]; then
    mkdir -p "$data" "$STACK/run"
    chown postgres:postgres "$data" "$STACK/run"
    chmod 700 "$data"
    local pw="$STACK/run/pw-$name"
    echo "$name" >"$pw" && chown postgres "$pw"
    as_postgres "$bin/initdb" -D "$data" -U postgres --pwfile="$pw" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$logfile" 2>&1 ||
      { show_log "$logfile"; die "initdb for $name failed"; }
    rm -f "$pw"
  fi
  chmod o+x "$STACK" "$STACK/postgres"
  if ! as_postgres "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    pg_start "$name" || { show_log "$logfile"; die "postgres for $name did not start"; }
  fi
  # The service's role and database; the superuser password equals the cluster name.
  PGPASSWORD=$name psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -qtA -v ON_ERROR_STOP=1 <<SQL >/dev/null
SELECT 'CREATE ROLE $name LOGIN PASSWORD ''$name''' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$name')\gexec
SELECT 'CREATE DATABASE $name OWNER $name' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$name')\gexec
SQL
  log "postgres $name on $port"
}

pgbouncer_up() {
  local name=$1 state="$STACK/pgbouncer/$1" port=${BOUNCER_PORT[$1]}
  mkdir -p "$state"
  sed -e "s|@NAME@|$name|g" -e "s|@PG_PORT@|${PG_PORT[$name]}|g" -e "s|@PORT@|$port|g" -e "s|@STATE@|$state|g" \
    "$ROOT/deploy/pgbouncer/pgbouncer.ini.template" >"$state/pgbouncer.ini"
  printf '"%s" "%s"\n' "$name" "$name" >"$state/userlist.txt"
  chown -R postgres:postgres "$state"
  chmod 600 "$state/userlist.txt"
  chmod o+x "$STACK/pgbouncer"
  if ! port_open "$port"; then
    # pgbouncer refuses to run as root.
    as_postgres pgbouncer -d -q "$state/pgbouncer.ini" || { show_log "$state/pgbouncer.log"; die "pgbouncer $name failed"; }
    wait_for_port "$port" "pgbouncer $name" "$state/pgbouncer.log" 30
  fi
  PGPASSWORD=$name psql "postgres://$name@127.0.0.1:$port/$name" -qtAc 'select 1' >/dev/null ||
    die "cannot query $name through pgbouncer on $port"
  log "pgbouncer $name on $port → postgres ${PG_PORT[$name]}"
}

redis_up() {
  local port=$1 dir="$STACK/redis/$1"
  mkdir -p "$dir"
  if ! port_open "$port"; then
    redis-server "$ROOT/deploy/redis/redis.conf" --bind 127.0.0.1 --protected-mode yes --daemonize yes \
      --port "$port" --dir "$dir" \
      --pidfile "$PIDS/redis-$port.pid" --logfile "$LOGS/redis-$port.log"
    wait_for_port "$port" "redis $port" "$LOGS/redis-$port.log" 30
  fi
  [[ $(redis-cli -p "$port" ping) == PONG ]] || die "redis $port does not answer PING"
  log "redis on $port"
}

kafka_libs() {
  [[ -f $CACHE/kafka-libs/.complete ]] && return
  log "fetching Kafka jars from Maven Central (deploy/kafka/pom.xml)"
  rm -rf "$CACHE/kafka-libs"
  mvn -q -B -f "$ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$CACHE/kafka-libs" -DincludeScope=runtime
  touch "$CACHE/kafka-libs/.complete"
}

# Small heaps and the serial collector: three brokers share two cores.
KAFKA_JAVA=(java -Xms128m -Xmx384m -XX:+UseSerialGC -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.yaml" -cp "$KAFKA_CP")

kafka_node_up() {
  local id=$1 dir="$STACK/kafka/$1" props="$STACK/kafka/node-$1.properties"
  mkdir -p "$dir"
  sed -e "s|@ID@|$id|g" -e "s|@PORT@|${KAFKA_PORT[$id]}|g" \
    -e "s|@CONTROLLER_PORT@|${KAFKA_CONTROLLER_PORT[$id]}|g" -e "s|@LOG_DIR@|$dir|g" \
    "$ROOT/deploy/kafka/broker.properties.template" >"$props"
  if [[ ! -f $dir/meta.properties ]]; then
    "${KAFKA_JAVA[@]}" kafka.tools.StorageTool format --cluster-id "$KAFKA_CLUSTER_ID" --config "$props" --ignore-formatted \
      >>"$LOGS/kafka-$id.log" 2>&1 || { show_log "$LOGS/kafka-$id.log"; die "formatting Kafka node $id failed"; }
  fi
  pid_alive "kafka-$id" || start_bg "kafka-$id" "$LOGS/kafka-$id.log" "${KAFKA_JAVA[@]}" kafka.Kafka "$props"
}

kafka_up() {
  kafka_libs
  local id
  for id in "${KAFKA_NODES[@]}"; do kafka_node_up "$id"; done
  for id in "${KAFKA_NODES[@]}"; do wait_for_port "${KAFKA_PORT[$id]}" "Kafka node $id" "$LOGS/kafka-$id.log" 120; done
  # The topic: RF 3 over the three brokers, two in sync required for a write to count.
  local attempt
  for attempt in 1 2 3 4 5 6 7 8 9 10; do
    "$ROOT/scripts/kafka-tool.sh" topics --create --if-not-exists \
      --topic "$KAFKA_TOPIC" --partitions 6 --replication-factor 3 --config min.insync.replicas=2 \
      >>"$LOGS/kafka-topics.log" 2>&1 && break
    [[ $attempt == 10 ]] && { show_log "$LOGS/kafka-topics.log"; die "could not create topic $KAFKA_TOPIC"; }
    sleep 3
  done
  log "kafka: 3 nodes on ${KAFKA_BOOTSTRAP}, topic $KAFKA_TOPIC"
}

prometheus_up() {
  mkdir -p "$STACK/prometheus"
  if ! pid_alive prometheus; then
    port_open "$PROMETHEUS_PORT" && die "port $PROMETHEUS_PORT is taken by another process (a distro prometheus service?)"
    start_bg prometheus "$LOGS/prometheus.log" prometheus --config.file="$ROOT/deploy/prometheus/prometheus.yml" \
      --storage.tsdb.path="$STACK/prometheus" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT"
  fi
  wait_for_http "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" prometheus "$LOGS/prometheus.log" 60
  log "prometheus on $PROMETHEUS_PORT"
}

# Jaeger v2 built once from the Go module proxy (scripts/build-jaeger.sh, cached in .tools/):
# OTLP in on 4317/4318, the query API the tests read on 16686, traces in memory.
jaeger_up() {
  "$ROOT/scripts/build-jaeger.sh"
  if ! pid_alive jaeger; then
    port_open "$JAEGER_QUERY_PORT" && die "port $JAEGER_QUERY_PORT is taken by another process"
    start_bg jaeger "$LOGS/jaeger.log" "$ROOT/.tools/bin/jaeger" --config="file:$ROOT/deploy/jaeger/config.yaml"
  fi
  wait_for_http "http://127.0.0.1:13133/status" jaeger "$LOGS/jaeger.log" 60
  wait_for_http "http://127.0.0.1:$JAEGER_QUERY_PORT/api/services" "jaeger query" "$LOGS/jaeger.log" 60
  log "jaeger: OTLP on 4317/4318, query API on $JAEGER_QUERY_PORT"
}

# Zipkin's server (its exec jar from Maven Central ships the UI): the stack's trace UI, fed with
# the same spans by the services' second exporter (OTEL_EXPORTER_ZIPKIN_ENDPOINT).
zipkin_up() {
  local jar="$CACHE/zipkin/zipkin-server-$ZIPKIN_VERSION-exec.jar"
  if [[ ! -f $jar ]]; then
    log "fetching io.zipkin:zipkin-server:$ZIPKIN_VERSION (exec jar) from Maven Central"
    mvn -q -B dependency:copy -Dartifact="io.zipkin:zipkin-server:$ZIPKIN_VERSION:jar:exec" \
      -DoutputDirectory="$CACHE/zipkin"
  fi
  if ! pid_alive zipkin; then
    port_open "$ZIPKIN_PORT" && die "port $ZIPKIN_PORT is taken by another process"
    start_bg zipkin "$LOGS/zipkin.log" java -Xms64m -Xmx256m -XX:+UseSerialGC -jar "$jar" \
      --server.address=127.0.0.1 --server.port="$ZIPKIN_PORT"
  fi
  wait_for_http "http://127.0.0.1:$ZIPKIN_PORT/health" zipkin "$LOGS/zipkin.log" 120
  log "zipkin UI on http://127.0.0.1:$ZIPKIN_PORT/zipkin/"
}

main() {
  local start=$SECONDS name port
  step packages install_packages
  for name in "${SERVICES_WITH_DB[@]}"; do step "postgres $name" postgres_up "$name"; done
  for name in "${SERVICES_WITH_DB[@]}"; do step "pgbouncer $name" pgbouncer_up "$name"; done
  for port in "${REDIS_PORTS[@]}"; do step "redis $port" redis_up "$port"; done
  step kafka kafka_up
  step prometheus prometheus_up
  step jaeger jaeger_up
  step zipkin zipkin_up
  log "stack is up in $((SECONDS - start))s"
}

# One part by name, to bring it back after a fault (make chaos): kafka-N, redis-PORT,
# postgres-NAME, pgbouncer-NAME. Like the whole, it starts the part only when it is not running.
one_part() {
  case $1 in
    kafka-[0-9])
      kafka_libs
      kafka_node_up "${1#kafka-}"
      wait_for_port "${KAFKA_PORT[${1#kafka-}]}" "Kafka node ${1#kafka-}" "$LOGS/$1.log" 120
      ;;
    redis-[0-9]*) redis_up "${1#redis-}" ;;
    postgres-*) postgres_up "${1#postgres-}" ;;
    pgbouncer-*) pgbouncer_up "${1#pgbouncer-}" ;;
    *) die "unknown part $1 (kafka-N, redis-PORT, postgres-NAME, pgbouncer-NAME)" ;;
  esac
}

if [[ $# -gt 0 ]]; then one_part "$1"; else main; fi
