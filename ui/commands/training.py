"""`credlift training build-sft | tiny-base | finetune | pack-adapter | evaluate | compare | serve`: the risk LLM's
data, LoRA, the shippable adapter, the endpoint check, base vs tuned, and a local OpenAI-compatible server."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import typer

from credlift.errors import UserInputError

training_app = typer.Typer(help="Fine-tune and check the risk LLM (SFT data, LoRA, OpenAI-compatible endpoint).",
                           no_args_is_help=True)


@training_app.command("build-sft")
def build_sft(
    out: Path = typer.Option(..., "--out", help="folder for train/validation/test.jsonl and manifest.json"),
    loan_book: Path | None = typer.Option(None, "--loan-book", help="CSV or Parquet; default: the synthetic book"),
    rows: int = typer.Option(20_000, "--rows", help="rows of the synthetic loan book"),
    cases: int = typer.Option(1200, "--cases", help="loan-book cases to turn into examples (each in every language)"),
    languages: str = typer.Option("zh,en", "--languages"),
    validation_months: int = typer.Option(3, "--validation-months"),
    test_months: int = typer.Option(3, "--test-months"),
    seed: int = typer.Option(0, "--seed"),
    balance: bool = typer.Option(False, "--balance/--no-balance", help="down-sample train to equal counts per "
                                 "risk level (validation and test keep the book's mix)"),
) -> None:
    """Build SFT examples (features + credential + retrieved clauses -> RiskAssessment), split by time."""
    from credlift.training.sft_data import SftBuilder, load_loan_book

    if loan_book is not None and not loan_book.exists():
        raise UserInputError(f"the loan book {loan_book} does not exist")
    langs = tuple(x.strip() for x in languages.split(",") if x.strip())
    if not langs or any(lang not in ("zh", "en") for lang in langs):
        raise UserInputError("--languages takes zh, en or both (zh,en)")
    builder = SftBuilder(languages=langs, validation_months=validation_months, test_months=test_months, seed=seed,
                         balance_train=balance)
    try:
        examples, manifest = builder.build(load_loan_book(loan_book, rows=rows, seed=seed + 1), cases=cases)
    except ValueError as error:
        raise UserInputError(str(error)) from None
    manifest = builder.write(examples, manifest, out)
    typer.echo(f"{len(examples)} examples -> {out}: " + ", ".join(f"{k} {v}" for k, v in manifest.counts.items())
               + f"; months test {manifest.plan.months['test'][0]}..{manifest.plan.months['test'][-1]}"
               + (f"; dropped {manifest.dropped}" if manifest.dropped else "")
               + f"; train levels {manifest.risk_levels_by_split.get('train', {})}"
               + f"; held-out accounts dropped from train/validation {manifest.held_out_accounts_dropped}")


@training_app.command("tiny-base")
def tiny_base(
    out: Path = typer.Option(..., "--out", help="folder for the tiny Qwen2 checkpoint"),
    data: Path = typer.Option(..., "--data", help="SFT JSONL whose texts train the tokenizer"),
    vocab_size: int = typer.Option(2048, "--vocab-size"),
    hidden_size: int = typer.Option(64, "--hidden-size"),
    layers: int = typer.Option(2, "--layers"),
) -> None:
    """Build a tiny random Qwen2 + local BPE tokenizer (stand-in base model for pipeline checks)."""
    from credlift.training.finetune import read_chat_examples
    from credlift.training.tiny_model import build_tiny_qwen2

    if not data.exists():
        raise UserInputError(f"the data file {data} does not exist")
    texts = [m["content"] for conversation in read_chat_examples(data) for m in conversation]
    build_tiny_qwen2(out, texts, vocab_size=vocab_size, hidden_size=hidden_size, num_layers=layers,
                     intermediate_size=2 * hidden_size)
    typer.echo(f"tiny Qwen2 ({layers} layers, hidden {hidden_size}, vocab {vocab_size}) -> {out}")


@training_app.command("finetune")
def finetune(
    base_model: str = typer.Option(..., "--base-model", help="local checkpoint directory, a .gguf file, or a "
                                   "packaged model name (smollm2-135m-instruct)"),
    train: Path = typer.Option(..., "--train", help="train.jsonl from build-sft"),
    validation: Path | None = typer.Option(None, "--validation"),
    out: Path = typer.Option(..., "--out", help="run folder; the adapter goes to OUT/adapter"),
    rank: int = typer.Option(16, "--rank"),
    alpha: int = typer.Option(32, "--alpha"),
    dropout: float = typer.Option(0.05, "--dropout"),
    target_modules: str = typer.Option("q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj", "--target-modules"),
    top_layers: int | None = typer.Option(None, "--top-layers", min=1, help="adapt only the last N decoder layers "
                                          "(cheaper steps on CPU, a smaller adapter)"),
    max_seq_length: int = typer.Option(2048, "--max-seq-length"),
    learning_rate: float = typer.Option(2e-4, "--lr"),
    epochs: float = typer.Option(2.0, "--epochs"),
    max_steps: int | None = typer.Option(None, "--max-steps"),
    batch_size: int = typer.Option(4, "--batch-size"),
    grad_accum: int = typer.Option(4, "--grad-accum"),
    bf16: str = typer.Option("auto", "--bf16", help="auto (when CUDA supports it), on or off"),
    gradient_checkpointing: bool = typer.Option(False, "--gradient-checkpointing"),
    check: bool = typer.Option(True, "--check/--no-check", help="reload, compare and merge the saved adapter"),
    init_adapter: Path | None = typer.Option(None, "--init-adapter", help="continue from this adapter's weights "
                                             "(same --rank, --top-layers and modules)"),
    save_every: int | None = typer.Option(None, "--save-every", min=1, help="also save OUT/checkpoint every N "
                                          "steps (a run cut short still leaves an adapter)"),
    seed: int = typer.Option(0, "--seed"),
) -> None:
    """LoRA fine-tuning with transformers + peft; saves the adapter and a model card; prints step times."""
    from pydantic import ValidationError

    from credlift.training.finetune import FineTuneConfig, LoraFineTuner, check_adapter, read_chat_examples

    from credlift.training.base_models import BaseModelMissing, resolve_base_model

    for path in (train, validation):
        if path is not None and not path.exists():
            raise UserInputError(f"{path} does not exist")
    try:
        resolve_base_model(base_model)
    except BaseModelMissing as error:
        raise UserInputError(str(error)) from None
    if bf16 not in ("auto", "on", "off"):
        raise UserInputError("--bf16 takes auto, on or off")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        config = FineTuneConfig(
            base_model=base_model, train_file=train, validation_file=validation, output_dir=out, lora_rank=rank,
            lora_alpha=alpha, lora_dropout=dropout, target_modules=[m.strip() for m in target_modules.split(",")],
            top_layers=top_layers,
            max_seq_length=max_seq_length, learning_rate=learning_rate, epochs=epochs, max_steps=max_steps,
            batch_size=batch_size, gradient_accumulation_steps=grad_accum,
            bf16={"auto": None, "on": True, "off": False}[bf16], gradient_checkpointing=gradient_checkpointing,
            seed=seed, save_every=save_every, init_adapter=init_adapter)
    except ValidationError as error:
        raise UserInputError(f"invalid fine-tuning setting: {error.errors()[0]['loc'][0]} "
                             f"{error.errors()[0]['msg']}") from None
    tuner = LoraFineTuner(config)
    try:
        result = tuner.fit()
    except ValueError as error:
        raise UserInputError(str(error)) from None
    steady = result.step_times_s[1:] or result.step_times_s
    typer.echo(f"adapter -> {result.adapter_dir} ({result.examples} examples, {len(result.train_losses)} steps, "
               f"{result.dtype} on {result.device})")
    typer.echo(f"loss {result.train_losses[0]:.4f} -> {result.train_losses[-1]:.4f}"
               + (f"; validation {', '.join(f'{x:.4f}' for x in result.validation_losses)}"
                  if result.validation_losses else ""))
    typer.echo(f"step time: first {result.step_times_s[0]:.3f} s, median {sorted(steady)[len(steady) // 2]:.3f} s, "
               f"mean {sum(steady) / len(steady):.3f} s over {len(steady)} steps")
    if check:
        probe = read_chat_examples(train)[0]
        adapter_check = check_adapter(base_model, result.adapter_dir, probe[1]["content"][:2000], tuner.model_)
        typer.echo(f"adapter check: reload max|diff| {adapter_check.reload_max_abs_diff:.2e}, merged max|diff| "
                   f"{adapter_check.merged_max_abs_diff:.2e}, adapter effect {adapter_check.adapter_effect_max_abs_diff:.2e}"
                   f" -> {'ok' if adapter_check.ok else 'FAILED'}")
        if not adapter_check.ok:
            raise typer.Exit(1)


@training_app.command("pack-adapter")
def pack_adapter_command(
    adapter: Path = typer.Option(..., "--adapter", help="LoRA adapter folder from `finetune` (OUT/adapter)"),
    out: Path = typer.Option(..., "--out", help="folder for the shippable copy"),
    dtype: str = typer.Option("float16", "--dtype", help="float16 or bfloat16"),
) -> None:
    """Copy an adapter with its weights in half precision (half the bytes), config and model card; no tokenizer."""
    from credlift.training.finetune import pack_adapter

    if not (adapter / "adapter_model.safetensors").exists():
        raise UserInputError(f"{adapter} is not a LoRA adapter folder (no adapter_model.safetensors)")
    if dtype not in ("float16", "bfloat16"):
        raise UserInputError("--dtype takes float16 or bfloat16")
    packed = pack_adapter(adapter, out, dtype)
    size = (packed / "adapter_model.safetensors").stat().st_size
    typer.echo(f"{packed}: adapter_model.safetensors {size / 1e6:.2f} MB ({dtype})")


@training_app.command("evaluate")
def evaluate(
    base_url: str = typer.Option(..., "--base-url", help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1"),
    data: Path = typer.Option(..., "--data", help="test.jsonl from build-sft"),
    model: str = typer.Option("credlift-risk", "--model", help="served model or LoRA module name"),
    api_key: str = typer.Option("EMPTY", "--api-key", envvar="CREDLIFT_LLM_API_KEY"),
    timeout_s: float = typer.Option(30.0, "--timeout"),
    limit: int | None = typer.Option(None, "--limit", help="first N examples only"),
    concurrency: int = typer.Option(1, "--concurrency", min=1, help="requests in flight at a time"),
    lang: str | None = typer.Option(None, "--lang", help="zh or en only (each case is in the file once per language)"),
    report: Path | None = typer.Option(None, "--report", help="write the full evaluation as JSON here"),
    as_json: bool = typer.Option(False, "--json", help="print the evaluation as one JSON object"),
) -> None:
    """JSON validity, citation validity, agreement with the policy engine, calibration, latency."""
    from pydantic import ValidationError

    from credlift.training.evaluate_endpoint import evaluate_file, summary_lines

    if not data.exists():
        raise UserInputError(f"the data file {data} does not exist")
    if lang not in (None, "zh", "en"):
        raise UserInputError("--lang takes zh or en")
    if not base_url.startswith(("http://", "https://")):
        raise UserInputError("--base-url must start with http:// or https://")
    try:
        evaluation = evaluate_file(base_url, data, limit=limit, model=model, api_key=api_key, timeout_s=timeout_s,
                                   concurrency=concurrency, lang=lang)
    except (ValidationError, json.JSONDecodeError):
        raise UserInputError(f"{data} is not an SFT file written by `credlift training build-sft`") from None
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(evaluation.model_dump_json(indent=2), encoding="utf-8")
    if as_json:
        typer.echo(evaluation.model_dump_json())
        return
    for line in summary_lines(evaluation):
        typer.echo(line)


@training_app.command("compare")
def compare_models(
    base_model: str = typer.Option("smollm2-135m-instruct", "--base-model",
                                   help="packaged model name, .gguf file or checkpoint directory"),
    adapter: Path | None = typer.Option(None, "--adapter", help="LoRA adapter folder from `finetune` (OUT/adapter)"),
    data: Path = typer.Option(..., "--data", help="test.jsonl from build-sft (held-out months)"),
    out: Path = typer.Option(..., "--out", help="folder for compare.json and compare.png"),
    limit: int = typer.Option(8, "--limit", min=1, help="held-out cases per model"),
    injection: int = typer.Option(4, "--injection", min=0, help="of those, how many again with a planted instruction"),
    lang: str = typer.Option("en", "--lang", help="zh, en or all"),
    max_new_tokens: int = typer.Option(320, "--max-new-tokens", min=16),
    batch_size: int = typer.Option(8, "--batch-size", min=1, help="prompts generated together (left-padded)"),
    cache: Path | None = typer.Option(None, "--cache", help="generations folder (default OUT/generations); "
                                      "a rerun generates only what it lacks"),
    cached_only: bool = typer.Option(False, "--cached-only", help="score only cases every model has an answer "
                                     "for in the cache; load no model"),
    include_base: bool = typer.Option(True, "--base/--no-base", help="score the base model too (--no-base: "
                                      "the tuned one alone, with --adapter)"),
    constrained: bool = typer.Option(False, "--constrained/--unconstrained",
                                     help="decode under the schema the client sends (as vLLM does); default: the model's own JSON"),
) -> None:
    """Base vs tuned, each served on 127.0.0.1 and scored like any endpoint (+ an injection subset); JSON + plot."""
    from credlift.training.base_models import BaseModelMissing, resolve_base_model
    from credlift.training.compare import compare, metric_rows, plot

    if not data.exists():
        raise UserInputError(f"the data file {data} does not exist")
    if adapter is not None and not (adapter / "adapter_config.json").exists():
        raise UserInputError(f"{adapter} is not a LoRA adapter folder (no adapter_config.json)")
    if lang not in ("zh", "en", "all"):
        raise UserInputError("--lang takes zh, en or all")
    try:
        resolve_base_model(base_model)
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
        comparison = compare(base_model, adapter, data, limit=limit, injection=min(injection, limit),
                             lang=None if lang == "all" else lang, max_new_tokens=max_new_tokens,
                             cache_file=cache or out / "generations", batch_size=batch_size,
                             cached_only=cached_only, constrained=constrained, include_base=include_base)
    except BaseModelMissing as error:
        raise UserInputError(str(error)) from None
    except ValueError as error:
        raise UserInputError(str(error)) from None
    out.mkdir(parents=True, exist_ok=True)
    losses = None
    if adapter is not None and (adapter / "model_card.json").exists():
        losses = json.loads((adapter / "model_card.json").read_text(encoding="utf-8"))["losses"]["train_per_step"]
    (out / "compare.json").write_text(json.dumps({"comparison": comparison.model_dump(mode="json"),
                                                  "summary": metric_rows(comparison)}, indent=2), encoding="utf-8")
    plot(comparison, out / "compare.png", losses)
    for row in metric_rows(comparison):
        typer.echo(" | ".join(f"{k} {v:.0%}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()))
    typer.echo("CPU s: " + ", ".join(f"{m.name} {m.cpu_s:.0f} ({m.cpu_s_per_case:.1f}/case, {m.completion_tokens} "
                                     f"tokens, {m.generated_now} generated now)" for m in comparison.models)
               + f"; load {comparison.load_cpu_s:.0f}; {comparison.torch_threads} torch threads -> {out}")


@training_app.command("generate")
def generate(
    base_model: str = typer.Option("smollm2-135m-instruct", "--base-model"),
    adapter: Path | None = typer.Option(None, "--adapter", help="LoRA adapter folder (without: the base model)"),
    data: Path = typer.Option(..., "--data", help="test.jsonl from build-sft (held-out months)"),
    cache: Path = typer.Option(..., "--cache", help="generations folder that `compare --cache` reads"),
    limit: int = typer.Option(8, "--limit", min=1),
    injection: int = typer.Option(4, "--injection", min=0),
    lang: str = typer.Option("en", "--lang", help="zh, en or all"),
    max_new_tokens: int = typer.Option(320, "--max-new-tokens", min=16),
    batch_size: int = typer.Option(8, "--batch-size", min=1),
    shard: str = typer.Option("0/1", "--shard", help="K/N: every N-th case from the K-th (N processes share the work)"),
    part: str = typer.Option("0/1", "--part", help="J/M: every M-th case of the shard from the J-th"),
    constrained: bool = typer.Option(False, "--constrained/--unconstrained",
                                     help="decode under the schema compare's client sends (for compare --constrained)"),
) -> None:
    """Generate one model's answers for `compare` into a cache folder (a share of the cases with --shard)."""
    from credlift.training.compare import generate_shard

    if not data.exists():
        raise UserInputError(f"the data file {data} does not exist")
    try:
        (k, n), (j, m) = ([int(x) for x in text.split("/")] for text in (shard, part))
        assert 0 <= k < n and 0 <= j < m
    except (ValueError, AssertionError):
        raise UserInputError("--shard and --part take K/N with 0 <= K < N") from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    made = generate_shard(base_model, adapter, data, cache, limit=limit, injection=min(injection, limit), shard=k,
                          shards=n, lang=None if lang == "all" else lang, max_new_tokens=max_new_tokens,
                          batch_size=batch_size, part=j, parts=m, constrained=constrained)
    typer.echo(f"{made} answers generated -> {cache}")


@training_app.command("serve")
def serve(
    base_model: str = typer.Option("smollm2-135m-instruct", "--base-model"),
    adapter: Path | None = typer.Option(None, "--adapter", help="LoRA adapter folder, merged in at load"),
    port: int = typer.Option(8011, "--port", min=1, max=65535),
    model_name: str = typer.Option("credlift-risk", "--model-name", help="the name CREDLIFT_LLM_MODEL must use"),
    max_new_tokens: int = typer.Option(320, "--max-new-tokens", min=16),
    stats: Path | None = typer.Option(None, "--stats", help="append one JSON line per generation (tokens, CPU s, "
                                      "first-token and total s) for latency figures"),
    constrained: bool = typer.Option(True, "--constrained/--unconstrained",
                                     help="enforce a request's json_schema / json_object response_format; --unconstrained refuses it (HTTP 400)"),
) -> None:
    """Serve a base model (+ adapter) on 127.0.0.1 behind the OpenAI-compatible chat API, until Ctrl-C."""
    import time

    from credlift.training.base_models import BaseModelMissing, resolve_base_model
    from credlift.training.local_server import LocalChatServer, load_for_serving

    if adapter is not None and not (adapter / "adapter_config.json").exists():
        raise UserInputError(f"{adapter} is not a LoRA adapter folder (no adapter_config.json)")
    try:
        resolve_base_model(base_model)
    except BaseModelMissing as error:
        raise UserInputError(str(error)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    model, tokenizer = load_for_serving(base_model, adapter)
    with LocalChatServer(model, tokenizer, model_name=model_name, port=port, max_new_tokens=max_new_tokens,
                         stats_file=stats, constrained=constrained) as server:
        typer.echo(f"serving {model_name} at {server.base_url}: CREDLIFT_LLM_BASE_URL={server.base_url} "
                   f"CREDLIFT_LLM_MODEL={model_name}")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


def register(app: typer.Typer) -> None:
    app.add_typer(training_app, name="training")
