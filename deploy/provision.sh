#!/usr/bin/env bash
# Creates DATABASE (if missing) with one schema per service, each owned by its own role, and one
# least-privilege runtime role per service (SQL from ar_shared.provisioning). Idempotent.
# usage: deploy/provision.sh DATABASE
set -euo pipefail
source "$(dirname "$0")/env.sh"
db="${1:?usage: provision.sh DATABASE}"
ar_need_uv
psql_admin() { "$AR_ROOT/deploy/postgres.sh" psql -q -v client_min_messages=warning "$@"; }

exists=$(psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")
[ "$exists" = "1" ] || psql_admin -d postgres -c "CREATE DATABASE \"$db\"" >/dev/null
(cd "$AR_ROOT" && uv run --no-sync python -m ar_shared.provisioning "$db") | psql_admin -d "$db" >/dev/null
