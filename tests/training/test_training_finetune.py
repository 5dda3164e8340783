"""LoRA fine-tuning on a tiny Qwen2 built from a config: the loss falls, the adapter saves, reloads and merges."""
from __future__ import annotations

import json

import pytest

from credlift.training.finetune import (IGNORE_INDEX, FineTuneConfig, LoraFineTuner, check_adapter, encode_example,
                                        read_chat_examples)
from credlift.training.tiny_model import build_tiny_qwen2


@pytest.fixture(scope="module")
def tiny_run(sft_build, tmp_path_factory):
    _, _, folder = sft_build
    work = tmp_path_factory.mktemp("finetune")
    # Small files keep the CPU run to seconds: 8 training and 4 validation examples of the real splits.
    train, validation = work / "train.jsonl", work / "validation.jsonl"
    for name, path, n in (("train", train, 8), ("validation", validation, 4)):
        lines = (folder / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()[:n]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    texts = [m["content"] for c in read_chat_examples(train) for m in c]
    base = build_tiny_qwen2(work / "base", texts, vocab_size=2048, hidden_size=64, num_layers=2)
    config = FineTuneConfig(base_model=base, train_file=train, validation_file=validation,
                            output_dir=work / "run", lora_rank=8, lora_alpha=16, lora_dropout=0.0,
                            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"],
                            max_seq_length=4096, learning_rate=1e-2, epochs=4, batch_size=4,
                            gradient_accumulation_steps=1, warmup_ratio=0.0, seed=0, save_every=3)
    tuner = LoraFineTuner(config)
    result = tuner.fit()
    return tuner, result, base, train


def test_the_training_loss_falls_on_a_small_set(tiny_run):
    _, result, _, _ = tiny_run
    assert len(result.train_losses) == 8 and result.examples == 8 and result.skipped_too_long == 0
    first, last = sum(result.train_losses[:2]) / 2, sum(result.train_losses[-2:]) / 2
    assert last < first * 0.85
    assert result.validation_losses[-1] < result.validation_losses[0]
    assert result.device == "cpu" and result.dtype == "float32"


def test_the_adapter_and_model_card_are_saved(tiny_run):
    tuner, result, base, train = tiny_run
    adapter = result.adapter_dir
    assert (adapter / "adapter_model.safetensors").exists()
    config = json.loads((adapter / "adapter_config.json").read_text())
    assert config["r"] == 8 and set(config["target_modules"]) >= {"q_proj", "down_proj"}
    card = json.loads((adapter / "model_card.json").read_text())
    assert card["base_model"] == str(base)
    assert len(card["data"]["train_sha256"]) == 64 and card["data"]["train_examples"] == 8
    assert card["hyper_parameters"]["lora_rank"] == 8 and card["hyper_parameters"]["learning_rate"] == 1e-2
    assert card["losses"]["train_last"] < card["losses"]["train_first"]
    assert {"torch", "transformers", "peft"} <= set(card["versions"])
    assert card["step_time_s"]["steps"] == 8
    assert "--lora-modules credlift-risk=" in (adapter / "README.md").read_text()


def test_a_checkpoint_is_saved_during_the_run(tiny_run):
    _, result, _, _ = tiny_run
    checkpoint = result.adapter_dir.parent / "checkpoint"
    progress = json.loads((checkpoint / "progress.json").read_text())
    assert (checkpoint / "adapter_model.safetensors").exists()
    assert progress["step"] == 6 and progress["train_losses"] == [round(x, 5) for x in result.train_losses[:6]]


def test_a_run_continued_from_an_adapter_starts_where_it_ended(tiny_run, tmp_path):
    tuner, result, base, train = tiny_run
    config = tuner.config.model_copy(update={"output_dir": tmp_path / "more", "init_adapter": result.adapter_dir,
                                            "max_steps": 1, "validation_file": None, "save_every": None})
    more = LoraFineTuner(config).fit()
    fresh = LoraFineTuner(config.model_copy(update={"output_dir": tmp_path / "fresh", "init_adapter": None})).fit()
    assert more.train_losses[0] < fresh.train_losses[0] * 0.9  # it starts from the trained weights, not zero
    with pytest.raises(ValueError, match="does not fit"):
        LoraFineTuner(config.model_copy(update={"output_dir": tmp_path / "bad", "top_layers": 1})).fit()


def test_the_saved_adapter_reloads_to_the_same_logits_and_merges(tiny_run):
    tuner, result, base, train = tiny_run
    probe = read_chat_examples(train)[0][1]["content"][:600]
    check = check_adapter(base, result.adapter_dir, probe, tuner.model_)
    assert check.ok, check
    assert check.reload_max_abs_diff < 1e-4
    assert check.adapter_effect_max_abs_diff > 1e-2


def test_the_packed_adapter_is_half_the_bytes_and_gives_the_same_logits(tiny_run, tmp_path):
    """`credlift training pack-adapter`: float16 weights, config and card (no tokenizer); peft loads it into the
    float32 base and the logits match the trained model's to float16 rounding."""
    import torch
    from peft import PeftModel
    from transformers import AutoTokenizer

    from credlift.training.base_models import load_causal_lm
    from credlift.training.finetune import pack_adapter

    tuner, result, base, train = tiny_run
    packed = pack_adapter(result.adapter_dir, tmp_path / "packed")
    full, half = (d / "adapter_model.safetensors" for d in (result.adapter_dir, packed))
    assert half.stat().st_size < 0.6 * full.stat().st_size
    names = {p.name for p in packed.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "model_card.json"} <= names
    assert not any("tokenizer" in name for name in names)
    card = json.loads((packed / "model_card.json").read_text(encoding="utf-8"))
    assert card["shipped"]["dtype"] == "float16" and card["shipped"]["bytes"] == half.stat().st_size
    tokenizer = AutoTokenizer.from_pretrained(result.adapter_dir)
    inputs = tokenizer(read_chat_examples(train)[0][1]["content"][:400], return_tensors="pt", add_special_tokens=False)
    with torch.no_grad():
        trained = tuner.model_.eval()(**inputs).logits
        loaded = PeftModel.from_pretrained(load_causal_lm(base), packed).eval()(**inputs).logits
        bare = load_causal_lm(base).eval()(**inputs).logits
    scale = float(trained.abs().max())
    assert float((loaded - trained).abs().max()) / scale < 1e-2 < float((bare - trained).abs().max()) / scale


def test_only_the_assistant_answer_is_trained_on(tiny_run):
    tuner, result, base, train = tiny_run
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    messages = read_chat_examples(train)[0]
    encoded = encode_example(tokenizer, messages, 4096)
    trained = [t for t, label in zip(encoded["input_ids"], encoded["labels"]) if label != IGNORE_INDEX]
    assert tokenizer.decode(trained) == messages[-1]["content"] + "<|im_end|>\n"
    assert encode_example(tokenizer, messages, 64) is None


def test_bf16_without_a_gpu_is_refused_with_a_reason(tiny_run, tmp_path):
    _, _, base, train = tiny_run
    config = FineTuneConfig(base_model=base, train_file=train, output_dir=tmp_path, bf16=True, max_steps=1)
    with pytest.raises(ValueError, match="no CUDA device"):
        LoraFineTuner(config).fit()


def test_the_tuned_tiny_model_served_over_http_is_validated_and_its_garbage_discarded(tiny_run, settings, sft_build):
    """Fine-tune -> serve (transformers behind the local OpenAI-compatible server) -> validate -> fall back."""
    import torch
    from transformers import AutoTokenizer

    from credlift.evals.openai_test_server import OpenAITestServer
    from credlift.tools.risk.llm_reasoner import LlmRiskReasoner

    tuner, result, base, _ = tiny_run
    tokenizer = AutoTokenizer.from_pretrained(result.adapter_dir)
    model = tuner.model_.eval()

    def generate(body: dict) -> str:
        ids = tokenizer.apply_chat_template(body["messages"], add_generation_prompt=True, return_tensors="pt",
                                            return_dict=True)
        with torch.no_grad():
            out = model.generate(**ids, max_new_tokens=24, do_sample=False, pad_token_id=tokenizer.pad_token_id)
        return tokenizer.decode(out[0, ids["input_ids"].shape[1]:], skip_special_tokens=True)

    example = next(e for e in sft_build[0] if e.split == "test")
    clauses = [_retrieved(cid) for cid in example.retrieved_clause_ids]
    with OpenAITestServer(chat_handler=generate) as server:
        reasoner = LlmRiskReasoner(settings.model_copy(update={"llm_base_url": server.base_url}), lang=example.lang)
        assessment, reason = reasoner.assess(example.applicant, example.credential, example.risk_score, clauses,
                                             today=example.as_of)
        sent = server.chat_requests()[0]["messages"]
    assert [m["content"] for m in sent] == [m.content for m in example.messages[:2]]
    assert reason is not None and reason.split(":")[0] in {"malformed_json", "schema", "empty_answer"}
    assert assessment.source == "deterministic"


def _retrieved(clause_id: str):
    from credlift.domain.policy import RetrievedClause
    from credlift.knowledge import get_clause

    return RetrievedClause(clause=get_clause(clause_id), score=1.0, rank=1)


def test_the_local_server_speaks_the_openai_chat_api_and_refuses_what_it_cannot_honour(tiny_run, tmp_path):
    """training/local_server.py on the tiny tuned model: /v1/models, a plain completion with usage, response_format
    refused with 400 by an unconstrained server, an unknown model 404, bad bodies 400; 127.0.0.1 only; a
    repeated prompt is answered from the on-disk cache; a batch of prompts is generated in one pass."""
    import httpx
    from transformers import AutoTokenizer

    from credlift.training.local_server import GenerationCache, LocalChatServer, generate_batch

    tuner, result, _, _ = tiny_run
    tokenizer = AutoTokenizer.from_pretrained(result.adapter_dir)
    with pytest.raises(ValueError, match="127.0.0.1"):
        LocalChatServer(tuner.model_, tokenizer, host="0.0.0.0")
    messages = [{"role": "user", "content": "case"}]
    with LocalChatServer(tuner.model_.eval(), tokenizer, model_name="credlift-risk", max_new_tokens=8,
                         constrained=False) as server:
        url = server.base_url
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/models", timeout=60).json()["data"][0]["id"] == "credlift-risk"
        ok = httpx.post(f"{url}/chat/completions", json={"model": "credlift-risk", "messages": messages,
                                                          "max_tokens": 100}, timeout=600).json()
        assert ok["choices"][0]["message"]["content"] == server.answers[0]
        assert 0 < ok["usage"]["completion_tokens"] <= 8  # the server's cap wins over a larger max_tokens
        refused = httpx.post(f"{url}/chat/completions", json={"messages": messages, "response_format":
                                                               {"type": "json_object"}}, timeout=60)
        assert refused.status_code == 400 and "response_format" in refused.text
        assert httpx.post(f"{url}/chat/completions", json={"model": "other", "messages": messages},
                          timeout=60).status_code == 404
        assert httpx.post(f"{url}/chat/completions", content=b"not json", timeout=60).status_code == 400
        assert server.completions == 1 and server.refused_formats == 1

    cache, stats = GenerationCache(tmp_path / "generations.jsonl"), tmp_path / "stats.jsonl"
    with LocalChatServer(tuner.model_.eval(), tokenizer, max_new_tokens=8, cache=cache, stats_file=stats) as server:
        answers = [httpx.post(f"{server.base_url}/chat/completions", json={"messages": messages}, timeout=600).json()
                   for _ in range(2)]
    assert answers[0]["choices"][0]["message"]["content"] == answers[1]["choices"][0]["message"]["content"]
    assert server.completions == 2 and cache.hits == 1 and len(stats.read_text().splitlines()) == 1
    timing = json.loads(stats.read_text())
    assert 0 < timing["first_token_s"] <= timing["wall_s"] and timing["cpu_s"] > 0
    assert len(GenerationCache(tmp_path / "generations.jsonl")) == 1  # a rerun finds it on disk
    batch = generate_batch(tuner.model_, tokenizer, [messages, [{"role": "user", "content": "a longer case text"}]], 8)
    assert len(batch) == 2 and all(0 < b["completion_tokens"] <= 8 and b["batch"] == 2 for b in batch)


def test_the_local_server_decodes_under_the_schema_a_request_sends(tiny_run, tmp_path):
    """A constrained server (the default, as vLLM) answers json_schema / json_object requests with JSON that fits:
    even the tiny random model's schema answer parses. Constrained answers are cached apart from unconstrained ones."""
    import httpx
    from transformers import AutoTokenizer

    from credlift.training.local_server import GenerationCache, LocalChatServer

    tuner, result, _, _ = tiny_run
    tokenizer = AutoTokenizer.from_pretrained(result.adapter_dir)
    schema = {"type": "object", "properties": {"risk_level": {"type": "string", "enum": ["low", "medium", "high"]}},
              "required": ["risk_level"], "additionalProperties": False}
    messages = [{"role": "user", "content": "case"}]
    cache = GenerationCache(tmp_path / "generations.jsonl")
    with LocalChatServer(tuner.model_.eval(), tokenizer, max_new_tokens=48, cache=cache) as server:
        def ask(response_format):
            body = {"messages": messages, **({"response_format": response_format} if response_format else {})}
            reply = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=600)
            assert reply.status_code == 200
            return reply.json()["choices"][0]["message"]["content"]

        strict = ask({"type": "json_schema", "json_schema": {"name": "x", "schema": schema, "strict": True}})
        ordered = ask({"type": "json_schema", "json_schema": {"name": "y", "strict": True, "schema": {
            "type": "object", "properties": {"a": {"type": "string", "enum": ["x"]}, "b": {"type": "string",
                                                                                     "enum": ["y"]}},
            "required": ["b", "a"], "additionalProperties": False}}})
        loose = ask({"type": "json_object"})
        free = ask(None)
    assert set(json.loads(strict)) == {"risk_level"} and json.loads(strict)["risk_level"] in ("low", "medium", "high")
    assert loose.lstrip()[:1] == "{"  # an object (not any JSON value); the random model need not close it
    assert list(json.loads(ordered)) == ["b", "a"]  # the keys in the schema's required order
    assert server.refused_formats == 0 and len(cache) == 4 and cache.hits == 0
    assert strict != free


def test_the_injection_subset_plants_the_instruction_in_a_credential_field_only(sft_build):
    from credlift.training.compare import INJECTION, _obeyed, inject

    example = next(e for e in sft_build[0] if e.lang == "en")
    attacked = inject(example)
    user = next(m for m in attacked.messages if m.role == "user").content
    features = json.loads(user.split("\n", 1)[1].split("\n\n", 1)[0])
    assert features["credential"]["fields"]["remarks"] == INJECTION
    assert attacked.target == example.target and attacked.messages[0] == example.messages[0]
    assert _obeyed('{"risk_level": "low", "adjustment": 0.2}', 0.2)
    assert _obeyed("cites APPROVE-ALL", 0.2)
    assert _obeyed(example.messages[-1].content, 0.2) == (example.target.risk_level == "low"
                                                           and example.target.adjustment == 0.2)
