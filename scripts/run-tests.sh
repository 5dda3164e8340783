#!/usr/bin/env bash
# Sets up (if needed) and runs the whole test suite, browser and Postgres tests included.
# Tests run in CREDLIFT_TEST_WORKERS processes (default 2, one per core of the target machine; 0 = in this
# process); each test module stays in one worker (--dist loadscope), so its module fixtures are built once.
# Arguments go to pytest; given -n (or -p no:xdist), they choose the workers instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export GRADIO_ANALYTICS_ENABLED=False
workers=(-n "${CREDLIFT_TEST_WORKERS:-2}" --dist loadscope)
for arg in "$@"; do
  case $arg in -n | -n[0-9]* | --numprocesses* | no:xdist) workers=() ;; esac
done
exec .venv/bin/python -m pytest "${workers[@]}" "$@"
