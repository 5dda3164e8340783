#!/usr/bin/env bash
# Sets up (if needed) and starts the credlift web app on the embedded, offline default.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GRADIO_ANALYTICS_ENABLED=False
exec .venv/bin/credlift ui "$@"
