"""Endpoint evaluation against a local OpenAI-compatible server: validity rates, engine agreement, calibration,
latency, and the `credlift training evaluate` command."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from credlift.evals.openai_test_server import OpenAITestServer
from credlift.training.evaluate_endpoint import evaluate_endpoint


def _reference_answers(examples):
    """user message -> the reference answer: the server plays a model that learned the targets perfectly."""
    return {e.messages[1].content: e.messages[-1].content for e in examples}


def test_a_model_that_answers_the_references_agrees_with_the_policy_engine_everywhere(sft_build):
    examples, _, _ = sft_build
    test = [e for e in examples if e.split == "test"]
    answers = _reference_answers(test)
    with OpenAITestServer(chat_handler=lambda body: answers[body["messages"][1]["content"]]) as server:
        report = evaluate_endpoint(server.base_url, test)
        sent = server.chat_requests()
    assert report.examples == len(test) == len(sent)
    assert report.json_valid_rate == report.citation_valid_rate == report.bounds_valid_rate == 1.0
    assert report.accepted_rate == 1.0 and report.rejections == {}
    assert report.decision_agreement == 1.0 and report.increase_mean_abs_diff == 0.0
    assert report.risk_level_agreement == 1.0
    assert sum(c.count for c in report.calibration) == len(test)
    assert [c.count for c in report.calibration] == [c.count for c in report.reference_calibration]
    assert report.risk_level_auc == report.reference_risk_level_auc
    assert 0 < report.latency_p50_s <= report.latency_p95_s  # measured, never a limit: a busy machine is slow
    assert all(m["role"] != "assistant" for body in sent for m in body["messages"])
    assert all(body["response_format"]["type"] == "json_schema" for body in sent)


def test_malformed_uncited_and_out_of_bounds_answers_are_counted_separately(sft_build):
    examples, _, _ = sft_build
    test = [e for e in examples if e.split == "test"][:8]
    answers = _reference_answers(test)

    def handler(body):
        index = [e.messages[1].content for e in test].index(body["messages"][1]["content"])
        reference = json.loads(answers[body["messages"][1]["content"]])
        if index == 0:
            return "{not json"
        if index == 1:
            return json.dumps({**reference, "adjustment": 0.9})
        if index == 2:
            return json.dumps({**reference, "cited_clauses": ["NOT-RETRIEVED"]})
        if index == 3:
            return 503
        return answers[body["messages"][1]["content"]]

    with OpenAITestServer(chat_handler=handler) as server:
        report = evaluate_endpoint(server.base_url, test, concurrency=4)
    assert report.rejections == {"malformed_json": 1, "adjustment_out_of_bounds": 1, "uncited_clause": 1,
                                 "http_error": 1}
    assert report.json_valid_rate == 6 / 8          # the malformed answer and the 503 have no valid JSON
    assert report.citation_valid_rate == 5 / 6
    assert report.bounds_valid_rate == 5 / 6
    assert report.accepted_rate == 4 / 8
    assert report.decision_agreement == 1.0
    assert report.concurrency == 4 and report.requests_per_s > 0


def test_the_command_prints_the_summary_and_writes_the_report(sft_build, tmp_path):
    from credlift.ui.cli import app

    examples, _, folder = sft_build
    answers = _reference_answers(examples)
    report_path = tmp_path / "risk-llm.json"
    with OpenAITestServer(chat_handler=lambda body: answers[body["messages"][1]["content"]]) as server:
        result = CliRunner().invoke(app, ["training", "evaluate", "--base-url", server.base_url,
                                          "--data", str(folder / "test.jsonl"), "--limit", "4",
                                          "--report", str(report_path)])
    assert result.exit_code == 0, result.output
    assert "JSON valid 100.0%" in result.output and "latency p50" in result.output
    assert json.loads(report_path.read_text())["examples"] == 4
