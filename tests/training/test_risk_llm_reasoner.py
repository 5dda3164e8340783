"""The risk LLM over HTTP: a good answer is used; anything malformed, unbounded, uncited or late is discarded for
the deterministic reasoner, with the reason logged and no personal data in the log."""
from __future__ import annotations

import json
import logging
import time
from datetime import date

import pytest

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.credential import CredentialRecord
from credlift.domain.policy import Clause, RetrievedClause
from credlift.domain.risk import RiskScore
from credlift.evals.openai_test_server import OpenAITestServer
from credlift.tools.policy_parameters import load_policy_parameters
from credlift.tools.risk.llm_reasoner import LlmRiskReasoner, level_for_pd, render_risk_messages

NAME = "林晓雨"
ID_NUMBER = "44010619990103028X"  # a valid number: redaction masks what python-stdnum accepts


@pytest.fixture()
def case():
    applicant = ApplicantProfile(account_id="acct-llm-01", name=NAME, id_number=ID_NUMBER, current_limit=2000,
                                 utilisation=0.35, months_on_book=6, delinquent_last_12m=0, income_band="low",
                                 thin_file=True, occupation="学生")
    credential = CredentialRecord(type="cet6", fields={
        "holder_name": NAME, "id_number": ID_NUMBER, "certificate_number": "123456789012345",
        "total_score": 561, "exam_session": "2025-06", "issue_date": "2025-06", "school": "北京大学",
        "gender": "女", "birth_date": "1999-12-31", "admission_number": "110011251200315"})
    risk_score = RiskScore(probability_of_default=0.031, baseline_probability_of_default=0.052, points=640,
                           band="A", model_version="test", contributions={"credential": 18.0, "utilisation": 4.0})
    clauses = [RetrievedClause(clause=Clause(id=cid, topic="risk", title_zh=cid, title_en=cid,
                                             text_zh=f"{cid} 条款正文", text_en=f"{cid} clause text"),
                               score=1.0 - i / 10, rank=i + 1)
               for i, cid in enumerate(["INC-CET6", "RISK-PD", "CAP-UTIL"])]
    return applicant, credential, risk_score, clauses


def answer(**overrides) -> str:
    payload = {"risk_level": "low",
               "factors": [{"name": "cet6_score", "direction": "lowers_risk", "detail": "CET-6 561, strong"}],
               "adjustment": 0.1, "cited_clauses": ["INC-CET6", "RISK-PD"],
               "rationale": "A strong CET-6 score and low utilisation; the scorecard PD is in band A."}
    payload.update(overrides)
    return json.dumps(payload, ensure_ascii=False)


def reasoner_for(settings, server: OpenAITestServer, timeout_s: float = 120.0) -> LlmRiskReasoner:
    configured = settings.model_copy(update={"llm_base_url": server.base_url, "llm_timeout_s": timeout_s})
    return LlmRiskReasoner(configured, lang="en")


def test_a_valid_answer_is_used_and_the_request_carries_the_schema_with_bounds_and_retrieved_ids(settings, case):
    with OpenAITestServer(chat_handler=lambda body: answer()) as server:
        assessment, reason = reasoner_for(settings, server).assess(*case, today=date(2026, 11, 1))
        body = server.chat_requests()[0]
    assert reason is None
    assert assessment.source == "llm"
    assert assessment.risk_level == "low" and assessment.adjustment == 0.1
    assert assessment.cited_clauses == ["INC-CET6", "RISK-PD"]
    schema = body["response_format"]["json_schema"]["schema"]
    bounds = load_policy_parameters().llm_adjustment_bounds
    assert body["response_format"]["type"] == "json_schema"
    assert schema["properties"]["adjustment"]["minimum"] == bounds.min
    assert schema["properties"]["adjustment"]["maximum"] == bounds.max
    assert schema["properties"]["cited_clauses"]["items"]["enum"] == ["CAP-UTIL", "INC-CET6", "RISK-PD"]
    assert body["model"] == settings.llm_model and body["temperature"] == 0.0


def test_the_model_never_sees_identity_numbers_or_protected_attributes(settings, case):
    with OpenAITestServer(chat_handler=lambda body: answer()) as server:
        reasoner_for(settings, server).assess(*case)
        sent = json.dumps(server.chat_requests()[0]["messages"], ensure_ascii=False)
    assert NAME not in sent and ID_NUMBER not in sent and "123456789012345" not in sent
    assert "1999-12-31" not in sent and "gender" not in sent and "110011251200315" not in sent
    assert "561" in sent and "INC-CET6" in sent


@pytest.mark.parametrize("server_answer, code", [
    ("{\"risk_level\": \"low\", \"factors\": [", "malformed_json"),
    ("", "empty_answer"),
    (answer(adjustment=0.35), "adjustment_out_of_bounds"),
    (answer(adjustment=-0.9), "adjustment_out_of_bounds"),
    (answer(cited_clauses=["INC-CET6", "CAP-INCOME"]), "uncited_clause"),
    (answer(cited_clauses=[]), "no_citation"),
    (answer(risk_level="very low"), "schema"),
    (answer(limit=99999), "schema"),
    (answer(risk_level="high"), "risk_level_inconsistent"),
    (500, "http_error"),
    (ConnectionResetError("dropped"), "unreachable"),
], ids=["malformed", "empty", "above-bound", "below-bound", "uncited", "no-citation", "bad-level", "extra-field",
        "level-two-bands-off", "http-500", "dropped-connection"])
def test_an_unusable_answer_falls_back_to_the_deterministic_reasoner_with_the_reason(settings, case, server_answer,
                                                                                     code, caplog):
    from credlift.tools.risk.reasoning import assess_risk

    with OpenAITestServer(chat_handler=lambda body: server_answer) as server, \
            caplog.at_level(logging.WARNING, logger="credlift.tools.risk.llm_reasoner"):
        assessment, reason = reasoner_for(settings, server).assess(*case)
    assert reason is not None and reason.startswith(code)
    assert assessment.source == "deterministic"
    assert assessment == assess_risk(*case)
    logged = caplog.text
    assert code in logged and "acct-llm-01" in logged
    assert NAME not in logged and ID_NUMBER not in logged


def test_a_server_slower_than_the_timeout_is_abandoned_for_the_deterministic_reasoner(settings, case):
    def slow(body):
        time.sleep(1.5)
        return ConnectionResetError("the client has gone")  # close quietly instead of writing to a closed socket

    with OpenAITestServer(chat_handler=slow) as server:
        assessment, reason = reasoner_for(settings, server, timeout_s=0.3).assess(*case)
    assert reason.startswith("timeout")
    assert assessment.source == "deterministic"


def test_one_risk_level_away_from_the_pd_band_is_accepted(settings, case):
    assert level_for_pd(case[2].probability_of_default) == "low"
    with OpenAITestServer(chat_handler=lambda body: answer(risk_level="medium", adjustment=0.0)) as server:
        assessment, reason = reasoner_for(settings, server).assess(*case)
    assert reason is None and assessment.risk_level == "medium"


def test_id_numbers_echoed_in_the_rationale_are_masked(settings, case):
    with OpenAITestServer(chat_handler=lambda body: answer(rationale=f"holder {ID_NUMBER} looks fine")) as server:
        assessment, reason = reasoner_for(settings, server).assess(*case)
    assert reason is None
    assert ID_NUMBER not in assessment.rationale and "440***********028X" in assessment.rationale


def test_without_an_endpoint_the_deterministic_reasoner_answers_and_says_why(settings, case):
    assessment, reason = LlmRiskReasoner(settings).assess(*case)
    assert reason.startswith("not_configured")
    assert assessment.source == "deterministic"


def test_prompts_exist_in_both_languages_and_state_the_bounds(case):
    bounds = load_policy_parameters().llm_adjustment_bounds
    for lang in ("zh", "en"):
        system, user = render_risk_messages(*case, lang=lang, as_of=date(2026, 11, 1))
        assert str(bounds.min) in system["content"] and str(bounds.max) in system["content"]
        assert "RISK-PD" in user["content"] and '"total_score":561' in user["content"]
    assert "只能引用" in render_risk_messages(*case, lang="zh")[1]["content"]


def test_the_prompt_gives_each_clause_its_rule_and_the_features_compactly(case):
    """The prompt's clauses are id, title and first sentence (the rule), not the whole text: a small CPU model's
    cost per case is mostly reading the prompt. Training data is built by the same function."""
    from credlift.domain.policy import RetrievedClause
    from credlift.knowledge import get_clause
    from credlift.tools.risk.llm_reasoner import RISK_CLAUSE_CHARS, clause_rule

    real = [RetrievedClause(clause=get_clause("RISK-PD"), score=1.0, rank=1)]
    _, user = render_risk_messages(*case[:3], real, lang="en", as_of=date(2026, 11, 1))
    pd_clause = get_clause("RISK-PD").text("en")
    assert clause_rule(pd_clause) in user["content"] and pd_clause not in user["content"]
    assert "band D" in clause_rule(pd_clause)  # the first sentence holds the whole band table
    assert clause_rule(pd_clause).endswith("this time.") and len(clause_rule(pd_clause)) <= RISK_CLAUSE_CHARS
    assert clause_rule("One rule. Then more.  ") == "One rule."
    assert clause_rule("word " * 100, max_chars=40).endswith("…") and len(clause_rule("word " * 100, 40)) <= 40
    assert '"applicant":{' in user["content"]  # JSON without spaces


# --- a model server that misbehaves -----------------------------------------------------------------------
def _refusing(refused: set[str], content: str):
    """A server that answers HTTP 400 to the response_format types in `refused` (None: no response_format)."""
    def handler(body: dict):
        kind = (body.get("response_format") or {}).get("type")
        return 400 if kind in refused else content
    return handler


@pytest.mark.parametrize("refused, used", [({"json_schema"}, "json_object"),
                                           ({"json_schema", "json_object"}, None)],
                         ids=["json_object", "parse-and-validate"])
def test_structured_output_falls_back_when_the_server_refuses_a_form(settings, case, refused, used):
    from credlift.tools.risk import llm_reasoner

    with OpenAITestServer(chat_handler=_refusing(refused, answer())) as server:
        llm_reasoner._accepted_mode.clear()
        assessment, reason = reasoner_for(settings, server).assess(*case)
        second, _ = reasoner_for(settings, server).assess(*case)
        kinds = [(body.get("response_format") or {}).get("type") for body in server.chat_requests()]
    assert reason is None and assessment.source == "llm" and second.source == "llm"
    # json_schema first, then the fallbacks in order; the form that worked is remembered for the next call
    assert kinds[:len(refused) + 1] == ["json_schema", "json_object", None][:len(refused) + 1]
    assert kinds[-1] == used and len(kinds) == len(refused) + 2


def test_every_call_carries_a_token_limit_and_a_slow_server_is_cancelled(settings, case):
    with OpenAITestServer(chat_handler=lambda body: answer(), delay_s=60.0) as server:
        assessment, reason = reasoner_for(settings, server, timeout_s=0.5).assess(*case)
        for _ in range(200):  # the server notices the closed connection (bounded wait, ~10 s at most)
            if server.cancelled:
                break
            time.sleep(0.05)
        body = server.chat_requests()[0]
    assert reason.startswith("timeout") and assessment.source != "llm"
    assert body["max_tokens"] == settings.reasoner_max_tokens
    assert server.cancelled == 1  # the client gave up and the server stopped generating


def test_responder_and_reasoner_have_their_own_server_and_model(settings):
    from credlift.agent.responders.llm import LlmResponder

    configured = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "shared",
                                             "reasoner_base_url": "http://127.0.0.1:8/v1", "reasoner_model": "risk",
                                             "responder_model": "chat"})
    assert (configured.responder_url, configured.responder_llm_model) == ("http://127.0.0.1:9/v1", "chat")
    assert (configured.reasoner_url, configured.reasoner_llm_model) == ("http://127.0.0.1:8/v1", "risk")
    responder = LlmResponder(configured)
    assert responder.chat.model_name == "chat" and responder.chat.max_tokens == configured.responder_max_tokens
    assert LlmRiskReasoner(configured).configured
