#!/usr/bin/env bash
# Starts (idempotently) the real services logperf runs against on 127.0.0.1: PostgreSQL :5432, Redis :6379, Kafka :9092,
# then Prometheus :9090 (scripts/prometheus.sh), which scrapes the logperf services once they run.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/steps.sh

case "${1:-up}" in
  up)
    postgres_up
    redis_up
    bash scripts/kafka.sh up
    bash scripts/prometheus.sh up
    ;;
  down)
    # PostgreSQL belongs to the machine; the broker, Prometheus and a Redis this repository started are stopped.
    bash scripts/kafka.sh down
    bash scripts/prometheus.sh down
    redis_down
    ;;
  status)
    pg_isready -h 127.0.0.1 -p 5432 || true
    redis-cli -h 127.0.0.1 -p 6379 ping || true
    bash scripts/kafka.sh status || true
    bash scripts/prometheus.sh status || true
    ;;
  *) echo "usage: scripts/services.sh up|down|status" >&2; exit 2 ;;
esac
