"""The applicant's result card shows the decision in plain words and nothing of the detector's internals."""
from __future__ import annotations

from credlift.domain import Counterfactual, LimitDecision, ReasonCode
from credlift.ui.web.result_card import decision_clause_ids, render_result_card
from credlift.ui.web.views import ApplicantDecision


def _decision(**overrides) -> LimitDecision:
    values = dict(
        kind="approve", current_limit=2000, new_limit=3500, increase=1500, policy_version="2026.1",
        reason_codes=[ReasonCode(code="CRED_CET6_STRONG", text_zh="CET-6 成绩 561 分，达到加分档",
                                 text_en="A CET-6 score of 561 is in the bonus band", clause_ids=["INC-CET6"]),
                      ReasonCode(code="RISK_PD_LOW", text_zh="违约概率低", text_en="Low probability of default",
                                 clause_ids=["RISK-PD", "INC-CET6"])],
        counterfactuals=[Counterfactual(text_zh="学位证书也可以计入", text_en="A degree certificate would also count")],
        clause_ids=["CAP-INCOME"], inputs={"authenticity_score": 0.03, "signals": ["ela", "copy_move"]})
    values.update(overrides)
    return LimitDecision(**values)


def test_an_approval_shows_old_and_new_limit_the_increase_reasons_clauses_and_what_else_helps():
    card = render_result_card(_decision(), "en", {"INC-CET6": "CET-6 increase table"})
    assert 'data-decision="approve"' in card and "Limit increased" in card
    assert "¥2,000" in card and "¥3,500" in card and "+¥1,500" in card
    assert "A CET-6 score of 561 is in the bonus band" in card
    # clauses by title, their text a tap away; never the code itself
    assert "<summary>CET-6 score report — increase table</summary>" in card and "<details" in card
    assert "INC-CET6</" not in card and ">INC-CET6" not in card and "<code>" not in card
    assert "A degree certificate would also count" in card


def test_the_card_speaks_chinese_when_the_conversation_does():
    card = render_result_card(_decision(), "zh")
    assert "额度已提升" in card and "原额度" in card and "CET-6 成绩 561 分" in card and "学位证书也可以计入" in card


def test_the_card_never_shows_engine_inputs_or_detector_scores():
    card = render_result_card(_decision(), "en")
    assert "authenticity_score" not in card and "copy_move" not in card and "0.03" not in card


def test_a_referral_has_no_increase_line():
    card = render_result_card(_decision(kind="refer", new_limit=2000, increase=0), "en")
    assert "Sent for review by a person" in card and "Increase" not in card


def test_the_card_tells_the_state_truthfully_never_a_new_limit_in_review():
    refer = render_result_card(_decision(kind="refer", new_limit=2000, increase=0), "zh")
    assert "人工审核中" in refer and "新额度" not in refer and "当前额度" in refer
    decline = render_result_card(_decision(kind="decline", new_limit=2000, increase=0), "zh")
    assert "额度不变" in decline and "新额度" not in decline


def test_reason_text_is_escaped_so_a_reply_cannot_inject_markup():
    evil = ReasonCode(code="X", text_zh="<script>alert(1)</script>", text_en="<script>alert(1)</script>")
    card = render_result_card(_decision(reason_codes=[evil]), "en")
    assert "<script>" not in card and "&lt;script&gt;" in card


def test_clause_ids_come_reasons_first_without_repeats():
    assert decision_clause_ids(_decision()) == ["INC-CET6", "RISK-PD", "CAP-INCOME"]


def test_no_decision_renders_nothing():
    assert render_result_card(None, "zh") == ""


def test_the_api_decision_carries_plain_words_but_no_inputs():
    shown = ApplicantDecision.of(_decision(), "en").model_dump()
    assert shown["reasons"][0] == "A CET-6 score of 561 is in the bonus band"
    assert "inputs" not in shown and shown["increase"] == 1500
