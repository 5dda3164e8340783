"""The policy engine: each rule, cap and reason code pinned with numbers from knowledge/policy/parameters.yaml."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from risk_helpers import TODAY, applicant, authentic, cet6, degree, risk, valid

from credlift.domain.credential import CredentialRecord
from credlift.domain.risk import RiskAssessment
from credlift.tools.limits import POLICY_CLAUSE_IDS, REASONS, credential_key, decide
from credlift.tools.policy_parameters import load_policy_parameters

PARAMS = load_policy_parameters()


def run(profile=None, credential=None, validation=None, authenticity=None, risk_score=None, assessment=None, **kw):
    return decide(profile or applicant(), credential or cet6(), validation or valid(), authenticity or authentic(),
                  risk_score or risk(), assessment, today=TODAY, **kw)


def codes(decision) -> list[str]:
    return [r.code for r in decision.reason_codes]


def test_verified_cet6_in_band_a_earns_the_table_increase():
    decision = run()
    assert decision.kind == "approve"
    assert decision.increase == 3000 == PARAMS.credential_increase.cet6[0].increase
    assert decision.new_limit == 2000 + 3000
    assert codes(decision)[0] == "INC_CREDENTIAL"
    assert decision.reason_codes[0].clause_ids == ["INC-CET6"]
    assert "561" in decision.reason_codes[0].text_en and "3000" in decision.reason_codes[0].text_zh
    assert decision.policy_version == PARAMS.policy_version


@pytest.mark.parametrize("pd_, expected", [(0.03, 3000), (0.05, 2400), (0.09, 1500)])
def test_pd_band_scales_the_increase(pd_, expected):
    decision = run(risk_score=risk(pd_))
    assert decision.increase == expected
    assert ("RISK_PD_SCALED" in codes(decision)) == (expected < 3000)


def test_pd_above_the_last_band_declines_with_risk_reason():
    decision = run(risk_score=risk(0.2))
    assert decision.kind == "decline" and decision.increase == 0
    assert codes(decision)[0] == "RISK_PD_HIGH" and "RISK-PD" in decision.clause_ids


def test_recent_delinquency_blocks_any_increase():
    decision = run(profile=applicant(delinquent_last_12m=1), risk_score=risk(0.01))
    assert decision.kind == "decline" and decision.increase == 0 and decision.new_limit == 2000
    assert codes(decision)[0] == "CAP_DELINQ" and "CAP-DELINQ" in decision.clause_ids
    assert any("Twelve months" in c.text_en for c in decision.counterfactuals)


def test_high_utilisation_blocks_any_increase():
    decision = run(profile=applicant(utilisation=0.9))
    assert decision.kind == "decline" and decision.increase == 0
    assert codes(decision)[0] == "CAP_UTIL" and "90%" in decision.reason_codes[0].text_en
    assert run(profile=applicant(utilisation=PARAMS.max_utilisation_for_increase)).kind == "approve"


def test_total_limit_is_capped_by_income_band():
    decision = run(profile=applicant(current_limit=9000))
    assert decision.increase == 1000 and decision.new_limit == PARAMS.total_limit_cap_by_income["low"]
    assert "CAP_INCOME" in codes(decision)
    at_cap = run(profile=applicant(current_limit=10000))
    assert at_cap.kind == "decline" and codes(at_cap)[0] == "CAP_INCOME_REACHED"


def test_increase_per_type_is_capped_even_after_a_positive_adjustment():
    assessment = RiskAssessment(risk_level="low", adjustment=0.2, cited_clauses=["RISK-PD"], source="llm")
    decision = run(assessment=assessment)
    assert decision.increase == PARAMS.max_increase_per_type["cet6"] == 3000
    assert "RISK_ADJUSTED" in codes(decision) and "CAP_TYPE" in codes(decision)


def test_same_certificate_counts_once():
    key = credential_key(cet6())
    assert key == "cet6:251211001001234"
    decision = run(profile=applicant(counted_credentials=[key]))
    assert decision.kind == "decline" and decision.increase == 0 and codes(decision)[0] == "CAP_ONCE"
    assert run(profile=applicant(counted_credentials=["cet6:251211001009999"])).kind == "approve"


def test_cooldown_between_increases():
    recent = run(profile=applicant(last_increase_on=TODAY - timedelta(days=30)))
    assert recent.kind == "decline" and codes(recent)[0] == "CAP_COOLDOWN"
    next_day = (TODAY - timedelta(days=30) + timedelta(days=PARAMS.cooldown_days)).isoformat()
    assert next_day in recent.reason_codes[0].text_en and next_day in recent.counterfactuals[0].text_zh
    assert run(profile=applicant(last_increase_on=TODAY - timedelta(days=PARAMS.cooldown_days))).kind == "approve"


@pytest.mark.parametrize("verdict, score", [("tampered", 0.9), ("ai_generated", 0.8), ("suspicious", 0.4),
                                            ("undetermined", 0.3), ("authentic", PARAMS.authenticity_refer_score)])
def test_tampered_document_never_yields_an_increase(verdict, score):
    generous = RiskAssessment(risk_level="low", adjustment=0.2, cited_clauses=["RISK-PD"], source="llm")
    decision = run(profile=applicant(current_limit=1000), authenticity=authentic(score, verdict),
                   validation=valid(registry="not_applicable"), risk_score=risk(0.001), assessment=generous)
    assert decision.kind == "refer"
    assert decision.increase == 0 and decision.new_limit == decision.current_limit
    assert decision.reason_codes[0].code.startswith("DOC_") and "DOC-AUTH" in decision.clause_ids
    assert "REV-MANUAL" in decision.clause_ids


def test_unverifiable_document_is_referred_without_increase():
    decision = decide(applicant(), cet6(), None, None, risk(), today=TODAY)
    assert decision.kind == "refer" and decision.increase == 0 and codes(decision)[0] == "DOC_NOT_CHECKED"


def test_unreadable_photo_declines_with_photo_advice():
    report = authentic(0.0, "unreadable").model_copy(update={"reason": "the image is too blurred"})
    decision = run(authenticity=report)
    assert decision.kind == "decline" and decision.increase == 0
    assert codes(decision) == ["DOC_UNREADABLE"] and "DOC-PHOTO" in decision.clause_ids
    assert "too blurred" in decision.reason_codes[0].text_en
    assert "whole page" in decision.counterfactuals[0].text_en


@pytest.mark.parametrize("kind", ["unknown", "other"])
def test_unknown_type_declines_and_lists_accepted_types(kind):
    decision = run(credential=CredentialRecord(type=kind, fields={"certificate_number": "X1"}))
    assert decision.kind == "decline" and decision.increase == 0
    assert codes(decision) == ["DOC_TYPE_NOT_ACCEPTED"] and "DOC-TYPES" in decision.clause_ids
    assert "degree" in decision.counterfactuals[0].text_en


def test_validation_errors_decline_without_increase():
    decision = run(validation=valid("CET_PARTS_SUM"))
    assert decision.kind == "decline" and decision.increase == 0
    assert codes(decision)[0] == "DOC_INVALID" and "CET_PARTS_SUM" in decision.reason_codes[0].text_en


def test_name_mismatch_refers_to_a_person():
    decision = run(validation=valid("NAME_MISMATCH"))
    assert decision.kind == "refer" and decision.increase == 0 and codes(decision)[0] == "DOC_NAME_MISMATCH"
    assert "DOC-NAME" in decision.clause_ids


@pytest.mark.parametrize("finding", ["ID_MISMATCH", "HOLDER_BIRTH_MISMATCH", "HOLDER_GENDER_MISMATCH"])
def test_someone_elses_certificate_refers_to_a_person_who_can_clear_it(finding):
    decision = run(validation=valid(finding))
    assert decision.kind == "refer" and decision.increase == 0 and codes(decision)[0] == "DOC_HOLDER_MISMATCH"
    assert "DOC-NAME" in decision.clause_ids and "DOC_INVALID" not in codes(decision)
    assert "not the account holder's" in decision.reason_codes[0].text_en and decision.reason_codes[0].text_zh
    cleared = run(validation=valid(finding), review_cleared=True)
    assert cleared.kind == "approve" and cleared.increase > 0


@pytest.mark.parametrize("status, code", [("mismatch", "DOC_REGISTRY_MISMATCH"), ("not_found", "DOC_REGISTRY_NOT_FOUND")])
def test_registry_disagreement_refers_to_a_person(status, code):
    decision = run(validation=valid(registry=status))
    assert decision.kind == "refer" and decision.increase == 0 and codes(decision)[0] == code


@pytest.mark.parametrize("verdict, score", [("suspicious", 0.4), ("undetermined", 0.3),
                                            ("authentic", PARAMS.authenticity_refer_score)])
def test_a_credential_verified_with_the_issuer_needs_less_pixel_evidence(verdict, score):
    decision = run(authenticity=authentic(score, verdict), validation=valid(registry="verified"))
    assert decision.kind == "approve" and decision.increase > 0
    said = next(r for r in decision.reason_codes if r.code == "DOC_ISSUER_VERIFIED")
    assert said.clause_ids == ["DOC-ISSUER"] and "verified with the issuer" in said.text_en
    assert "已向发证机构核验" in said.text_zh and "DOC-ISSUER" in decision.clause_ids
    # the same page without the issuer's word goes to a person
    assert run(authenticity=authentic(score, verdict), validation=valid(registry="not_applicable")).kind == "refer"


@pytest.mark.parametrize("verdict, score", [("tampered", 0.5), ("ai_generated", 0.5),
                                            ("suspicious", PARAMS.issuer_verified_refer_score)])
def test_clear_signs_of_editing_refer_even_when_the_issuer_verified(verdict, score):
    decision = run(authenticity=authentic(score, verdict), validation=valid(registry="verified"))
    assert decision.kind == "refer" and decision.increase == 0 and "DOC-AUTH" in decision.clause_ids


@pytest.mark.parametrize("profile", [applicant(), applicant(utilisation=0.95, delinquent_last_12m=2)])
def test_an_issuer_that_is_down_means_review_never_decline(profile):
    decision = run(profile=profile, validation=valid(registry="unavailable"))
    assert decision.kind == "refer" and decision.increase == 0
    assert codes(decision)[0] == "DOC_ISSUER_UNAVAILABLE" and {"DOC-ISSUER", "REV-MANUAL"} <= set(decision.clause_ids)
    assert "not a decline" in decision.reason_codes[0].text_en and "这不是拒绝" in decision.reason_codes[0].text_zh
    assert run(validation=valid(registry="unavailable"), review_cleared=True).kind == "approve"


def test_cet_below_the_pass_line_earns_nothing_and_says_what_would():
    decision = run(credential=cet6(score=410))
    assert decision.kind == "decline" and decision.increase == 0 and codes(decision)[0] == "CRED_BELOW_LINE"
    assert "425" in decision.counterfactuals[0].text_en and "degree certificate" in decision.counterfactuals[0].text_en


@pytest.mark.parametrize("fields", [{}, {"degree_level": "honorary"}])
def test_unreadable_or_unknown_level_declines(fields):
    decision = run(credential=CredentialRecord(type="degree", fields={"certificate_number": "1000142025001234",
                                                                       "issue_date": "2025-06-30", **fields}))
    assert decision.kind == "decline" and decision.increase == 0 and codes(decision)[0] == "CRED_LEVEL_UNREAD"


def test_old_credential_counts_at_the_older_fraction():
    decision = run(credential=degree(issue_date="2012-06-30"))
    assert decision.increase == int(PARAMS.credential_increase.degree["bachelor"] * PARAMS.recency.older_fraction)
    assert "INC_RECENCY_OLD" in codes(decision) and "INC-RECENCY" in decision.clause_ids


def test_increase_is_rounded_down_to_the_unit():
    cet4 = CredentialRecord(type="cet4", fields={"total_score": 600, "certificate_number": "251111001001234",
                                                 "issue_date": "2025-06"})
    decision = run(credential=cet4, risk_score=risk(0.09))   # 1500 x 0.5 = 750
    assert decision.increase == 700 and decision.increase % PARAMS.rounding_unit == 0


@pytest.mark.parametrize("assessment, expected", [
    (RiskAssessment(risk_level="medium", adjustment=-0.5, cited_clauses=["RISK-PD"], source="llm"), 1500),
    (RiskAssessment(risk_level="low", adjustment=0.2, cited_clauses=[], source="llm"), 3000),
    (RiskAssessment(risk_level="low", adjustment=-0.3, cited_clauses=["MADE-UP-1"], source="llm"), 3000),
])
def test_risk_adjustment_counts_only_within_bounds_and_grounded(assessment, expected):
    decision = run(assessment=assessment)
    assert decision.increase == expected
    assert decision.inputs["assessment"]["accepted"] == (expected != 3000)


def test_adjustment_outside_the_bounds_is_ignored():
    # the contract's own bounds are wider than nothing; build one past the policy bound without validation
    out_of_bounds = RiskAssessment.model_construct(risk_level="low", adjustment=0.5, cited_clauses=["RISK-PD"],
                                                   factors=[], rationale="", source="llm")
    decision = run(assessment=out_of_bounds)
    assert decision.increase == 3000 and decision.inputs["assessment"]["accepted"] is False


def test_staff_cleared_review_can_be_approved_but_financial_caps_still_hold():
    decision = run(authenticity=authentic(0.7, "suspicious"), validation=valid("NAME_MISMATCH", "CET_PARTS_SUM"),
                   review_cleared=True)
    assert decision.kind == "approve" and codes(decision)[0] == "REVIEW_CLEARED"
    capped = run(profile=applicant(delinquent_last_12m=1), authenticity=authentic(0.7, "suspicious"), review_cleared=True)
    assert capped.kind == "decline" and capped.increase == 0
    unreadable = run(authenticity=authentic(0.0, "unreadable"), review_cleared=True)
    assert unreadable.kind == "decline" and unreadable.increase == 0


def test_approved_decision_suggests_other_credentials():
    decision = run()
    assert any("degree certificate" in c.text_en for c in decision.counterfactuals)
    assert all(c.text_zh for c in decision.counterfactuals)


def test_same_input_same_output():
    first, second = run(), run()
    assert first.model_dump() == second.model_dump()
    assert run(profile=applicant(utilisation=0.95)).model_dump() == run(profile=applicant(utilisation=0.95)).model_dump()


def test_inputs_record_every_input_and_no_personal_data():
    decision = run()
    inputs = decision.inputs
    assert inputs["today"] == TODAY.isoformat() and inputs["policy_version"] == PARAMS.policy_version
    assert inputs["applicant"]["utilisation"] == 0.3 and inputs["authenticity"]["verdict"] == "authentic"
    assert inputs["validation"]["registry_status"] == "verified" and inputs["risk_score"]["probability_of_default"] == 0.03
    assert inputs["pricing"]["increase"] == decision.increase and inputs["credential"]["key"] == decision.credential_key
    text = json.dumps(inputs, ensure_ascii=False)
    assert "110105199912310022" not in text and "林晓雨" not in text


def test_every_reason_code_has_both_languages_and_cites_fixed_clause_ids():
    for code, (clauses, text_en, text_zh) in REASONS.items():
        assert text_en and text_zh, code
        for clause in clauses:
            for formatted in {clause.format(clause=c) for c in ("INC-CET4", "INC-DEG")}:
                assert formatted in POLICY_CLAUSE_IDS, (code, formatted)
