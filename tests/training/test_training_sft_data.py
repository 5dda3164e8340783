"""The SFT builder: every target is one the policy engine and the serving validator agree with; splits are by time."""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict

from credlift.domain.risk import RiskAssessment
from credlift.tools.limits import decide
from credlift.tools.policy_parameters import load_policy_parameters
from credlift.tools.risk.llm_reasoner import RISK_LEVELS, assessment_json_schema, level_for_pd, validate_answer
from credlift.tools.risk.reasoning import assess_risk
from credlift.training.sft_data import (SftExample, balance_levels, drop_held_out_accounts, fit_answer_limits,
                                       localise_target, plan_time_splits, read_examples,
                                       verified_evidence)


def test_every_target_passes_the_serving_validator(sft_build):
    examples, _, _ = sft_build
    assert len(examples) >= 60
    for example in examples:
        answer = example.messages[-1].content
        accepted = validate_answer(answer, example.retrieved_clause_ids, example.risk_score)
        assert accepted.risk_level == example.target.risk_level
        assert set(example.target.cited_clauses) <= set(example.retrieved_clause_ids)
        bounds = load_policy_parameters().llm_adjustment_bounds
        assert bounds.min <= example.target.adjustment <= bounds.max


def test_targets_are_the_deterministic_reasoners_assessment_and_replay_to_the_recorded_decision(sft_build):
    examples, _, _ = sft_build
    validation, authenticity = verified_evidence()
    clauses_by_example = {}
    for example in examples:
        decision = decide(example.applicant, example.credential, validation, authenticity, example.risk_score,
                          assessment=example.target, today=example.as_of)
        assert (decision.kind, decision.increase) == (example.reference_decision, example.reference_increase)
        assert example.target.source == "deterministic"
        clauses_by_example[example.example_id] = example
    # The risk level never contradicts the scorecard by more than one level, as the serving validator demands.
    for example in examples:
        expected = level_for_pd(example.risk_score.probability_of_default)
        assert abs(RISK_LEVELS.index(example.target.risk_level) - RISK_LEVELS.index(expected)) <= 1


def test_the_engine_approves_declines_and_the_examples_cover_several_risk_levels(sft_build):
    examples, manifest, _ = sft_build
    assert {"approve", "decline"} <= {e.reference_decision for e in examples}
    assert len({e.target.risk_level for e in examples}) >= 2
    assert sum(manifest.decisions.values()) == len(examples)


def test_answers_are_compact_json_of_exactly_the_schema_fields(sft_build):
    examples, _, _ = sft_build
    payload = json.loads(examples[0].messages[-1].content)
    assert list(payload) == ["rationale", "risk_level", "factors", "adjustment", "cited_clauses"]
    assert list(assessment_json_schema(["RISK-PD"])["properties"]) == list(payload)
    assert RiskAssessment(**payload) == examples[0].target.model_copy(update={"source": "deterministic"})


def test_splits_are_by_application_month_and_never_share_a_month_or_a_case(sft_build):
    examples, manifest, _ = sft_build
    months: dict[str, set[str]] = defaultdict(set)
    cases: dict[str, set[str]] = defaultdict(set)
    for example in examples:
        months[example.split].add(example.application_month)
        cases[example.split].add(example.applicant.account_id)
    assert max(months["train"]) < min(months["validation"]) <= max(months["validation"]) < min(months["test"])
    assert months["test"] == set(manifest.plan.months["test"]) and len(months["test"]) == 2
    assert not (cases["train"] & cases["test"]) and not (cases["validation"] & cases["test"])
    assert all(manifest.counts[s] > 0 for s in ("train", "validation", "test"))


def test_a_case_appears_in_zh_and_en_with_the_prompt_in_that_language(sft_build):
    examples, _, _ = sft_build
    by_case = defaultdict(dict)
    for example in examples:
        by_case[example.applicant.account_id][example.lang] = example
    both = [pair for pair in by_case.values() if set(pair) == {"zh", "en"}]
    assert len(both) >= len(by_case) * 0.9
    zh, en = both[0]["zh"], both[0]["en"]
    assert "信用风险分析员" in zh.messages[0].content and "credit-risk analyst" in en.messages[0].content
    assert zh.split == en.split and zh.target.risk_level == en.target.risk_level


def test_prompts_hold_no_identity_and_the_target_matches_a_fresh_run_of_the_reasoner(sft_build, data_dir):
    examples, _, _ = sft_build
    from credlift.knowledge import reset_caches, retrieve
    from credlift.tools.risk.llm_reasoner import RISK_CLAUSES_K, risk_retrieval_query

    reset_caches()  # open the index in this test's data directory
    example = next(e for e in examples if e.lang == "zh")
    sent = example.messages[0].content + example.messages[1].content
    assert "holder_name" not in sent and "id_number" not in sent and "certificate_number" not in sent
    clauses = retrieve(risk_retrieval_query(example.applicant, example.credential, example.lang),
                       lang=example.lang, k=RISK_CLAUSES_K)
    assert [c.clause.id for c in clauses] == example.retrieved_clause_ids
    fresh = assess_risk(example.applicant, example.credential, example.risk_score, clauses)
    assert fit_answer_limits(localise_target(fresh, example.lang, example.applicant, example.credential,
                                             example.risk_score)) == example.target
    english = next(e for e in examples if e.lang == "en")
    assert english.target.rationale.startswith("Scorecard") and "评分卡" in example.target.rationale


def test_written_files_round_trip_and_the_manifest_hashes_them(sft_build):
    examples, manifest, folder = sft_build
    for split in ("train", "validation", "test"):
        path = folder / f"{split}.jsonl"
        assert hashlib.sha256(path.read_bytes()).hexdigest() == manifest.files[path.name]
        assert [e.example_id for e in read_examples(path)] == [e.example_id for e in examples if e.split == split]
    assert SftExample.model_validate_json((folder / "test.jsonl").read_text().splitlines()[0]).split == "test"


def test_too_few_months_for_the_requested_splits_is_an_error():
    import pytest

    with pytest.raises(ValueError, match="cannot make"):
        plan_time_splits(["2024-01", "2024-02", "2024-03"], validation_months=2, test_months=2)
    plan = plan_time_splits([f"2024-{m:02d}" for m in range(1, 13)] * 3, validation_months=3, test_months=3)
    assert plan.months["test"] == ["2024-10", "2024-11", "2024-12"]
    assert plan.split_of("2024-08") == "validation" and plan.split_of("2024-01") == "train"


def test_targets_fit_the_answer_limits_the_schema_enforces(sft_build):
    from credlift.tools.risk.llm_reasoner import (MAX_CITED_CLAUSES, MAX_FACTOR_DETAIL_CHARS, MAX_FACTORS,
                                                  MAX_RATIONALE_CHARS, assessment_json_schema)

    examples, _, _ = sft_build
    schema = assessment_json_schema(["RISK-PD"])["properties"]
    assert schema["cited_clauses"]["maxItems"] == MAX_CITED_CLAUSES and schema["factors"]["maxItems"] == MAX_FACTORS
    assert schema["rationale"]["maxLength"] == MAX_RATIONALE_CHARS
    assert max(len(e.target.factors) for e in examples) == MAX_FACTORS  # cut: the reasoner names more
    for example in examples:
        assert len(example.target.cited_clauses) <= MAX_CITED_CLAUSES
        assert len(example.target.rationale) <= MAX_RATIONALE_CHARS
        assert all(len(f.detail) <= MAX_FACTOR_DETAIL_CHARS for f in example.target.factors)
    assert examples[0].target.factors[0].name == "credential"


def test_balancing_evens_the_train_levels_and_leaves_the_held_out_mix(sft_build):
    examples, _, _ = sft_build
    balanced = balance_levels(examples, "train", seed=0)
    counts = defaultdict(int)
    for example in balanced:
        if example.split == "train":
            counts[example.target.risk_level] += 1
    assert len(counts) >= 2 and len(set(counts.values())) == 1
    assert [e.example_id for e in balanced if e.split != "train"] == [e.example_id for e in examples
                                                                     if e.split != "train"]


def test_an_account_with_a_test_case_is_dropped_from_train(sft_build):
    examples, manifest, _ = sft_build
    assert manifest.accounts_in_two_splits == 0
    tested = next(e for e in examples if e.split == "test")
    trained = next(e for e in examples if e.split == "train")
    same_account = trained.model_copy(update={"applicant": tested.applicant, "example_id": "again"})
    kept, dropped = drop_held_out_accounts([*examples, same_account])
    assert dropped == 1 and [e.example_id for e in kept] == [e.example_id for e in examples]
