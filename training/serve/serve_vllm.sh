#!/usr/bin/env bash
# Serves the risk LLM: a Qwen2.5-Instruct base with the credlift LoRA adapter, OpenAI-compatible, via vLLM.
# Run it from vLLM's OWN virtual environment (never credlift's: vLLM pins its own torch). See README.md.
#
#   BASE_MODEL=/models/Qwen2.5-7B-Instruct ADAPTER=runs/risk-7b/adapter training/serve/serve_vllm.sh
#
# Then point credlift at it:
#   CREDLIFT_LLM_BASE_URL=http://HOST:8000/v1  CREDLIFT_LLM_MODEL=credlift-risk
set -euo pipefail

BASE_MODEL="${BASE_MODEL:?set BASE_MODEL to a local Qwen2.5-Instruct directory}"
ADAPTER="${ADAPTER:?set ADAPTER to the adapter directory written by credlift training finetune}"
LORA_NAME="${LORA_NAME:-credlift-risk}"          # the model name clients send (CREDLIFT_LLM_MODEL)
HOST="${HOST:-127.0.0.1}"                        # 0.0.0.0 only behind a firewall or with --api-key
PORT="${PORT:-8000}"
MAX_MODEL_LEN="${MAX_MODEL_LEN:-4096}"           # prompts are ~1.5k tokens, answers <= 700
GPU_MEMORY_UTILIZATION="${GPU_MEMORY_UTILIZATION:-0.85}"
STRUCTURED_BACKEND="${STRUCTURED_BACKEND:-auto}"   # auto: xgrammar, or guidance for keywords xgrammar lacks

if [[ ! -f "$ADAPTER/adapter_config.json" ]]; then
  echo "error: $ADAPTER has no adapter_config.json (is it OUT/adapter from credlift training finetune?)" >&2
  exit 2
fi
# --max-lora-rank must be at least the adapter's rank; read it from the adapter itself.
LORA_RANK="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["r"])' "$ADAPTER/adapter_config.json")"
MAX_LORA_RANK=8
for r in 8 16 32 64 128 256 320 512; do if (( r >= LORA_RANK )); then MAX_LORA_RANK=$r; break; fi; done

EXTRA_ARGS=()
if [[ -n "${VLLM_API_KEY:-}" ]]; then EXTRA_ARGS+=(--api-key "$VLLM_API_KEY"); fi  # clients: CREDLIFT_LLM_API_KEY

# vLLM >= 0.12 takes --structured-outputs-config; older releases called it --guided-decoding-backend.
if vllm serve --help=all 2>/dev/null | grep -q -- "--structured-outputs-config"; then
  STRUCTURED_ARGS=(--structured-outputs-config "{\"backend\": \"$STRUCTURED_BACKEND\"}")
else
  STRUCTURED_ARGS=(--guided-decoding-backend "$STRUCTURED_BACKEND")
fi

exec vllm serve "$BASE_MODEL" \
  --host "$HOST" --port "$PORT" \
  --dtype bfloat16 \
  --max-model-len "$MAX_MODEL_LEN" \
  --gpu-memory-utilization "$GPU_MEMORY_UTILIZATION" \
  --enable-lora \
  --lora-modules "$LORA_NAME=$ADAPTER" \
  --max-lora-rank "$MAX_LORA_RANK" \
  --max-loras 1 \
  "${STRUCTURED_ARGS[@]}" \
  --generation-config vllm \
  "${EXTRA_ARGS[@]}"
