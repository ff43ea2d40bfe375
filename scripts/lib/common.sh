# Shared helpers for the stack scripts: paths, logging with timings, pid files, waiting for
# ports and HTTP endpoints with clear timeout messages. Sourced, not executed.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK="$ROOT/.stack"
LOGS="$STACK/logs"
PIDS="$STACK/pids"
CACHE="$ROOT/.cache"
mkdir -p "$LOGS" "$PIDS" "$CACHE"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

# step NAME CMD...: runs a step and prints how long it took.
step() {
  local name=$1 start=$SECONDS
  shift
  log "--- $name"
  "$@"
  log "--- $name done in $((SECONDS - start))s"
}

# Shows the tail of a log file after a failure, so the cause is on screen.
show_log() {
  [[ -f $1 ]] && { echo "--- last lines of $1:" >&2; tail -n 30 "$1" >&2; }
  return 0
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_for_port PORT WHAT LOGFILE [TIMEOUT_S]
wait_for_port() {
  local port=$1 what=$2 logfile=$3 timeout=${4:-60} i
  for ((i = 0; i < timeout * 5; i++)); do
    port_open "$port" && return 0
    sleep 0.2
  done
  show_log "$logfile"
  die "$what did not open port $port within ${timeout}s (log: $logfile)"
}

# wait_for_http URL WHAT LOGFILE [TIMEOUT_S]: waits for a 2xx answer.
wait_for_http() {
  local url=$1 what=$2 logfile=$3 timeout=${4:-60}
  # A deadline in seconds, not a count of probes: a probe that hangs takes its whole --max-time.
  local deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  show_log "$logfile"
  die "$what was not ready at $url within ${timeout}s (log: $logfile)"
}

# pid_alive NAME: the process recorded in .stack/pids/NAME.pid is running.
pid_alive() {
  local file="$PIDS/$1.pid" pid stat
  [[ -f $file ]] || return 1
  pid=$(cat "$file")
  kill -0 "$pid" 2>/dev/null || return 1
  # A zombie (killed, not reaped: a PID 1 that does not reap orphans) answers kill -0 too.
  stat=$(cat "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ ${stat##*) } != Z* ]]
}

# start_bg NAME LOGFILE CMD...: starts CMD detached, records its pid.
start_bg() {
  local name=$1 logfile=$2
  shift 2
  nohup "$@" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$PIDS/$name.pid"
}

# stop_pid NAME [TIMEOUT_S]: TERM the recorded process, KILL it if it lingers, forget it.
stop_pid() {
  local name=$1 timeout=${2:-20} file="$PIDS/$1.pid" pid i
  [[ -f $file ]] || return 0
  pid=$(cat "$file")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < timeout * 5; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && { log "$name did not stop in ${timeout}s: killing"; kill -KILL "$pid" 2>/dev/null || true; }
  fi
  rm -f "$file"
}

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $dir ]] || die "PostgreSQL binaries not found under /usr/lib/postgresql"
  echo "$dir"
}

as_postgres() { runuser -u postgres -- "$@"; }

# pg_start NAME / pg_stop NAME: one service's Postgres cluster (already initialised) up or down.
pg_start() {
  local name=$1
  as_postgres "$(pg_bin)/pg_ctl" -D "$STACK/postgres/$name" -l "$LOGS/postgres-$name.log" -w -t 60 start \
    -o "-p ${PG_PORT[$name]} -c listen_addresses=127.0.0.1 -k $STACK/run -c max_connections=100" >/dev/null
}
pg_stop() { as_postgres "$(pg_bin)/pg_ctl" -D "$STACK/postgres/$1" -m fast -w stop >/dev/null; }

# The stack's topology, in one place.
SERVICES_WITH_DB=(cart loms notifications)
declare -A PG_PORT=([cart]=5433 [loms]=5434 [notifications]=5435)
declare -A BOUNCER_PORT=([cart]=6433 [loms]=6434 [notifications]=6435)
REDIS_PORTS=(6379 6380)
KAFKA_NODES=(1 2 3)
declare -A KAFKA_PORT=([1]=9092 [2]=9093 [3]=9094)
declare -A KAFKA_CONTROLLER_PORT=([1]=19092 [2]=19093 [3]=19094)
KAFKA_BOOTSTRAP=127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094
KAFKA_TOPIC=loms.order-events
PROMETHEUS_PORT=9090
# Three notifications instances share one consumer group and split the topic's partitions.
NOTIFICATIONS_PORTS=(8085 8086 8087)
JAEGER_QUERY_PORT=16686
ZIPKIN_PORT=9411
ZIPKIN_VERSION=3.6.1
# Extra replicas `make chaos` starts (stack-run.sh NAME): a second LOMS (so the relay can fail
# over) and a second cart sharing Redis, calling the second LOMS (so that one LOMS down leaves
# one cart able to check out). Each: service, HTTP port, gRPC port, extra VAR=value settings.
declare -A EXTRA_INSTANCE=([loms-2]="loms 8094 50061" [cart-2]="cart 8092 50062 CART_LOMS_ADDR=127.0.0.1:50061")
