#!/usr/bin/env bash
# Set up this machine for the tests and run them all:  bash scripts/test.sh  [extra pytest arguments]
# Creates .venv with the pinned grading environment (constraints.txt), then runs pytest on both cores.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c constraints.txt -e ".[test,instructor]"

.venv/bin/ruff check .
exec .venv/bin/python -m pytest -n 2 "$@"
