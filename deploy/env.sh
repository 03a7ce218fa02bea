# Defaults shared by the deploy scripts; every value can be overridden from the environment.
# Sourced, never executed.
AR_ROOT="${AR_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
AR_LOCAL_DIR="${AR_LOCAL_DIR:-$AR_ROOT/.local}"
AR_PG_PORT="${AR_PG_PORT:-55432}"
AR_PG_HOST="${AR_PG_HOST:-127.0.0.1}"
AR_PG_DATABASE="${AR_PG_DATABASE:-ar}"
AR_PG_TEST_DATABASE="${AR_PG_TEST_DATABASE:-ar_test}"
AR_KAFKA_PORT="${AR_KAFKA_PORT:-59092}"
AR_KAFKA_CONTROLLER_PORT="${AR_KAFKA_CONTROLLER_PORT:-59093}"
AR_KAFKA_VERSION="${AR_KAFKA_VERSION:-4.1.1}"
AR_HOST="${AR_HOST:-127.0.0.1}"
AR_LEDGER_PORT="${AR_LEDGER_PORT:-8001}"
AR_CREDIT_PORT="${AR_CREDIT_PORT:-8002}"
AR_COLLECTIONS_PORT="${AR_COLLECTIONS_PORT:-8003}"
AR_NOTIFICATIONS_PORT="${AR_NOTIFICATIONS_PORT:-8004}"
AR_SERVICES="ledger credit collections notifications"
export UV_PYTHON_DOWNLOADS="${UV_PYTHON_DOWNLOADS:-never}"
# the workspace's Python environment (deploy/bootstrap.sh creates it with `uv sync`)
AR_VENV="${UV_PROJECT_ENVIRONMENT:-$AR_ROOT/.venv}"

# Where uv installs itself (pip --user and uv's installer: ~/.local/bin; cargo: ~/.cargo/bin):
# searched after the caller's PATH, so the scripts find uv from cron, ssh or a shell whose PATH
# lacks these directories, not only when run through the Makefile.
for _dir in "${XDG_BIN_HOME:-}" "${HOME:+$HOME/.local/bin}" "${HOME:+$HOME/.cargo/bin}"; do
  [ -n "$_dir" ] && [ -d "$_dir" ] || continue
  case ":$PATH:" in *":$_dir:"*) ;; *) PATH="$PATH:$_dir" ;; esac
done
unset _dir
export PATH

ar_say() { printf '\033[1m==>\033[0m %s\n' "$*"; }
ar_fail() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs Debian packages when we are root and they are missing; otherwise names what is missing.
ar_need_packages() {
  local missing=("$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    ar_say "installing ${missing[*]}"
    if [ ! -f "$AR_LOCAL_DIR/.apt-updated" ]; then
      apt-get update -qq >/dev/null && mkdir -p "$AR_LOCAL_DIR" && touch "$AR_LOCAL_DIR/.apt-updated"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || ar_fail "apt-get could not install: ${missing[*]}"
  else
    ar_fail "missing OS packages: ${missing[*]} (install them, e.g. 'sudo apt-get install ${missing[*]}')"
  fi
}

# Our ports (55432, 59092, 59093, the service ports) lie inside Linux's ephemeral port range, so
# an outgoing connection may be handed one of them as its own local port; a client reconnecting
# to a stopped broker can even connect to itself. Either way the server then fails to bind.
# Where we may (root), take the ports out of the ephemeral range; elsewhere it stays a rare race.
ar_reserve_ports() {
  local file=/proc/sys/net/ipv4/ip_local_reserved_ports current wanted=() port
  [ -w "$file" ] || return 0
  current=$(cat "$file")
  for port in "$@"; do
    case ",$current," in *",$port,"*) ;; *) wanted+=("$port") ;; esac
  done
  [ ${#wanted[@]} -eq 0 ] && return 0
  local joined; joined=$(IFS=,; echo "${wanted[*]}")
  echo "${current:+$current,}$joined" > "$file" 2>/dev/null || true
}

ar_need_uv() {
  command -v uv >/dev/null 2>&1 \
    || ar_fail "uv not found (on PATH, in ~/.local/bin or ~/.cargo/bin): run 'deploy/bootstrap.sh' (or 'make bootstrap') to install it"
}

# The services run from the workspace's environment directly (no uv at run time): each named
# executable must be there.
ar_need_python_env() {
  local tool
  for tool in "$@"; do
    [ -x "$AR_VENV/bin/$tool" ] \
      || ar_fail "the Python environment $AR_VENV has no '$tool': run 'deploy/bootstrap.sh' (or 'make bootstrap') to install the workspace"
  done
}

# Whether something accepts TCP connections on HOST PORT (bash's /dev/tcp: no extra tool).
ar_port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

ar_service_port() {
  case "$1" in
    ledger) echo "$AR_LEDGER_PORT" ;;
    credit) echo "$AR_CREDIT_PORT" ;;
    collections) echo "$AR_COLLECTIONS_PORT" ;;
    notifications) echo "$AR_NOTIFICATIONS_PORT" ;;
    *) ar_fail "unknown service $1" ;;
  esac
}
