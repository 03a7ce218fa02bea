#!/usr/bin/env bash
# Runs a local PostgreSQL server from the OS packages with its data under .local/pgdata.
# usage: deploy/postgres.sh start|stop|status|psql [args]
set -euo pipefail
source "$(dirname "$0")/env.sh"

PGDATA="$AR_LOCAL_DIR/pgdata"
PGRUN="$AR_LOCAL_DIR/pgrun"
PGLOG="$AR_LOCAL_DIR/log/postgres.log"

pg_bin_dir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)" && return 0
  return 1
}

ensure_installed() {
  if ! pg_bin_dir >/dev/null; then
    ar_need_packages postgresql postgresql-contrib
  fi
  pg_bin_dir >/dev/null || ar_fail "PostgreSQL server binaries (initdb, pg_ctl) not found after install"
}

# PostgreSQL refuses to run as root: as root we run it as the 'postgres' OS user.
as_pg_user() {
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

is_running() {
  local bin; bin=$(pg_bin_dir) || return 1
  [ -f "$PGDATA/PG_VERSION" ] && as_pg_user "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1
}

start() {
  ensure_installed
  ar_reserve_ports "$AR_PG_PORT"
  local bin; bin=$(pg_bin_dir)
  mkdir -p "$PGRUN" "$(dirname "$PGLOG")"
  if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$PGRUN" "$(dirname "$PGLOG")"
    [ -d "$PGDATA" ] && chown -R postgres "$PGDATA"
    # the postgres user must be able to reach its data dir through the checkout: grant
    # traverse (x, not read) on each parent that lacks it
    local d="$AR_LOCAL_DIR"
    while [ "$d" != "/" ]; do
      runuser -u postgres -- test -x "$d" 2>/dev/null || chmod o+x "$d"
      d=$(dirname "$d")
    done
  fi
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    ar_say "initialising PostgreSQL data directory $PGDATA"
    mkdir -p "$PGDATA"; [ "$(id -u)" -eq 0 ] && chown postgres "$PGDATA"
    as_pg_user "$bin/initdb" -D "$PGDATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if is_running; then
    ar_say "PostgreSQL already running on $AR_PG_HOST:$AR_PG_PORT"
    return 0
  fi
  ar_say "starting PostgreSQL on $AR_PG_HOST:$AR_PG_PORT"
  # track_commit_timestamp: the platform benchmark reads commit → effect latencies from the commit
  # timestamps of the ledger's and the consumers' transactions (a few bytes per transaction)
  as_pg_user "$bin/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 start -o \
    "-p $AR_PG_PORT -c listen_addresses=$AR_PG_HOST -k $PGRUN -c max_connections=300 -c fsync=${AR_PG_FSYNC:-on} -c shared_buffers=256MB -c track_commit_timestamp=on" >/dev/null \
    || { tail -20 "$PGLOG" >&2; ar_fail "PostgreSQL did not start (log: $PGLOG)"; }
}

stop() {
  local bin; bin=$(pg_bin_dir) || return 0
  if is_running; then
    ar_say "stopping PostgreSQL"
    as_pg_user "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
  fi
}

status() {
  if is_running; then echo "postgres: running on $AR_PG_HOST:$AR_PG_PORT (data $PGDATA)"; else echo "postgres: stopped"; fi
}

run_psql() {
  PGOPTIONS="-c client_min_messages=warning" exec psql -h "$PGRUN" -p "$AR_PG_PORT" -U postgres -v ON_ERROR_STOP=1 "$@"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  psql) shift; run_psql "$@" ;;
  *) echo "usage: $0 start|stop|status|psql" >&2; exit 2 ;;
esac
