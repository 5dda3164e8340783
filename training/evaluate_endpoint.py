"""Evaluates any OpenAI-compatible endpoint as credlift's risk LLM on a held-out (out-of-time) SFT split.

For each example the endpoint gets the same messages and structured-output schema the agent sends. Measured:
JSON validity (parses and fits the schema), citation validity (cites only retrieved clauses), bounds validity,
acceptance (passes every check the agent applies), agreement with the policy engine (the engine's decision with
the model's assessment vs with the reference assessment), risk-level agreement with the reference, calibration
of the model's risk levels against 12-month default outcomes, and latency (p50, p95).
"""
from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from credlift.domain.risk import RiskAssessment
from credlift.knowledge import all_clauses
from credlift.tools.policy_parameters import load_policy_parameters
from credlift.tools.risk.llm_reasoner import (RISK_LEVELS, AnswerRejected, LlmCall, LlmRiskAnswer,
                                              chat_completion, level_for_pd, response_format, validate_answer)
from credlift.training.sft_data import SftExample, read_examples, verified_evidence


class LevelCalibration(BaseModel):
    risk_level: str
    count: int
    default_rate: float | None
    default_rate_ci95: tuple[float, float] | None = Field(default=None, description="Wilson interval")
    mean_pd: float | None = Field(description="mean scorecard PD of the examples at this level")


class EndpointEvaluation(BaseModel):
    base_url: str
    model: str
    examples: int
    json_valid_rate: float = Field(description="answers that parse and fit the schema")
    citation_valid_rate: float = Field(description="of JSON-valid answers: at least one citation, all retrieved")
    citation_exists_rate: float = Field(default=0.0, description="of JSON-valid answers: at least one citation, "
                                        "every cited id a clause of the policy")
    bounds_valid_rate: float = Field(description="of JSON-valid answers: adjustment within the policy bounds")
    accepted_rate: float = Field(description="answers the agent would use (every check passed)")
    rejections: dict[str, int] = Field(description="rejection code -> count")
    decision_agreement: float | None = Field(description="accepted answers: engine decision kind equals the reference")
    increase_mean_abs_diff: float | None = Field(description="accepted answers: mean |increase - reference| in yuan")
    risk_level_agreement: float | None = Field(description="accepted answers: same risk level as the reference")
    reason_code_agreement: float = Field(default=0.0, description="all cases: the answer is accepted and the policy "
                                         "engine's decision with it has the reference's kind, increase and reason "
                                         "codes (a rejected answer disagrees)")
    pd_band_accuracy: float = Field(default=0.0, description="all cases: a schema-valid answer whose risk level is "
                                    "the level of the scorecard PD's band")
    calibration: list[LevelCalibration] = Field(description="accepted answers: default rate per model risk level")
    reference_calibration: list[LevelCalibration]
    calibration_monotonic: bool | None = Field(description="default rate rises from low to high (levels with data)")
    risk_level_auc: float | None = Field(default=None, description="accepted answers: AUC of the level (low<medium<"
                                         "high) for 12-month default; 0.5 = no ranking power")
    reference_risk_level_auc: float | None = None
    latency_p50_s: float | None
    latency_p95_s: float | None
    latency_mean_s: float | None
    concurrency: int = 1
    requests_per_s: float | None = None


def _calibration(pairs: list[tuple[str, SftExample]]) -> list[LevelCalibration]:
    by_level: dict[str, list[SftExample]] = defaultdict(list)
    for level, example in pairs:
        by_level[level].append(example)
    from scipy.stats import binomtest

    rows = []
    for level in RISK_LEVELS:
        group = by_level.get(level, [])
        defaults = sum(e.defaulted_12m for e in group)
        interval = binomtest(defaults, len(group)).proportion_ci(method="wilson") if group else None
        rows.append(LevelCalibration(
            risk_level=level, count=len(group),
            default_rate=defaults / len(group) if group else None,
            default_rate_ci95=(float(interval.low), float(interval.high)) if interval else None,
            mean_pd=float(np.mean([e.risk_score.probability_of_default for e in group])) if group else None))
    return rows


def _monotonic(rows: list[LevelCalibration]) -> bool | None:
    rates = [r.default_rate for r in rows if r.default_rate is not None]
    if len(rates) < 2:
        return None
    return all(a <= b for a, b in zip(rates, rates[1:]))


def _level_auc(pairs: list[tuple[str, SftExample]]) -> float | None:
    """How well the ordinal risk level ranks defaulters above non-defaulters (ties count half)."""
    from sklearn.metrics import roc_auc_score

    outcomes = [e.defaulted_12m for _, e in pairs]
    if len(set(outcomes)) < 2:
        return None
    return float(roc_auc_score(outcomes, [RISK_LEVELS.index(level) for level, _ in pairs]))


def _rate(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _ask(base_url: str, model: str, api_key: str, timeout_s: float, example: SftExample, params) -> LlmCall | str:
    """The endpoint's answer to one example, or the rejection code of a transport failure."""
    messages = [m.model_dump() for m in example.messages if m.role != "assistant"]
    try:
        return chat_completion(base_url, model, messages, response_format(example.retrieved_clause_ids, params),
                               api_key=api_key, timeout_s=timeout_s)
    except AnswerRejected as rejection:
        return rejection.code


def evaluate_endpoint(base_url: str, examples: list[SftExample], model: str = "credlift-risk",
                      api_key: str = "EMPTY", timeout_s: float = 30.0, concurrency: int = 1,
                      decide: Callable | None = None) -> EndpointEvaluation:
    """`concurrency` > 1 sends that many requests at a time (vLLM batches them); latency is per request."""
    if decide is None:
        from credlift.tools.limits import decide
    params = load_policy_parameters()
    validation, authenticity = verified_evidence()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        calls = list(pool.map(lambda e: _ask(base_url, model, api_key, timeout_s, e, params), examples))
    wall_s = time.perf_counter() - started
    latencies: list[float] = []
    rejections: dict[str, int] = defaultdict(int)
    json_valid = citation_valid = citation_exists = bounds_valid = band_right = 0
    policy_ids = {clause.id for clause in all_clauses()}
    accepted: list[tuple[RiskAssessment, SftExample]] = []
    for example, call in zip(examples, calls):
        if isinstance(call, str):
            rejections[call] += 1
            continue
        latencies.append(call.latency_s)
        answer = _parse(call.content)
        if answer is not None:
            json_valid += 1
            cited = set(answer.cited_clauses)
            citation_valid += bool(cited) and cited <= set(example.retrieved_clause_ids)
            citation_exists += bool(cited) and cited <= policy_ids
            band_right += answer.risk_level == level_for_pd(example.risk_score.probability_of_default, params)
            bounds_valid += params.llm_adjustment_bounds.min <= answer.adjustment <= params.llm_adjustment_bounds.max
        try:
            assessment = validate_answer(call.content, example.retrieved_clause_ids, example.risk_score, params)
        except AnswerRejected as rejection:
            rejections[rejection.code] += 1
            continue
        accepted.append((assessment, example))

    agreements, increase_diffs, level_agreements, code_agreements = [], [], [], 0
    for assessment, example in accepted:
        decision = decide(example.applicant, example.credential, validation, authenticity, example.risk_score,
                          assessment=assessment, today=example.as_of)
        reference = decide(example.applicant, example.credential, validation, authenticity, example.risk_score,
                           assessment=example.target, today=example.as_of)
        code_agreements += (decision.kind, decision.increase, [c.code for c in decision.reason_codes]) == (
            reference.kind, reference.increase, [c.code for c in reference.reason_codes])
        agreements.append(decision.kind == example.reference_decision)
        increase_diffs.append(abs(decision.increase - example.reference_increase))
        level_agreements.append(assessment.risk_level == example.target.risk_level)
    calibration = _calibration([(a.risk_level, e) for a, e in accepted])
    n = len(examples)
    return EndpointEvaluation(
        base_url=base_url, model=model, examples=n,
        json_valid_rate=_rate(json_valid, n), citation_valid_rate=_rate(citation_valid, json_valid),
        citation_exists_rate=_rate(citation_exists, json_valid),
        reason_code_agreement=_rate(code_agreements, n), pd_band_accuracy=_rate(band_right, n),
        bounds_valid_rate=_rate(bounds_valid, json_valid), accepted_rate=_rate(len(accepted), n),
        rejections=dict(rejections),
        decision_agreement=float(np.mean(agreements)) if agreements else None,
        increase_mean_abs_diff=float(np.mean(increase_diffs)) if increase_diffs else None,
        risk_level_agreement=float(np.mean(level_agreements)) if level_agreements else None,
        calibration=calibration,
        reference_calibration=_calibration([(e.target.risk_level, e) for e in examples]),
        calibration_monotonic=_monotonic(calibration),
        risk_level_auc=_level_auc([(a.risk_level, e) for a, e in accepted]),
        reference_risk_level_auc=_level_auc([(e.target.risk_level, e) for e in examples]),
        latency_p50_s=float(np.percentile(latencies, 50)) if latencies else None,
        latency_p95_s=float(np.percentile(latencies, 95)) if latencies else None,
        latency_mean_s=statistics.fmean(latencies) if latencies else None,
        concurrency=max(1, concurrency),
        requests_per_s=len(examples) / wall_s if wall_s > 0 else None,
    )


def _parse(content: str | None) -> LlmRiskAnswer | None:
    """Schema-level parse only (no policy checks), for the JSON-validity rate."""
    try:
        text = (content or "").strip()
        if text.startswith("```"):
            text = text.split("\n", 1)[-1].rsplit("```", 1)[0]
        return LlmRiskAnswer.model_validate(json.loads(text))
    except (ValueError, TypeError):
        return None


def evaluate_file(base_url: str, data: Path, limit: int | None = None, lang: str | None = None,
                  **kwargs) -> EndpointEvaluation:
    """`lang` keeps one language: each case is in the file once per language, and calibration intervals assume
    independent cases."""
    examples = [e for e in read_examples(data) if lang is None or e.lang == lang]
    return evaluate_endpoint(base_url, examples[:limit] if limit else examples, **kwargs)


def summary_lines(report: EndpointEvaluation) -> list[str]:
    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.1f}%"

    def secs(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f} s"

    lines = [
        f"endpoint {report.base_url} model {report.model}: {report.examples} examples",
        f"JSON valid {pct(report.json_valid_rate)}, citations valid {pct(report.citation_valid_rate)}, "
        f"bounds valid {pct(report.bounds_valid_rate)}, accepted {pct(report.accepted_rate)}",
        f"agreement with the policy engine {pct(report.decision_agreement)} "
        f"(mean |increase diff| {report.increase_mean_abs_diff if report.increase_mean_abs_diff is not None else 'n/a'}), "
        f"risk level agreement {pct(report.risk_level_agreement)}; of all cases: reason codes agree "
        f"{pct(report.reason_code_agreement)}, level = PD band {pct(report.pd_band_accuracy)}",
        "calibration (model level: n, default rate [95% CI]): " + ", ".join(
            f"{c.risk_level} {c.count} {pct(c.default_rate)}"
            + (f" [{pct(c.default_rate_ci95[0])}, {pct(c.default_rate_ci95[1])}]" if c.default_rate_ci95 else "")
            for c in report.calibration)
        + f"; monotonic {report.calibration_monotonic}; level AUC "
        + (f"{report.risk_level_auc:.3f}" if report.risk_level_auc is not None else "n/a")
        + " (reference " + (f"{report.reference_risk_level_auc:.3f}" if report.reference_risk_level_auc is not None
                            else "n/a") + ")",
        f"latency p50 {secs(report.latency_p50_s)}, p95 {secs(report.latency_p95_s)} "
        f"({report.concurrency} at a time, "
        f"{'n/a' if report.requests_per_s is None else f'{report.requests_per_s:.1f}'} requests/s)",
    ]
    if report.rejections:
        lines.append("rejections: " + ", ".join(f"{k} {v}" for k, v in sorted(report.rejections.items())))
    return lines
