"""The deterministic risk reasoner and the monthly budget."""
from __future__ import annotations

from risk_helpers import TODAY, applicant, authentic, cet6, risk, valid

from credlift.domain.policy import Clause, RetrievedClause
from credlift.tools.budget import propose_budget
from credlift.tools.limits import decide
from credlift.tools.policy_parameters import load_policy_parameters
from credlift.tools.risk.reasoning import assess_risk


def clauses(*ids: str) -> list[RetrievedClause]:
    return [RetrievedClause(clause=Clause(id=i, topic="t", title_zh="t", title_en="t", text_zh="t", text_en="t"),
                            score=1.0, rank=n) for n, i in enumerate(ids)]


def test_reasoner_cites_only_clauses_it_was_given():
    assessment = assess_risk(applicant(utilisation=0.9), cet6(), risk(0.05, 0.09), clauses("RISK-PD", "CAP-UTIL", "FAQ-01"))
    assert assessment.cited_clauses == ["RISK-PD", "CAP-UTIL"]
    assert assess_risk(applicant(), cet6(), risk(), []).cited_clauses == []


def test_reasoner_levels_follow_the_pd_bands_and_never_adjust():
    for pd_, level in [(0.02, "low"), (0.05, "medium"), (0.09, "high"), (0.3, "high")]:
        assessment = assess_risk(applicant(), cet6(), risk(pd_, pd_ + 0.02), clauses("RISK-PD"))
        assert assessment.risk_level == level
        assert assessment.adjustment == 0.0 and assessment.source == "deterministic"


def test_reasoner_names_factors_with_direction():
    assessment = assess_risk(applicant(delinquent_last_12m=2), cet6(), risk(0.05, 0.09), [])
    by_name = {f.name: f.direction for f in assessment.factors}
    assert by_name["credential"] == "lowers_risk" and by_name["recent_delinquency"] == "raises_risk"


def test_budget_keeps_spending_under_the_target_utilisation():
    person = applicant(current_limit=2000, utilisation=0.3)
    decision = decide(person, cet6(), valid(), authentic(), risk(), today=TODAY)
    target = load_policy_parameters().budget.target_utilisation
    budget = propose_budget(person, decision, "en")
    assert budget.new_limit == 5000 and budget.monthly_spend_ceiling == int(5000 * target)
    assert budget.current_balance_estimate == 600 and budget.headroom == 900
    assert budget.lines == budget.lines_en and "1500" in budget.lines_en[0]
    assert "1500" in propose_budget(person, decision, "zh").lines[0] and "BUD-ADVICE" in budget.clause_ids


def test_budget_says_to_pay_down_first_when_the_balance_is_above_the_ceiling():
    person = applicant(current_limit=4000, utilisation=0.8)
    decision = decide(person, cet6(), valid(), authentic(), risk(), today=TODAY)
    budget = propose_budget(person, decision, "en")
    assert budget.headroom == 0 and "paying it down" in budget.lines_en[1]
