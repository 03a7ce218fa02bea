#!/usr/bin/env bash
# Runs a real Apache Kafka broker (single-node KRaft) from Maven Central jars, data under .local/kafka.
# usage: deploy/kafka.sh start|stop|status
set -euo pipefail
source "$(dirname "$0")/env.sh"

KDIR="$AR_LOCAL_DIR/kafka"
KLIB="$AR_LOCAL_DIR/kafka-lib"
KLOG="$AR_LOCAL_DIR/log/kafka.log"
KPID="$KDIR/broker.pid"
HERE="$(cd "$(dirname "$0")" && pwd)"

java_major() { java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print (v[1] == "1" ? v[2] : v[1])}'; }

ensure_installed() {
  local missing=()
  if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ]; then missing+=(openjdk-17-jre-headless); fi
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  ar_need_packages "${missing[@]}"
  command -v java >/dev/null 2>&1 || ar_fail "a Java 17+ runtime is required for Kafka"
  if [ ! -f "$KLIB/.version-$AR_KAFKA_VERSION" ]; then
    ar_say "fetching Apache Kafka $AR_KAFKA_VERSION jars from Maven Central"
    rm -rf "$KLIB"; mkdir -p "$KLIB"
    mvn -B -q -f "$HERE/kafka/pom.xml" dependency:copy-dependencies \
      -Dkafka.version="$AR_KAFKA_VERSION" -Dkafka.lib.dir="$KLIB" \
      || ar_fail "maven could not fetch the Kafka jars (is Maven Central reachable?)"
    touch "$KLIB/.version-$AR_KAFKA_VERSION"
  fi
}

is_running() { [ -f "$KPID" ] && kill -0 "$(cat "$KPID")" 2>/dev/null; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$AR_KAFKA_PORT") 2>/dev/null; }

start() {
  ensure_installed
  mkdir -p "$KDIR" "$(dirname "$KLOG")"
  if is_running; then ar_say "Kafka already running on 127.0.0.1:$AR_KAFKA_PORT"; return 0; fi
  ar_reserve_ports "$AR_KAFKA_PORT" "$AR_KAFKA_CONTROLLER_PORT"
  local jopts="-Xms256m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true"
  jopts+=" -Dkafka.logs.dir=$KDIR/logs -Dlog4j2.configurationFile=$HERE/kafka/log4j2.properties"
  sed "s#@DATA@#$KDIR/data#; s#@PORT@#$AR_KAFKA_PORT#; s#@CPORT@#$AR_KAFKA_CONTROLLER_PORT#" \
    "$HERE/kafka/server.properties.tmpl" > "$KDIR/server.properties"
  if [ ! -f "$KDIR/cluster.id" ]; then
    java -cp "$KLIB/*" kafka.tools.StorageTool random-uuid > "$KDIR/cluster.id"
  fi
  # -g: a data directory formatted earlier with the same cluster id is kept as it is
  java $jopts -cp "$KLIB/*" kafka.tools.StorageTool format -g -t "$(cat "$KDIR/cluster.id")" \
    -c "$KDIR/server.properties" >/dev/null
  ar_say "starting Kafka on 127.0.0.1:$AR_KAFKA_PORT"
  : > "$KLOG"
  # its own session: the broker outlives the shell, job or test run that (re)started it
  setsid nohup java $jopts -cp "$KLIB/*" kafka.Kafka "$KDIR/server.properties" </dev/null >>"$KLOG" 2>&1 &
  echo $! > "$KPID"
  for _ in $(seq 1 120); do
    if grep -q "Kafka Server started" "$KLOG" 2>/dev/null && port_open; then return 0; fi
    is_running || { tail -30 "$KLOG" >&2; ar_fail "Kafka exited during start-up (log: $KLOG)"; }
    sleep 0.5
  done
  tail -30 "$KLOG" >&2; ar_fail "Kafka did not become ready within 60 s (log: $KLOG)"
}

stop() {
  if is_running; then
    ar_say "stopping Kafka"
    local pid; pid=$(cat "$KPID")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$KPID"
}

status() {
  if is_running; then echo "kafka: running on 127.0.0.1:$AR_KAFKA_PORT (pid $(cat "$KPID"))"; else echo "kafka: stopped"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
