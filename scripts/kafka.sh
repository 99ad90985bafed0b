#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, broker+controller) on 127.0.0.1:9092, from the Apache jars fetched with Maven.
# Usage: scripts/kafka.sh up | down [--purge] | status | tool <main-class> [args…]
# A second, private broker (fault tests) shares the jars: KAFKA_PORT, KAFKA_CONTROLLER_PORT and KAFKA_STATE_DIR
# (its data, logs, config and pid file) pick its ports and its folder.
set -euo pipefail
cd "$(dirname "$0")/.."

KAFKA_VERSION="${KAFKA_VERSION:-4.3.1}"
HOME_DIR="$PWD/.cache/kafka"
LIBS="$HOME_DIR/libs-$KAFKA_VERSION"
STATE_DIR="${KAFKA_STATE_DIR:-$HOME_DIR}"
DATA="$STATE_DIR/data"
LOGS="$STATE_DIR/logs"
PID_FILE="$STATE_DIR/kafka.pid"
CONFIG="$STATE_DIR/server.properties"
LOG4J="$STATE_DIR/log4j2.yaml"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"

fetch() {
  if [ -f "$LIBS/.complete" ]; then return; fi
  mkdir -p "$LIBS"
  cat >"$HOME_DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>logperf</groupId><artifactId>kafka-runtime</artifactId><version>1</version><packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>
  </dependencies>
</project>
POM
  echo "kafka: fetching kafka_2.13 and kafka-tools $KAFKA_VERSION with Maven…"
  mvn -q -B -f "$HOME_DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIBS" -DincludeScope=runtime
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$DATA" "$LOGS"
  cat >"$CONFIG" <<PROPS
node.id=1
process.roles=broker,controller
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
log.dirs=$DATA
num.partitions=6
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=6
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
group.consumer.min.session.timeout.ms=3000
group.classic.min.session.timeout.ms=3000
log.retention.hours=24
log.segment.bytes=268435456
PROPS
  cat >"$LOG4J" <<YAML
Configuration:
  Appenders:
    File:
      name: file
      fileName: "$LOGS/server.log"
      PatternLayout: { pattern: "[%d] %p %m (%c)%n" }
  Loggers:
    Root: { level: INFO, AppenderRef: [{ ref: file }] }
YAML
}

java_run() {
  java -Xms256m -Xmx1g -XX:+UseG1GC -Dlog4j2.configurationFile="$LOG4J" -cp "$LIBS/*" "$@"
}

running() {
  [ -f "$PID_FILE" ] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null
}

answers() {
  java_run org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "127.0.0.1:$PORT" >/dev/null 2>&1
}

up() {
  if running && answers; then echo "kafka: running on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"))"; return; fi
  if ! running && (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null; then
    fetch
    if answers; then echo "kafka: already answering on 127.0.0.1:$PORT (not started by this script)"; return; fi
    echo "kafka: 127.0.0.1:$PORT is taken by something that is not a Kafka broker; set KAFKA_PORT" >&2; exit 1
  fi
  fetch
  write_config
  if [ ! -f "$DATA/meta.properties" ]; then
    java_run kafka.tools.StorageTool format --standalone -t "$(cat /proc/sys/kernel/random/uuid)" -c "$CONFIG" >"$LOGS/format.log" 2>&1 \
      || { cat "$LOGS/format.log" >&2; exit 1; }
  fi
  if ! running; then
    nohup java -Xms256m -Xmx1g -XX:+UseG1GC -Dlog4j2.configurationFile="$LOG4J" -Dkafka.logs.dir="$LOGS" \
      -cp "$LIBS/*" kafka.Kafka "$CONFIG" >"$LOGS/stdout.log" 2>&1 &
    echo $! >"$PID_FILE"
  fi
  local started=$SECONDS
  until (exec 3<>/dev/tcp/127.0.0.1/$PORT) 2>/dev/null && answers; do
    if ! running; then echo "kafka: broker exited; see $LOGS/stdout.log and $LOGS/server.log" >&2; tail -20 "$LOGS/stdout.log" >&2; exit 1; fi
    if (( SECONDS - started > 120 )); then echo "kafka: no answer on 127.0.0.1:$PORT within 120 s" >&2; exit 1; fi
    sleep 1
  done
  echo "kafka: running on 127.0.0.1:$PORT (pid $(cat "$PID_FILE"), ready in $(( SECONDS - started )) s)"
}

down() {
  if running; then
    local pid; pid=$(cat "$PID_FILE")
    kill "$pid"
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "kafka: stopped"
  else
    echo "kafka: not running"
  fi
  rm -f "$PID_FILE"
  if [ "${1:-}" = "--purge" ]; then rm -rf "$DATA"; echo "kafka: data removed"; fi
}

case "${1:-}" in
  up) up ;;
  down) shift; down "${1:-}" ;;
  status) if running && answers; then echo "kafka: running on 127.0.0.1:$PORT"; else echo "kafka: not running"; exit 1; fi ;;
  tool) shift; fetch; java_run "$@" ;;
  *) echo "usage: scripts/kafka.sh up | down [--purge] | status | tool <main-class> [args…]" >&2; exit 2 ;;
esac
