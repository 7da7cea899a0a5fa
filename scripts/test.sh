#!/usr/bin/env bash
# Set up this machine for the tests and run them all:  bash scripts/test.sh  [extra pytest arguments]
# Creates .venv with the pinned grading environment (constraints.txt), then runs pytest on both cores.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages the tests drive: Debian's Chromium for the real-browser test of the widgets, bubblewrap for the
# sandboxed grading kernels, PostgreSQL for the parallel-autograde gradebook, npm for JupyterHub's proxy.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v bwrap >/dev/null 2>&1 || missing="$missing bubblewrap"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v npm >/dev/null 2>&1 || missing="$missing npm"  # configurable-http-proxy, JupyterHub's proxy (test_hub.py)
if [ -n "$missing" ]; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else sudo="none"; fi
    if [ "$sudo" = "none" ]; then
        echo "ERROR: missing system packages:$missing; install them (apt-get install$missing) and rerun." >&2
        exit 1
    else
        $sudo apt-get update -qq
        # shellcheck disable=SC2086
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
    fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test,instructor,hub]"
# JupyterHub's proxy, from the npm registry, into the venv (tests/test_hub.py finds it there)
chp_version=5.3.0
chp=.venv/node/node_modules/configurable-http-proxy/package.json
if ! grep -q "\"version\": \"$chp_version\"" "$chp" 2>/dev/null; then
    npm install --prefix .venv/node --no-audit --no-fund --loglevel=error "configurable-http-proxy@$chp_version" >/dev/null
fi

.venv/bin/ruff check .
# worksteal: the slow autograde tests would otherwise queue up on one worker at the end of the run
exec .venv/bin/python -m pytest -n 2 --dist worksteal "$@"
