#!/usr/bin/env bash
# GPU smoke test of the LoRA fine-tuning code: tiny (and a small) Qwen2 built from a config, bf16 on CUDA,
# step times printed. No weights are downloaded. Needs a Python with CUDA torch, transformers, peft, pydantic,
# tokenizers (credlift's own install is not required: the training modules are loaded through a shim).
#
#   training/gpu_smoke.sh                 # PYTHON=..., SFT_DATA=..., STEPS=..., SIZES="tiny small"
#   ALLOW_CPU=1 SIZES=tiny STEPS=4 training/gpu_smoke.sh    # dry run of the script itself on a CPU host
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-$( [[ -x "$REPO/.venv/bin/python" ]] && echo "$REPO/.venv/bin/python" || echo python3 )}"
SFT_DATA="${SFT_DATA:-$REPO/training/samples/sft_sample.jsonl}"
STEPS="${STEPS:-30}"
SIZES="${SIZES:-tiny small}"
WORK="${WORK:-$(mktemp -d)}"

if ! "$PYTHON" -c "import credlift.training.finetune" 2>/dev/null; then
  # credlift not installed here: expose training/ as credlift.training (its modules need no other credlift code).
  mkdir -p "$WORK/shim/credlift"
  : > "$WORK/shim/credlift/__init__.py"
  ln -sfn "$REPO/training" "$WORK/shim/credlift/training"
  export PYTHONPATH="$WORK/shim${PYTHONPATH:+:$PYTHONPATH}"
fi

"$PYTHON" - "$SFT_DATA" "$WORK" "$STEPS" $SIZES <<'PY'
import json, statistics, sys, time
from pathlib import Path

import torch

from credlift.training.finetune import FineTuneConfig, LoraFineTuner, check_adapter, read_chat_examples
from credlift.training.tiny_model import build_tiny_qwen2

data, work, steps, sizes = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
import os
cuda = torch.cuda.is_available()
if not cuda and os.environ.get("ALLOW_CPU") != "1":
    sys.exit("error: no CUDA device visible to torch " + torch.__version__)
if cuda:
    print(f"device {torch.cuda.get_device_name(0)}, torch {torch.__version__}, CUDA {torch.version.cuda}, "
          f"bf16 supported {torch.cuda.is_bf16_supported()}")
conversations = read_chat_examples(data)
texts = [m["content"] for c in conversations for m in c]
# "small" has Qwen2.5-0.5B's layer shapes (with a 4k vocabulary) and Qwen's own initialisation scale.
shapes = {"tiny": dict(hidden_size=64, num_layers=2, num_heads=4, num_kv_heads=2, intermediate_size=128),
          "small": dict(hidden_size=896, num_layers=24, num_heads=14, num_kv_heads=2, intermediate_size=4864,
                        initializer_range=0.02)}
learning_rates = {"tiny": 1e-2, "small": 2e-4}
for size in sizes:
    started = time.perf_counter()
    base = build_tiny_qwen2(work / f"base-{size}", texts, vocab_size=4096, **shapes[size])
    config = FineTuneConfig(base_model=base, train_file=data, validation_file=data, output_dir=work / f"run-{size}",
                            lora_rank=16, lora_alpha=32, lora_dropout=0.0, max_seq_length=2048, learning_rate=learning_rates[size],
                            batch_size=8, gradient_accumulation_steps=1, max_steps=steps, bf16=None, log_every=10)
    tuner = LoraFineTuner(config)
    result = tuner.fit()
    steady = result.step_times_s[1:]
    check = check_adapter(base, result.adapter_dir, conversations[0][1]["content"][:2000], tuner.model_)
    params = sum(p.numel() for p in tuner.model_.parameters())
    print(json.dumps({
        "size": size, "parameters": params, "dtype": result.dtype, "device": result.device,
        "examples": result.examples, "steps": len(result.train_losses), "batch_size": config.batch_size,
        "loss_first": round(result.train_losses[0], 4), "loss_last": round(result.train_losses[-1], 4),
        "step_s_first": round(result.step_times_s[0], 4),
        "step_s_median": round(statistics.median(steady), 4), "step_s_mean": round(statistics.fmean(steady), 4),
        "step_s_p95": round(sorted(steady)[int(0.95 * (len(steady) - 1))], 4),
        "adapter_check_ok": check.ok, "reload_max_abs_diff": check.reload_max_abs_diff,
        "merged_max_abs_diff": check.merged_max_abs_diff, "wall_s": round(time.perf_counter() - started, 1),
        "peak_gpu_mem_gib": round(torch.cuda.max_memory_allocated() / 2**30, 2) if cuda else None,
    }))
    if cuda:
        torch.cuda.reset_peak_memory_stats()
PY
