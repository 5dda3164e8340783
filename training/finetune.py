"""LoRA fine-tuning of a Qwen2.5-Instruct model (a local path) on the risk-reasoning SFT data.

transformers loads the base model, peft wraps it with a LoRA adapter, and a plain training loop (AdamW, linear
warm-up and decay, gradient accumulation) trains on chat examples whose loss is masked to the assistant's
answer. bf16 is used when CUDA is there. The run saves the adapter (what `vllm serve --lora-modules` loads),
the tokenizer, `model_card.json` (base model, data hashes, hyper-parameters, losses, step times, versions) and
a README. `check_adapter` reloads the saved adapter, compares its logits with the trained model's and merges it.
"""
from __future__ import annotations

import hashlib
import json
import logging
import math
import platform
import random
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, Field

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100
QWEN2_LINEAR_MODULES = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


class FineTuneConfig(BaseModel):
    base_model: Path = Field(description="local checkpoint directory, a .gguf file, or a packaged model name "
                             "(training/base_models.py: smollm2-135m-instruct)")
    train_file: Path
    validation_file: Path | None = None
    output_dir: Path
    lora_rank: int = Field(default=16, ge=1)
    lora_alpha: int = Field(default=32, ge=1)
    lora_dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    target_modules: list[str] = Field(default_factory=lambda: list(QWEN2_LINEAR_MODULES))
    top_layers: int | None = Field(default=None, ge=1, description="adapt only the last N decoder layers: backward "
                                   "then stops at the lowest adapted layer (cheaper steps, a smaller adapter); "
                                   "None: every layer")
    max_seq_length: int = Field(default=2048, ge=32)
    learning_rate: float = Field(default=2e-4, gt=0)
    weight_decay: float = 0.0
    epochs: float = Field(default=2.0, gt=0)
    max_steps: int | None = Field(default=None, description="optimizer steps; overrides epochs when set")
    batch_size: int = Field(default=4, ge=1)
    gradient_accumulation_steps: int = Field(default=4, ge=1)
    warmup_ratio: float = Field(default=0.03, ge=0.0, le=0.5)
    max_grad_norm: float = 1.0
    bf16: bool | None = Field(default=None, description="None: bf16 when CUDA supports it")
    gradient_checkpointing: bool = False
    seed: int = 0
    log_every: int = Field(default=10, ge=1)
    init_adapter: Path | None = Field(default=None, description="start from this saved adapter's weights (same "
                                      "rank, modules and layers) instead of zero: a time-boxed run continued")
    save_every: int | None = Field(default=None, ge=1, description="also save the adapter to OUT/checkpoint every "
                                   "N steps (with checkpoint/progress.json: step and losses so far), so a run cut "
                                   "short still leaves an adapter")


class FineTuneResult(BaseModel):
    adapter_dir: Path
    train_losses: list[float] = Field(description="mean loss per optimizer step")
    validation_losses: list[float] = Field(default_factory=list, description="after each epoch")
    step_times_s: list[float]
    examples: int
    skipped_too_long: int
    device: str
    dtype: str


class AdapterCheck(BaseModel):
    """Reload and merge check of a saved adapter against the model that was trained (max |diff| of logits,
    relative to the largest logit)."""
    dtype: str
    reload_max_abs_diff: float
    merged_max_abs_diff: float
    adapter_effect_max_abs_diff: float = Field(description="adapter vs bare base model: > 0 when the adapter learned")
    tolerance: float = Field(description="1e-3 in float32; bf16 merges round the merged weights, so 5e-2")

    @property
    def ok(self) -> bool:
        return (self.reload_max_abs_diff <= self.tolerance and self.merged_max_abs_diff <= self.tolerance
                and self.adapter_effect_max_abs_diff > self.tolerance)


def read_chat_examples(path: Path) -> list[list[dict[str, str]]]:
    """JSONL rows with `messages` (system, user, ..., assistant last)."""
    conversations = []
    for line_no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        messages = row.get("messages")
        if not messages or messages[-1].get("role") != "assistant":
            raise ValueError(f"{path}:{line_no}: an example needs `messages` ending with the assistant's answer")
        conversations.append([{"role": m["role"], "content": m["content"]} for m in messages])
    return conversations


def encode_example(tokenizer, messages: list[dict[str, str]], max_seq_length: int) -> dict[str, list[int]] | None:
    """input_ids and labels with every prompt token masked; None when the whole answer does not fit."""
    prompt = tokenizer.apply_chat_template(messages[:-1], tokenize=False, add_generation_prompt=True)
    answer = messages[-1]["content"] + tokenizer.eos_token + "\n"
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    answer_ids = tokenizer(answer, add_special_tokens=False)["input_ids"]
    if len(prompt_ids) + len(answer_ids) > max_seq_length:
        return None  # truncating the prompt would hide clauses the answer cites; such examples are dropped
    return {"input_ids": prompt_ids + answer_ids, "labels": [IGNORE_INDEX] * len(prompt_ids) + answer_ids}


def collate(batch: list[dict[str, list[int]]], pad_id: int):
    import torch

    width = max(len(item["input_ids"]) for item in batch)
    input_ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), IGNORE_INDEX, dtype=torch.long)
    attention = torch.zeros((len(batch), width), dtype=torch.long)
    for row, item in enumerate(batch):
        n = len(item["input_ids"])
        input_ids[row, :n] = torch.tensor(item["input_ids"])
        labels[row, :n] = torch.tensor(item["labels"])
        attention[row, :n] = 1
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention}


def file_sha256(path: Path | None) -> str | None:
    if path is None:
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _versions() -> dict[str, str]:
    import peft
    import torch
    import transformers

    versions = {"python": platform.python_version(), "torch": torch.__version__,
                "transformers": transformers.__version__, "peft": peft.__version__}
    if torch.cuda.is_available():
        versions["cuda"] = str(torch.version.cuda)
        versions["gpu"] = torch.cuda.get_device_name(0)
    return versions


def dtype_kwarg(dtype) -> dict:
    """transformers >= 4.56 takes `dtype`; older releases (GPU hosts may pin one) take `torch_dtype`."""
    import transformers

    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    return {"dtype": dtype} if (major, minor) >= (4, 56) else {"torch_dtype": dtype}


def resolve_precision(requested: bool | None) -> tuple[str, bool]:
    """(device, use_bf16): bf16 only on CUDA devices that support it."""
    import torch

    if torch.cuda.is_available():
        supported = torch.cuda.is_bf16_supported()
        if requested and not supported:
            raise ValueError("bf16 was requested but this GPU does not support it")
        return "cuda", supported if requested is None else bool(requested)
    if requested:
        raise ValueError("bf16 was requested but no CUDA device is available")
    return "cpu", False


def _mean_loss(model, batches, device: str, use_bf16: bool) -> float:
    import torch

    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for batch in batches:
            batch = {k: v.to(device) for k, v in batch.items()}
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=use_bf16):
                loss = model(**batch).loss
            tokens = int((batch["labels"][:, 1:] != IGNORE_INDEX).sum())
            total += float(loss) * tokens
            count += tokens
    model.train()
    return total / max(count, 1)


def finetune(config: FineTuneConfig) -> FineTuneResult:
    return LoraFineTuner(config).fit()


class LoraFineTuner:
    """scikit-learn shape: configured in the constructor, `fit` trains and sets `model_` (the peft model) and `result_`."""

    def __init__(self, config: FineTuneConfig):
        self.config = config

    def fit(self) -> FineTuneResult:
        self.result_, self.model_ = _train(self.config)
        return self.result_


def _train(config: FineTuneConfig):
    import torch
    from peft import LoraConfig, TaskType, get_peft_model
    from transformers import get_linear_schedule_with_warmup

    from credlift.training.base_models import load_causal_lm, load_tokenizer, resolve_base_model

    random.seed(config.seed)
    torch.manual_seed(config.seed)
    device, use_bf16 = resolve_precision(config.bf16)
    source = resolve_base_model(config.base_model)
    tokenizer = load_tokenizer(source)

    def encode_file(path: Path) -> tuple[list[dict[str, list[int]]], int]:
        encoded = [encode_example(tokenizer, m, config.max_seq_length) for m in read_chat_examples(path)]
        kept = [e for e in encoded if e is not None]
        return kept, len(encoded) - len(kept)

    train_examples, skipped = encode_file(config.train_file)
    if not train_examples:
        raise ValueError(f"no training example fits in {config.max_seq_length} tokens")
    validation_examples = encode_file(config.validation_file)[0] if config.validation_file else []

    model = load_causal_lm(source, torch.bfloat16 if use_bf16 else torch.float32)
    model.config.use_cache = False  # no KV cache while training (and none with gradient checkpointing)
    if config.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        model.enable_input_require_grads()
    layers = None
    if config.top_layers:
        total = model.config.num_hidden_layers
        layers = list(range(max(0, total - config.top_layers), total))
    lora = LoraConfig(task_type=TaskType.CAUSAL_LM, r=config.lora_rank, lora_alpha=config.lora_alpha,
                      lora_dropout=config.lora_dropout, target_modules=config.target_modules, bias="none",
                      layers_to_transform=layers)
    model = get_peft_model(model, lora).to(device)
    if config.init_adapter is not None:
        from peft import set_peft_model_state_dict
        from safetensors.torch import load_file

        weights = load_file(str(Path(config.init_adapter) / "adapter_model.safetensors"))
        loaded = set_peft_model_state_dict(model, {k: v.float() for k, v in weights.items()})
        if loaded.unexpected_keys:
            raise ValueError(f"{config.init_adapter} does not fit this LoRA setup: {loaded.unexpected_keys[:3]}")
        logger.info("LoRA weights initialised from %s (%d tensors)", config.init_adapter, len(weights))
    model.train()
    trainable = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=config.weight_decay)

    batches_per_epoch = math.ceil(len(train_examples) / config.batch_size)
    steps_per_epoch = max(1, math.ceil(batches_per_epoch / config.gradient_accumulation_steps))
    total_steps = config.max_steps or max(1, math.ceil(steps_per_epoch * config.epochs))
    scheduler = get_linear_schedule_with_warmup(optimizer, int(config.warmup_ratio * total_steps), total_steps)
    validation_batches = [collate(validation_examples[i:i + config.batch_size], tokenizer.pad_token_id)
                          for i in range(0, len(validation_examples), config.batch_size)]

    train_losses: list[float] = []
    validation_losses: list[float] = []
    step_times: list[float] = []
    step = 0
    epoch = 0
    while step < total_steps:
        order = list(range(len(train_examples)))
        random.Random(config.seed + epoch).shuffle(order)
        batches = [collate([train_examples[j] for j in order[i:i + config.batch_size]], tokenizer.pad_token_id)
                   for i in range(0, len(order), config.batch_size)]
        for start in range(0, len(batches), config.gradient_accumulation_steps):
            if step >= total_steps:
                break
            group = batches[start:start + config.gradient_accumulation_steps]
            # Weight each micro-batch by its answer tokens so the step loss is a per-token mean.
            tokens = [int((b["labels"][:, 1:] != IGNORE_INDEX).sum()) for b in group]
            total_tokens = max(sum(tokens), 1)
            started = time.perf_counter()
            step_loss = 0.0
            for batch, n_tokens in zip(group, tokens):
                batch = {k: v.to(device) for k, v in batch.items()}
                with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=use_bf16):
                    loss = model(**batch).loss
                (loss * n_tokens / total_tokens).backward()
                step_loss += float(loss.detach()) * n_tokens / total_tokens
            torch.nn.utils.clip_grad_norm_(trainable, config.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            if device == "cuda":
                torch.cuda.synchronize()
            step_times.append(time.perf_counter() - started)
            train_losses.append(step_loss)
            step += 1
            if config.save_every and step % config.save_every == 0 and step < total_steps:
                save_checkpoint(model, Path(config.output_dir) / "checkpoint", step, train_losses)
            if step % config.log_every == 0 or step == total_steps:
                logger.info("step %d/%d loss %.4f lr %.2e %.3f s/step", step, total_steps, step_loss,
                            scheduler.get_last_lr()[0], step_times[-1])
        epoch += 1
        if validation_batches:
            validation_losses.append(_mean_loss(model, validation_batches, device, use_bf16))
            logger.info("epoch %d validation loss %.4f", epoch, validation_losses[-1])

    adapter_dir = Path(config.output_dir) / "adapter"
    model.save_pretrained(adapter_dir)
    tokenizer.save_pretrained(adapter_dir)
    result = FineTuneResult(adapter_dir=adapter_dir, train_losses=train_losses, validation_losses=validation_losses,
                            step_times_s=step_times, examples=len(train_examples), skipped_too_long=skipped,
                            device=device, dtype="bfloat16" if use_bf16 else "float32")
    write_model_card(config, result, trainable_parameters=sum(p.numel() for p in trainable),
                     total_parameters=sum(p.numel() for p in model.parameters()))
    return result, model


def save_checkpoint(model, folder: Path, step: int, train_losses: list[float]) -> Path:
    """The adapter as trained so far (overwritten at each save) and the step and losses it reached."""
    model.save_pretrained(folder)
    (folder / "progress.json").write_text(json.dumps({"step": step, "train_losses": [round(x, 5) for x in
                                                                                       train_losses]}),
                                          encoding="utf-8")
    logger.info("checkpoint at step %d -> %s", step, folder)
    return folder


def write_model_card(config: FineTuneConfig, result: FineTuneResult, trainable_parameters: int,
                     total_parameters: int) -> Path:
    steady = result.step_times_s[1:] or result.step_times_s  # the first step pays for kernel warm-up
    card = {
        "name": "credlift-risk",
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "base_model": str(config.base_model),
        "task": "risk reasoning: applicant features + credential + retrieved clauses -> RiskAssessment JSON",
        "data": {
            "train_file": str(config.train_file), "train_sha256": file_sha256(config.train_file),
            "validation_file": str(config.validation_file) if config.validation_file else None,
            "validation_sha256": file_sha256(config.validation_file),
            "train_examples": result.examples, "skipped_too_long": result.skipped_too_long,
        },
        "hyper_parameters": config.model_dump(mode="json", exclude={"base_model", "train_file", "validation_file",
                                                                    "output_dir"}),
        "parameters": {"trainable": trainable_parameters, "total": total_parameters},
        "losses": {
            "train_first": result.train_losses[0], "train_last": result.train_losses[-1],
            "train_per_step": [round(x, 5) for x in result.train_losses],
            "validation_per_epoch": [round(x, 5) for x in result.validation_losses],
        },
        "step_time_s": {"median": statistics.median(steady), "mean": statistics.fmean(steady),
                        "first": result.step_times_s[0], "steps": len(result.step_times_s)},
        "device": result.device, "dtype": result.dtype,
        "versions": _versions(),
        "serving": "vllm serve BASE --enable-lora --lora-modules credlift-risk=ADAPTER_DIR "
                   f"--max-lora-rank {max(config.lora_rank, 8)} (training/serve/README.md)",
    }
    card_path = result.adapter_dir / "model_card.json"
    card_path.write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    readme = [
        "# credlift-risk (LoRA adapter)", "",
        f"Base model: `{config.base_model}`. {card['task']}.", "",
        f"- LoRA rank {config.lora_rank}, alpha {config.lora_alpha}, dropout {config.lora_dropout}, "
        f"modules {', '.join(config.target_modules)}",
        f"- {result.examples} training examples (sha256 {card['data']['train_sha256'][:12]}), "
        f"max {config.max_seq_length} tokens, {len(result.train_losses)} steps, lr {config.learning_rate}, "
        f"{result.dtype} on {result.device}",
        f"- train loss {result.train_losses[0]:.3f} -> {result.train_losses[-1]:.3f}"
        + (f"; validation loss per epoch {', '.join(f'{x:.3f}' for x in result.validation_losses)}"
           if result.validation_losses else ""),
        f"- median step time {card['step_time_s']['median']:.3f} s", "",
        "Intended use: advisory risk reasoning inside credlift only. The policy engine decides; every answer is",
        "schema-validated, must cite retrieved clauses and stay within the adjustment bounds, or it is discarded.",
        "Trained on a synthetic loan book; not evidence about real borrowers.", "",
        f"Serve: `{card['serving']}`.",
    ]
    (result.adapter_dir / "README.md").write_text("\n".join(readme) + "\n", encoding="utf-8")
    return card_path


def check_adapter(base_model: Path, adapter_dir: Path, probe_text: str, trained_model=None) -> AdapterCheck:
    """Reloads base + adapter from disk in the trained model's dtype, compares logits with the trained model,
    merges the adapter into the weights and compares again."""
    import torch
    from peft import PeftModel
    from transformers import AutoTokenizer

    from credlift.training.base_models import load_causal_lm

    device = "cuda" if torch.cuda.is_available() else "cpu"
    dtype = torch.float32
    if trained_model is not None:
        dtype = next(p.dtype for n, p in trained_model.named_parameters() if "lora_" not in n)
    tokenizer = AutoTokenizer.from_pretrained(adapter_dir)
    inputs = tokenizer(probe_text, return_tensors="pt", add_special_tokens=False).to(device)

    def logits(model) -> torch.Tensor:
        model.eval()
        with torch.no_grad():
            return model.to(device)(**inputs).logits.float().cpu()

    def load_base():
        return load_causal_lm(base_model, dtype)

    reference = logits(trained_model) if trained_model is not None else None
    base = load_base()
    base_logits = logits(base)
    # The adapter wraps the same base object, so at most two models (trained + this one) are in memory.
    reloaded = PeftModel.from_pretrained(base, adapter_dir)
    reloaded_logits = logits(reloaded)
    reference = reloaded_logits if reference is None else reference
    merged_logits = logits(reloaded.merge_and_unload())
    scale = max(1.0, float(reference.abs().max()))
    return AdapterCheck(
        dtype=str(dtype).removeprefix("torch."),
        reload_max_abs_diff=float((reloaded_logits - reference).abs().max()) / scale,
        merged_max_abs_diff=float((merged_logits - reloaded_logits).abs().max()) / scale,
        adapter_effect_max_abs_diff=float((reloaded_logits - base_logits).abs().max()) / scale,
        tolerance=1e-3 if dtype == torch.float32 else 5e-2,
    )


SHIPPED_FILES = ("adapter_config.json", "model_card.json", "README.md")


def pack_adapter(adapter_dir: Path, out_dir: Path, dtype: str = "float16") -> Path:
    """A copy of the adapter small enough to ship: the LoRA weights cast to `dtype` (half the bytes of float32),
    its config and model card; not the tokenizer (the base model's own, from the same GGUF or checkpoint). peft
    loads half-precision adapter weights into a float32 model (they are cast on load)."""
    import torch
    from safetensors.torch import load_file, save_file

    adapter_dir, out_dir = Path(adapter_dir), Path(out_dir)
    weights = load_file(adapter_dir / "adapter_model.safetensors")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = getattr(torch, dtype)
    save_file({name: tensor.to(target).contiguous() for name, tensor in weights.items()},
              out_dir / "adapter_model.safetensors", metadata={"format": "pt"})
    for name in SHIPPED_FILES:
        if (adapter_dir / name).exists():
            (out_dir / name).write_bytes((adapter_dir / name).read_bytes())
    card_path = out_dir / "model_card.json"
    if card_path.exists():
        card = json.loads(card_path.read_text(encoding="utf-8"))
        card["shipped"] = {"dtype": dtype, "bytes": (out_dir / "adapter_model.safetensors").stat().st_size,
                           "from": str(adapter_dir), "tokenizer": "the base model's (not shipped)"}
        card_path.write_text(json.dumps(card, indent=2), encoding="utf-8")
    return out_dir
