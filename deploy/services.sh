#!/usr/bin/env bash
# Migrates and runs the four services (API + worker each) as local processes, each kept running
# by deploy/supervise.sh (restarted with backoff when it exits).
# usage: deploy/services.sh start|restart|stop|status|migrate|logs [SERVICE...]
#   start     migrate, then start what is not running, and wait until the APIs are ready
#   restart   stop and start again, without migrating (after a code or settings change)
#   stop      stop (supervisors first, so nothing is restarted)
#   migrate   alembic upgrade head, as each schema's owner
# SERVICE is ledger, credit, collections or notifications; none means all four.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/env.sh"

RUN="$AR_LOCAL_DIR/run"
LOG="$AR_LOCAL_DIR/log"
mkdir -p "$RUN" "$LOG"
cd "$AR_ROOT"
# how long a process gets to stop after SIGTERM before the supervisor kills it
export AR_STOP_GRACE_SECONDS="${AR_STOP_GRACE_SECONDS:-20}"

upper() { echo "$1" | tr '[:lower:]' '[:upper:]'; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
# one value of a supervisor's state file (see supervise.sh)
state_of() { [ -f "$1" ] && sed -n "s/^$2=//p" "$1" || true; }
# the supervised process has exited at least once (or is waiting to be started again)
has_exited() { local r; r=$(state_of "$1" restarts); [ -n "$r" ] && { [ "$r" != 0 ] || [ "$(state_of "$1" state)" = restarting ]; }; }

# The settings deploy/env.sh decides (database, broker, ports), unless already set by the caller.
service_env() {
  local s=$1 prefix port
  prefix=$(upper "$s")
  port=$(ar_service_port "$s")
  local db="$AR_PG_HOST:$AR_PG_PORT/$AR_PG_DATABASE"
  export "${prefix}_HOST=$AR_HOST" "${prefix}_PORT=$port"
  local var
  var="${prefix}_DATABASE_URL"
  export "$var=${!var:-postgresql+asyncpg://ar_${s}_app:ar_${s}_app@$db}"
  var="${prefix}_MIGRATION_DATABASE_URL"
  export "$var=${!var:-postgresql+asyncpg://ar_${s}_owner:ar_${s}_owner@$db}"
  var="${prefix}_KAFKA_BOOTSTRAP_SERVERS"
  export "$var=${!var:-127.0.0.1:$AR_KAFKA_PORT}"
  # worker metrics on 91xx next to the API's 80xx (ledger 9101 … notifications 9104)
  var="${prefix}_WORKER_METRICS_PORT"
  export "$var=${!var:-$((port + 1100))}"
}

need_postgres() {
  ar_port_open "$AR_PG_HOST" "$AR_PG_PORT" \
    || ar_fail "PostgreSQL does not answer on $AR_PG_HOST:$AR_PG_PORT: start it with 'deploy/postgres.sh start' (or 'make up')"
}

migrate() {
  ar_need_python_env alembic
  need_postgres
  local s
  for s in "$@"; do
    service_env "$s"
    "$AR_VENV/bin/alembic" -c "services/$s/alembic.ini" upgrade head >>"$LOG/$s-migrate.log" 2>&1 || {
      tail -20 "$LOG/$s-migrate.log" >&2
      ar_fail "migrating $s failed: alembic's last lines are above (log: $LOG/$s-migrate.log)"
    }
  done
  ar_say "schemas migrated: $*"
}

# Starts one supervised process unless it runs; a process whose supervisor died is stopped first.
launch() {
  local name=$1
  shift
  local pidfile="$RUN/$name.pid" state="$RUN/$name.state"
  alive "$pidfile" && return 0
  local orphan
  orphan=$(state_of "$state" pid)
  if [ -n "$orphan" ] && kill -0 "$orphan" 2>/dev/null; then
    ar_say "$name: its supervisor is gone; stopping the process it left (pid $orphan)"
    kill -TERM "$orphan" 2>/dev/null || true
    for _ in $(seq 1 $((AR_STOP_GRACE_SECONDS * 4))); do kill -0 "$orphan" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$orphan" 2>/dev/null || true
  fi
  rm -f "$state"
  setsid nohup "$HERE/supervise.sh" "$state" "$@" </dev/null >>"$LOG/$name.log" 2>&1 &  # outlives the caller's session
  echo $! >"$pidfile"
}

start_services() {
  local s port
  for s in "$@"; do ar_need_python_env uvicorn "ar-$s-worker"; done
  need_postgres
  ar_port_open 127.0.0.1 "$AR_KAFKA_PORT" \
    || ar_say "Kafka does not answer on 127.0.0.1:$AR_KAFKA_PORT: the APIs serve (readiness says degraded), the workers wait for it"
  for s in "$@"; do
    service_env "$s"
    port=$(ar_service_port "$s")
    launch "$s-api" "$AR_VENV/bin/uvicorn" "ar_$s.main:create_app" --factory \
      --host "$AR_HOST" --port "$port" --no-access-log
    launch "$s-worker" "$AR_VENV/bin/ar-$s-worker"
  done
  for s in "$@"; do wait_ready "$s"; done
  echo
  for s in "$@"; do
    port=$(ar_service_port "$s")
    printf '  %-14s http://%s:%s   (OpenAPI: http://%s:%s/docs)\n' "$s" "$AR_HOST" "$port" "$AR_HOST" "$port"
  done
  echo
}

wait_ready() {
  local s=$1 port state="$RUN/$1-api.state"
  port=$(ar_service_port "$s")
  for _ in $(seq 1 120); do
    if curl -fsS "http://$AR_HOST:$port/health/ready" >/dev/null 2>&1; then
      worker_check "$s"
      return 0
    fi
    alive "$RUN/$s-api.pid" || ar_fail "the supervisor of the $s API is gone (log: $LOG/$s-api.log)"
    if has_exited "$state"; then
      tail -30 "$LOG/$s-api.log" >&2
      ar_fail "$s API exited while starting ($(state_of "$state" last_exit)); its supervisor keeps restarting it, 'deploy/services.sh stop $s' stops it (log: $LOG/$s-api.log)"
    fi
    sleep 0.5
  done
  tail -30 "$LOG/$s-api.log" >&2
  ar_fail "$s did not become ready in 60 s (log: $LOG/$s-api.log)"
}

worker_check() {
  local state="$RUN/$1-worker.state"
  if has_exited "$state"; then
    tail -15 "$LOG/$1-worker.log" >&2
    ar_say "warning: the $1 worker exited while starting ($(state_of "$state" last_exit)) and is being restarted (log: $LOG/$1-worker.log)"
  fi
}

stop_services() {
  local s kind pid pids=()
  for s in "$@"; do
    for kind in api worker; do
      if alive "$RUN/$s-$kind.pid"; then
        pid=$(cat "$RUN/$s-$kind.pid")
        kill -TERM "$pid" 2>/dev/null || true
        pids+=("$pid")
      fi
    done
  done
  # the supervisors stop their processes (SIGKILL after the grace period) and then exit
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 $(((AR_STOP_GRACE_SECONDS + 5) * 4))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  for s in "$@"; do
    for kind in api worker; do
      pid=$(state_of "$RUN/$s-$kind.state" pid)
      [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
      rm -f "$RUN/$s-$kind.pid"
    done
  done
}

status() {
  local s kind file state pid line
  printf '%-14s %-7s %-11s %-8s %-9s %s\n' service process state pid restarts "last exit"
  for s in "$@"; do
    for kind in api worker; do
      file="$RUN/$s-$kind.state"
      if alive "$RUN/$s-$kind.pid"; then
        state=$(state_of "$file" state)
        pid=$(state_of "$file" pid)
        line=$(state_of "$file" last_exit)
        [ -n "$line" ] && line="$line at $(state_of "$file" last_exit_at)"
        [ "$state" = "restarting" ] && line="$line; next start $(state_of "$file" next_start_at)"
        printf '%-14s %-7s %-11s %-8s %-9s %s\n' "$s" "$kind" "${state:-starting}" "${pid:--}" \
          "$(state_of "$file" restarts)" "${line:--}"
      else
        line=$(state_of "$file" last_exit)
        [ -n "$line" ] && line="$line at $(state_of "$file" last_exit_at)"
        printf '%-14s %-7s %-11s %-8s %-9s %s\n' "$s" "$kind" stopped - - "${line:--}"
      fi
    done
  done
}

command=${1:-}
[ $# -gt 0 ] && shift
services=("$@")
[ ${#services[@]} -eq 0 ] && read -r -a services <<<"$AR_SERVICES"
for s in "${services[@]}"; do
  case " $AR_SERVICES " in *" $s "*) ;; *) ar_fail "unknown service '$s' (one of: $AR_SERVICES)" ;; esac
done

case "$command" in
  start) migrate "${services[@]}" && start_services "${services[@]}" ;;
  restart) stop_services "${services[@]}" && start_services "${services[@]}" ;;
  stop) stop_services "${services[@]}" ;;
  status) status "${services[@]}" ;;
  migrate) migrate "${services[@]}" ;;
  logs)
    files=()
    for s in "${services[@]}"; do files+=("$LOG/$s-api.log" "$LOG/$s-worker.log"); done
    tail -n 50 -F "${files[@]}"
    ;;
  *) echo "usage: $0 start|restart|stop|status|migrate|logs [SERVICE...]" >&2; exit 2 ;;
esac
