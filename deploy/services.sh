#!/usr/bin/env bash
# Migrates and runs the four services (API + worker each) as local processes.
# usage: deploy/services.sh start|stop|status|migrate|logs
set -euo pipefail
source "$(dirname "$0")/env.sh"

RUN="$AR_LOCAL_DIR/run"
LOG="$AR_LOCAL_DIR/log"
mkdir -p "$RUN" "$LOG"
cd "$AR_ROOT"

upper() { echo "$1" | tr '[:lower:]' '[:upper:]'; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

migrate() {
  for s in $AR_SERVICES; do
    uv run --no-sync alembic -c "services/$s/alembic.ini" upgrade head >>"$LOG/$s-migrate.log" 2>&1 \
      || { tail -20 "$LOG/$s-migrate.log" >&2; ar_fail "migrating $s failed (log: $LOG/$s-migrate.log)"; }
  done
  ar_say "schemas migrated: $AR_SERVICES"
}

start_one() {
  local s=$1 port; port=$(ar_service_port "$s")
  local prefix; prefix=$(upper "$s")
  # worker metrics on 91xx next to the API's 80xx (ledger 9101 … notifications 9104)
  export "${prefix}_PORT=$port" "${prefix}_HOST=$AR_HOST" \
    "${prefix}_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$AR_KAFKA_PORT" \
    "${prefix}_WORKER_METRICS_PORT=$((port + 1100))"
  if ! alive "$RUN/$s-api.pid"; then
    nohup uv run --no-sync uvicorn "ar_$s.main:create_app" --factory --host "$AR_HOST" --port "$port" \
      --no-access-log >>"$LOG/$s-api.log" 2>&1 &
    echo $! > "$RUN/$s-api.pid"
  fi
  if ! alive "$RUN/$s-worker.pid"; then
    nohup uv run --no-sync "ar-$s-worker" >>"$LOG/$s-worker.log" 2>&1 &
    echo $! > "$RUN/$s-worker.pid"
  fi
}

wait_ready() {
  local s=$1 port; port=$(ar_service_port "$s")
  for _ in $(seq 1 120); do
    if curl -fsS "http://$AR_HOST:$port/health/ready" >/dev/null 2>&1; then return 0; fi
    alive "$RUN/$s-api.pid" || { tail -30 "$LOG/$s-api.log" >&2; ar_fail "$s API exited (log: $LOG/$s-api.log)"; }
    sleep 0.5
  done
  tail -30 "$LOG/$s-api.log" >&2; ar_fail "$s did not become ready in 60 s (log: $LOG/$s-api.log)"
}

start() {
  migrate
  for s in $AR_SERVICES; do start_one "$s"; done
  for s in $AR_SERVICES; do wait_ready "$s"; done
  echo
  for s in $AR_SERVICES; do
    printf '  %-14s http://%s:%s   (OpenAPI: http://%s:%s/docs)\n' "$s" "$AR_HOST" "$(ar_service_port "$s")" "$AR_HOST" "$(ar_service_port "$s")"
  done
  echo
}

stop() {
  local f pid
  for f in "$RUN"/*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
  done
}

status() {
  local s kind
  for s in $AR_SERVICES; do
    for kind in api worker; do
      if alive "$RUN/$s-$kind.pid"; then state="running (pid $(cat "$RUN/$s-$kind.pid"))"; else state="stopped"; fi
      printf '%-14s %-7s %s\n' "$s" "$kind" "$state"
    done
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  migrate) migrate ;;
  logs) tail -n 50 -F "$LOG"/*.log ;;
  *) echo "usage: $0 start|stop|status|migrate|logs" >&2; exit 2 ;;
esac
