#!/usr/bin/env bash
# Sets up (if needed) and runs the whole test suite, browser and Postgres tests included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GRADIO_ANALYTICS_ENABLED=False
exec .venv/bin/python -m pytest "$@"
