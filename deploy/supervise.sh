#!/usr/bin/env bash
# Keeps one service process running: restarts it whenever it exits, after 1, 2, 4 … seconds (at
# most AR_RESTART_MAX_BACKOFF; back to 1 once it had run AR_RESTART_STABLE_SECONDS), and keeps
# what it did in STATE_FILE (pid, restarts, last exit) for `deploy/services.sh status`.
# SIGTERM stops the process (SIGTERM, then SIGKILL after AR_STOP_GRACE_SECONDS), then the supervisor.
# usage: deploy/supervise.sh STATE_FILE COMMAND [ARGS...]   (started by deploy/services.sh)
set -uo pipefail # no -e: a command that exits is what this script is for

[ $# -ge 2 ] || { echo "usage: $0 STATE_FILE COMMAND [ARGS...]" >&2; exit 2; }
state_file=$1
shift
name=$(basename "$state_file" .state)
max_backoff=${AR_RESTART_MAX_BACKOFF:-30}
stable_after=${AR_RESTART_STABLE_SECONDS:-60}
grace=${AR_STOP_GRACE_SECONDS:-20}

child="" started=0 started_at="" restarts=0 last_exit="" last_exit_at="" next_start_at=""
stopping=0 backoff=1 killer="" sleeper=""

now() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# one JSON line, like the services' own log lines around it
say() { printf '{"time": "%s", "level": "%s", "logger": "supervisor", "process": "%s", "message": "%s"}\n' "$(now)" "$1" "$name" "$2"; }

write_state() {
  local tmp="$state_file.tmp"
  printf '%s\n' "supervisor=$$" "state=$1" "pid=$child" "started_at=$started_at" "restarts=$restarts" \
    "last_exit=$last_exit" "last_exit_at=$last_exit_at" "next_start_at=$next_start_at" >"$tmp"
  mv -f "$tmp" "$state_file"
}

describe_exit() {
  if [ "$1" -gt 128 ]; then
    echo "killed by SIG$(kill -l $(($1 - 128)) 2>/dev/null || echo "$(($1 - 128))")"
  else
    echo "exit $1"
  fi
}

on_stop() {
  stopping=1
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  if [ -n "$child" ] && [ -z "$killer" ]; then
    kill -TERM "$child" 2>/dev/null
    # a process that ignores SIGTERM is killed after the grace period
    (sleep "$grace" && kill -KILL "$child" 2>/dev/null) &
    killer=$!
  fi
}
trap on_stop TERM INT
# the process writes to our stderr (its log); bash's own "Killed" job notices go nowhere
exec 3>&2 2>/dev/null

while [ "$stopping" -eq 0 ]; do
  "$@" </dev/null 2>&3 &
  child=$!
  started=$(date +%s)
  started_at=$(now)
  next_start_at=""
  [ "$stopping" -eq 1 ] && on_stop # SIGTERM arrived before $child was known
  write_state running
  while :; do
    wait "$child"
    rc=$?
    # `wait` also returns when a signal was trapped: go on waiting while the process lives
    kill -0 "$child" 2>/dev/null || break
  done
  last_exit=$(describe_exit "$rc")
  last_exit_at=$(now)
  child=""
  [ -n "$killer" ] && kill "$killer" 2>/dev/null
  [ "$stopping" -eq 1 ] && break
  ran=$(($(date +%s) - started))
  [ "$ran" -ge "$stable_after" ] && backoff=1
  next_start_at=$(date -u -d "+$backoff seconds" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo "in ${backoff}s")
  say warning "exited after ${ran}s (${last_exit}); restarting in ${backoff}s"
  write_state restarting
  sleep "$backoff" &
  sleeper=$!
  wait "$sleeper" 2>/dev/null
  sleeper=""
  backoff=$((backoff * 2 > max_backoff ? max_backoff : backoff * 2))
  [ "$stopping" -eq 1 ] && break
  restarts=$((restarts + 1))
done
next_start_at=""
write_state stopped
say info "stopped (${last_exit:-never started})"
