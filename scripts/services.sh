#!/usr/bin/env bash
# Starts (idempotently) the real services logperf runs against on 127.0.0.1: PostgreSQL :5432, Redis :6379, Kafka :9092,
# then Prometheus :9090 (scripts/prometheus.sh), which scrapes the logperf services once they run.
set -euo pipefail
cd "$(dirname "$0")/.."

postgres_up() {
  if pg_isready -q -h 127.0.0.1 -p 5432; then echo "postgres: running on 127.0.0.1:5432"; return; fi
  command -v pg_ctlcluster >/dev/null || { echo "postgres: not installed (apt-get install postgresql)" >&2; return 1; }
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && { echo "postgres: started"; return; }; sleep 1; done
  echo "postgres: did not become ready within 30 s" >&2; return 1
}

redis_up() {
  if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then echo "redis: running on 127.0.0.1:6379"; return; fi
  command -v redis-server >/dev/null || { echo "redis: not installed (apt-get install redis-server)" >&2; return 1; }
  mkdir -p .cache/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --dir "$PWD/.cache/redis" --logfile "$PWD/.cache/redis/redis.log"
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && { echo "redis: started"; return; }; sleep 0.5; done
  echo "redis: did not answer within 10 s" >&2; return 1
}

case "${1:-up}" in
  up)
    postgres_up
    redis_up
    bash scripts/kafka.sh up
    bash scripts/prometheus.sh up
    ;;
  down)
    # PostgreSQL and Redis belong to the machine; only the broker and Prometheus this repository started are stopped.
    bash scripts/kafka.sh down
    bash scripts/prometheus.sh down
    ;;
  status)
    pg_isready -h 127.0.0.1 -p 5432 || true
    redis-cli -h 127.0.0.1 -p 6379 ping || true
    bash scripts/kafka.sh status || true
    bash scripts/prometheus.sh status || true
    ;;
  *) echo "usage: scripts/services.sh up|down|status" >&2; exit 2 ;;
esac
