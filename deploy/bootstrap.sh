#!/usr/bin/env bash
# Installs uv (from PyPI) when missing and syncs the workspace's Python dependencies.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$AR_ROOT"
if ! command -v uv >/dev/null 2>&1; then
  command -v python3 >/dev/null 2>&1 || ar_need_packages python3 python3-pip
  ar_say "installing uv"
  python3 -m pip install --quiet --user uv 2>/dev/null \
    || python3 -m pip install --quiet --user --break-system-packages uv \
    || ar_fail "could not install uv with pip (is PyPI reachable?)"
  export PATH="$HOME/.local/bin:$PATH"
fi
command -v curl >/dev/null 2>&1 || ar_need_packages curl
uv sync --all-packages --frozen --quiet 2>/dev/null || uv sync --all-packages --quiet
