#!/usr/bin/env bash
# Prometheus (Debian's /usr/bin/prometheus) on 127.0.0.1:9090 with deploy/prometheus/prometheus.yml, data in .cache/prometheus;
# also Debian's prometheus-node-exporter on 127.0.0.1:9100 when it is installed and nothing answers there.
# Usage: scripts/prometheus.sh up | down [--purge] | status      (PROMETHEUS_PORT overrides 9090)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PROMETHEUS_PORT:-9090}"
NODE_EXPORTER_PORT=9100
HOME_DIR="$PWD/.cache/prometheus"
DATA="$HOME_DIR/data"
LOGS="$HOME_DIR/logs"
PID_FILE="$HOME_DIR/prometheus.pid"
NODE_PID_FILE="$HOME_DIR/node-exporter.pid"
CONFIG="$PWD/deploy/prometheus/prometheus.yml"
URL="http://127.0.0.1:$PORT"

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
ready() { curl -fsS -m 2 "$URL/-/ready" >/dev/null 2>&1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

node_exporter_up() {
  command -v prometheus-node-exporter >/dev/null || { echo "node-exporter: not installed (optional: apt-get install prometheus-node-exporter)"; return; }
  if port_open "$NODE_EXPORTER_PORT"; then echo "node-exporter: answering on 127.0.0.1:$NODE_EXPORTER_PORT"; return; fi
  setsid prometheus-node-exporter --web.listen-address="127.0.0.1:$NODE_EXPORTER_PORT" >"$LOGS/node-exporter.log" 2>&1 </dev/null &
  echo $! >"$NODE_PID_FILE"
  echo "node-exporter: started on 127.0.0.1:$NODE_EXPORTER_PORT (pid $(cat "$NODE_PID_FILE"))"
}

up() {
  mkdir -p "$DATA" "$LOGS"
  node_exporter_up
  if running "$PID_FILE" && ready; then echo "prometheus: running on $URL (pid $(cat "$PID_FILE"))"; return; fi
  # Like the broker: a Prometheus that already answers here (another checkout's, or the machine's) is used, not fought.
  if ! running "$PID_FILE" && ready; then echo "prometheus: already answering on $URL (not started by this script)"; return; fi
  command -v prometheus >/dev/null || { echo "prometheus: not installed (apt-get install prometheus)" >&2; exit 1; }
  if ! running "$PID_FILE"; then
    if port_open "$PORT"; then echo "prometheus: 127.0.0.1:$PORT is taken by another process; set PROMETHEUS_PORT" >&2; exit 1; fi
    promtool check config "$CONFIG" >"$LOGS/check.log" 2>&1 || { cat "$LOGS/check.log" >&2; exit 1; }
    # setsid: its own session, so Ctrl-C in the shell that ran `up` does not stop it.
    setsid prometheus --config.file="$CONFIG" --storage.tsdb.path="$DATA" --storage.tsdb.retention.time=15d \
      --web.listen-address="127.0.0.1:$PORT" --web.enable-lifecycle >"$LOGS/prometheus.log" 2>&1 </dev/null &
    echo $! >"$PID_FILE"
  fi
  local started=$SECONDS
  until ready; do
    if ! running "$PID_FILE"; then echo "prometheus: exited; see $LOGS/prometheus.log" >&2; tail -20 "$LOGS/prometheus.log" >&2; exit 1; fi
    if (( SECONDS - started > 60 )); then echo "prometheus: not ready on $URL within 60 s" >&2; exit 1; fi
    sleep 0.5
  done
  # Debian's build ships only the classic web UI (/classic/…); upstream builds serve /targets.
  local targets="$URL/targets"
  curl -fsS -m 2 -o /dev/null "$targets" 2>/dev/null || targets="$URL/classic/targets"
  echo "prometheus: running on $URL (pid $(cat "$PID_FILE"), ready in $(( SECONDS - started )) s); targets at $targets"
}

stop() { # pid file, name
  if running "$1"; then
    local pid; pid=$(cat "$1")
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    echo "$2: stopped"
  else
    echo "$2: not running (not started by this script)"
  fi
  rm -f "$1"
}

down() {
  stop "$PID_FILE" prometheus
  stop "$NODE_PID_FILE" node-exporter
  if [ "${1:-}" = "--purge" ]; then rm -rf "$DATA"; echo "prometheus: data removed"; fi
}

case "${1:-}" in
  up) up ;;
  down) shift; down "${1:-}" ;;
  status) if running "$PID_FILE" && ready; then echo "prometheus: running on $URL"; else echo "prometheus: not running"; exit 1; fi ;;
  *) echo "usage: scripts/prometheus.sh up | down [--purge] | status" >&2; exit 2 ;;
esac
