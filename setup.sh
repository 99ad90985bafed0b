#!/usr/bin/env bash
# The seed's Quick Start: installs and starts what is missing (PostgreSQL, Redis, Kafka, Prometheus), then the cluster under
# test (a gateway and processors as background `logperf` processes on those backends), and writes .env.logperf, the settings
# `logperf monitor|loadgen|analyzer` read so that, started in three terminals, they join this cluster.
# Usage: ./setup.sh [up] | down | status      Settings: LOGPERF_* ports, topic, group, table; LOGPERF_SETUP_PROCESSORS (2).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/steps.sh

STATE=.cache/setup # pid files, logs, and a marker per backend this script started (what `down` stops)
ENV_FILE=.env.logperf
HOST=127.0.0.1
GATEWAY_PORT=${LOGPERF_GATEWAY_PORT:-8090}
PROCESSOR_PORT=${LOGPERF_PROCESSOR_PORT:-8091}
PROCESSORS=${LOGPERF_SETUP_PROCESSORS:-2}
MONITOR_PORT=${LOGPERF_MONITOR_PORT:-8080}
LOADGEN_PORT=${LOGPERF_LOADGEN_PORT:-8081}
ANALYZER_PORT=${LOGPERF_ANALYZER_PORT:-8082}
PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
processor_ports() { seq "$PROCESSOR_PORT" $((PROCESSOR_PORT + PROCESSORS - 1)); }
url_list() { local p out=""; for p in "$@"; do out+="${out:+,}http://$HOST:$p"; done; echo "$out"; }

write_env_file() {
  local processors; processors=$(url_list $(processor_ports))
  cat >"$ENV_FILE" <<ENV
# Written by ./setup.sh on $(date -u +%FT%TZ); read by \`logperf\` roles started alone. ./setup.sh down removes it.
LOGPERF_BUS=kafka
LOGPERF_STORE=postgres
LOGPERF_CACHE=redis
LOGPERF_KAFKA_BROKERS=${LOGPERF_KAFKA_BROKERS:-$HOST:9092}
LOGPERF_KAFKA_TOPIC=${LOGPERF_KAFKA_TOPIC:-log-events}
LOGPERF_PROCESSOR_GROUP=${LOGPERF_PROCESSOR_GROUP:-log-processors}
LOGPERF_DATABASE_URL=${LOGPERF_DATABASE_URL:-postgres://postgres@$HOST:5432/test}
LOGPERF_STORE_TABLE=${LOGPERF_STORE_TABLE:-log_events}
LOGPERF_REDIS_URL=${LOGPERF_REDIS_URL:-redis://$HOST:6379}
LOGPERF_GATEWAY_PORT=$GATEWAY_PORT
LOGPERF_PROCESSOR_PORT=$PROCESSOR_PORT
LOGPERF_MONITOR_PORT=$MONITOR_PORT
LOGPERF_LOADGEN_PORT=$LOADGEN_PORT
LOGPERF_ANALYZER_PORT=$ANALYZER_PORT
LOGPERF_PROCESSOR_URLS=$processors
LOGPERF_LOADGEN_ALLOWED_TARGETS=http://$HOST:$GATEWAY_PORT
LOGPERF_MONITOR_NODES=http://$HOST:$GATEWAY_PORT,$processors,http://$HOST:$LOADGEN_PORT
LOGPERF_MONITOR_URL=http://$HOST:$MONITOR_PORT
ENV
  echo "settings: wrote $ENV_FILE"
}

# start_role NAME PORT ARGS…: a background `logperf` process with its pid file and log under .cache/setup, unless one answers.
start_role() {
  local name=$1 port=$2; shift 2
  if curl -fsS "http://$HOST:$port/health" >/dev/null 2>&1; then echo "$name: answering on :$port (left as it is)"; return; fi
  if port_open "$port"; then echo "$name: 127.0.0.1:$port is taken by another program; set its LOGPERF_*_PORT" >&2; return 1; fi
  nohup node apps/cli/bin/logperf.js "$@" --port "$port" >"$STATE/$name.log" 2>&1 &
  echo $! >"$STATE/$name.pid"
  for _ in $(seq 1 60); do
    if curl -fsS "http://$HOST:$port/health" >/dev/null 2>&1; then echo "$name: started on :$port (pid $!, log $STATE/$name.log)"; return; fi
    kill -0 "$(cat "$STATE/$name.pid")" 2>/dev/null || break
    sleep 1
  done
  echo "$name: did not come up; last lines of $STATE/$name.log:" >&2; tail -20 "$STATE/$name.log" >&2; return 1
}

# backend NAME PORT COMMAND…: runs the shared start step and marks the backend as ours when it was not answering before.
backend() {
  local name=$1 port=$2; shift 2
  local before=down; port_open "$port" && before=up
  "$@"
  if [ "$before" = down ] && port_open "$port"; then touch "$STATE/started-$name"; fi
}

up() {
  mkdir -p "$STATE"
  apt_install pg_ctlcluster=postgresql redis-server=redis-server java=default-jre-headless mvn=maven prometheus=prometheus curl=curl
  npm_ready
  backend postgres 5432 postgres_up
  backend redis 6379 redis_up
  backend kafka 9092 bash scripts/kafka.sh up
  backend prometheus "$PROMETHEUS_PORT" bash scripts/prometheus.sh up
  write_env_file
  start_role gateway "$GATEWAY_PORT" gateway
  local i=0 port
  for port in $(processor_ports); do i=$((i + 1)); start_role "processor-$i" "$port" processor; done
  cat <<NEXT

ready: gateway http://$HOST:$GATEWAY_PORT -> Kafka -> $PROCESSORS processor(s) -> PostgreSQL + Redis
next, in three terminals:  npx logperf monitor   |   npx logperf loadgen   |   npx logperf analyzer
then:  ./load-test.sh   (the seed's burst and ramp)        stop:  ./setup.sh down
NEXT
}

stop_pid_file() {
  local name; name=$(basename "$1" .pid)
  local pid; pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "$name: stopped"
  fi
  rm -f "$1"
}

down() {
  local f
  for f in "$STATE"/*.pid; do [ -e "$f" ] && stop_pid_file "$f"; done
  [ -e "$STATE/started-prometheus" ] && bash scripts/prometheus.sh down
  [ -e "$STATE/started-kafka" ] && bash scripts/kafka.sh down
  [ -e "$STATE/started-redis" ] && redis_down
  [ -e "$STATE/started-postgres" ] && postgres_down
  rm -f "$STATE"/started-* "$ENV_FILE"
  echo "setup: stopped what ./setup.sh started; removed $ENV_FILE"
}

status() {
  local f
  for f in "$STATE"/*.pid; do
    [ -e "$f" ] || continue
    kill -0 "$(cat "$f")" 2>/dev/null && echo "$(basename "$f" .pid): running (pid $(cat "$f"))" || echo "$(basename "$f" .pid): exited"
  done
  for f in "$STATE"/started-*; do [ -e "$f" ] && echo "${f##*/started-}: started by ./setup.sh"; done
  [ -f "$ENV_FILE" ] && echo "settings: $ENV_FILE" || echo "settings: none (./setup.sh not run)"
}

case "${1:-up}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: ./setup.sh [up] | down | status" >&2; exit 2 ;;
esac
