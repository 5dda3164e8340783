"""`credlift training compare --cached-only`: answers generated elsewhere (several `generate` processes) are scored
from the on-disk cache through the same HTTP path and validator, with no model loaded; the new measures
(reason-code agreement with the policy engine, PD-band accuracy, citations that exist) read them correctly."""
from __future__ import annotations

from credlift.training.compare import case_sets, compare, request_messages
from credlift.training.local_server import GenerationCache, model_key

BASE = "smollm2-135m-instruct"  # only its name keys the cache: nothing is loaded


def test_cached_answers_are_scored_without_a_model(sft_build, tmp_path):
    data = sft_build[2] / "test.jsonl"
    examples, _ = case_sets(data, limit=3, injection=0, lang="en")
    cache = GenerationCache(tmp_path / "generations")
    for index, example in enumerate(examples):  # the reference answers, the last one broken
        text = example.messages[-1].content if index < 2 else example.messages[-1].content[:40]
        cache.put(GenerationCache.key(model_key(BASE), request_messages(example), 64),
                  {"text": text, "prompt_tokens": 900, "completion_tokens": 150, "finish_reason": "stop",
                   "cpu_s": 2.5})
    result = compare(BASE, None, data, limit=5, injection=1, max_new_tokens=64, cache_file=tmp_path / "generations",
                     cached_only=True)
    assert (result.cases, result.injection_cases) == (3, 0)  # only what the cache holds is scored
    scores = result.models[0]
    clean = scores.clean
    assert clean.json_valid_rate == clean.reason_code_agreement == clean.pd_band_accuracy == 2 / 3
    assert clean.citation_exists_rate == clean.citation_valid_rate == 1.0
    assert clean.rejections == {"malformed_json": 1}
    assert scores.generated_now == 0 and scores.cpu_s == 7.5 and scores.cpu_s_per_case == 2.5
    assert result.load_cpu_s < 5


def test_the_tuned_model_alone_is_scored_from_answers_decoded_under_the_schema(sft_build, tmp_path):
    """`compare --constrained --no-base --cached-only`: answers cached under the schema the client sends (one key
    per case: its citable ids are in the schema) are scored for the tuned model alone; unconstrained answers
    to the same messages are not mistaken for them."""
    from credlift.training.compare import request_format

    data = sft_build[2] / "test.jsonl"
    adapter = tmp_path / "adapter"
    adapter.mkdir()
    (adapter / "adapter_model.safetensors").write_bytes(b"weights")
    examples, _ = case_sets(data, limit=2, injection=0, lang="en")
    cache = GenerationCache(tmp_path / "generations")
    tuned = model_key(BASE, adapter)
    for example in examples:
        answer = {"text": example.messages[-1].content, "prompt_tokens": 900, "completion_tokens": 150,
                  "finish_reason": "stop", "cpu_s": 3.0}
        cache.put(GenerationCache.key(tuned, request_messages(example), 64, request_format(example, True)), answer)
        cache.put(GenerationCache.key(tuned, request_messages(example), 64), {**answer, "text": "not json"})
    result = compare(BASE, adapter, data, limit=2, injection=0, max_new_tokens=64,
                     cache_file=tmp_path / "generations", cached_only=True, constrained=True, include_base=False)
    assert [m.name for m in result.models] == ["tuned"] and result.constrained and result.cases == 2
    assert result.models[0].clean.json_valid_rate == result.models[0].clean.reason_code_agreement == 1.0
    loose = compare(BASE, adapter, data, limit=2, injection=0, max_new_tokens=64,
                    cache_file=tmp_path / "generations", cached_only=True, include_base=False)
    assert loose.models[0].clean.json_valid_rate == 0.0  # the unconstrained answers, scored as such
