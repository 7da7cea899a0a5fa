#!/usr/bin/env bash
# Install the course and open it in JupyterLab:  bash scripts/course.sh
# Creates .venv with the pinned versions (constraints.txt) and starts JupyterLab on the student notebooks.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[lab]"

exec .venv/bin/jupyter lab course/notebooks "$@"
