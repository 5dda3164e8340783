#!/usr/bin/env bash
# Serves Qwen2.5-VL for credential field extraction (JSON-schema structured output), OpenAI-compatible, via vLLM.
# Same rule: vLLM's own virtual environment.
#
#   VLM_MODEL=/models/Qwen2.5-VL-7B-Instruct training/serve/serve_vlm.sh
#   CREDLIFT_VLM_BASE_URL=http://HOST:8001/v1  CREDLIFT_VLM_MODEL=Qwen2.5-VL-7B-Instruct
set -euo pipefail

VLM_MODEL="${VLM_MODEL:?set VLM_MODEL to a local Qwen2.5-VL-Instruct directory}"
SERVED_NAME="${SERVED_NAME:-$(basename "$VLM_MODEL")}"
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8001}"
STRUCTURED_BACKEND="${STRUCTURED_BACKEND:-auto}"   # auto: xgrammar, or guidance for keywords xgrammar lacks

if vllm serve --help=all 2>/dev/null | grep -q -- "--structured-outputs-config"; then
  STRUCTURED_ARGS=(--structured-outputs-config "{\"backend\": \"$STRUCTURED_BACKEND\"}")
else
  STRUCTURED_ARGS=(--guided-decoding-backend "$STRUCTURED_BACKEND")
fi

# One image per request (one certificate per call); 3000 px long side at most, as credlift's intake downsizes.
exec vllm serve "$VLM_MODEL" \
  --served-model-name "$SERVED_NAME" \
  --host "$HOST" --port "$PORT" \
  --dtype bfloat16 \
  --max-model-len "${MAX_MODEL_LEN:-8192}" \
  --limit-mm-per-prompt '{"image": 1}' \
  --mm-processor-kwargs '{"max_pixels": 1605632}' \
  --gpu-memory-utilization "${GPU_MEMORY_UTILIZATION:-0.85}" \
  "${STRUCTURED_ARGS[@]}"
