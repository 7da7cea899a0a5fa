#!/usr/bin/env bash
# Install the course and open it in JupyterLab:  bash scripts/course.sh  [extra jupyter lab arguments, e.g. --port=8890]
# Creates .venv with the pinned versions (constraints.txt) and starts JupyterLab on the student notebooks.
# Run it again: it reuses .venv and installs nothing unless pyproject.toml or constraints.txt changed.
# As root (a container, a cloud VM) it says so and passes --allow-root; without a display or a browser it opens none
# and the address to open, with its token, is the last thing it prints.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! command -v "$python" >/dev/null 2>&1; then
    echo "ERROR: $python not found; install Python 3.11 or newer (e.g. apt-get install python3 python3-venv) and rerun." >&2
    exit 1
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "ERROR: this course needs Python 3.11 or newer, but $python is $("$python" -c 'import platform; print(platform.python_version())'); install Python 3.11+ and rerun (or set PYTHON=/path/to/python3.11)." >&2
    exit 1
fi

# Reinstall only when what is installed would change: the stamp records the files that decide it.
stamp=".venv/.course-installed"
wanted="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)"
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    echo "Reusing .venv (already installed; nothing to do)."
else
    echo "Installing the course into .venv (the first time takes a few minutes)..."
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -c constraints.txt -e ".[lab]"
    echo "$wanted" >"$stamp"
fi

args=()
if [ "$(id -u)" -eq 0 ]; then
    echo "Running as root: passing --allow-root to JupyterLab (on a shared machine, prefer an ordinary user)."
    args+=(--allow-root)
fi
headless=1
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] || [ "$(uname)" = "Darwin" ] || [ -n "${BROWSER:-}" ]; then
    headless=0
fi
if [ "$headless" -eq 1 ]; then
    echo "No display or browser here: open the address printed below in a browser on your own machine"
    echo "(from another machine, forward the port first: ssh -L 8888:localhost:8888 you@this-machine)."
    args+=(--no-browser)
fi
# Warnings and errors only, so that the address with its token stays the last thing on the screen.
exec .venv/bin/jupyter lab course/notebooks --ServerApp.log_level=WARN "${args[@]}" "$@"
