"""The deterministic risk reasoner: the embedded default for "what does it mean for risk?".

It reads the scorecard's estimate and the applicant's file, names the factors with their direction, and
cites only clause ids among the clauses it was given (never one it invented). It proposes no adjustment:
the policy engine's table and caps decide the amount.
"""
from __future__ import annotations

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.credential import CredentialRecord
from credlift.domain.policy import RetrievedClause
from credlift.domain.risk import RiskAssessment, RiskFactor, RiskScore
from credlift.tools.credentials import INCREASE_CLAUSE
from credlift.tools.policy_parameters import load_policy_parameters

# PD band -> risk level (bands come from the policy's pd_scaling table)
BAND_LEVEL = {"A": "low", "B": "medium", "C": "high", "D": "high"}
_INCREASE_CLAUSE = INCREASE_CLAUSE  # tools/credentials
_FEATURE_NAMES = {"utilisation": "utilisation", "months_on_book": "time with us", "delinquent_last_12m":
                  "repayment history", "income_band": "income band", "thin_file": "credit file depth",
                  "credential": "credential"}


def band_for(probability_of_default: float) -> str:
    bands = load_policy_parameters().pd_scaling
    return next((b.band for b in bands if probability_of_default <= b.max_pd), bands[-1].band)


def assess_risk(applicant: ApplicantProfile, credential: CredentialRecord | None, risk_score: RiskScore,
                clauses: list[RetrievedClause]) -> RiskAssessment:
    params = load_policy_parameters()
    band = risk_score.band or band_for(risk_score.probability_of_default)
    factors: list[RiskFactor] = []

    if credential is not None and credential.type in _INCREASE_CLAUSE:
        delta = risk_score.baseline_probability_of_default - risk_score.probability_of_default
        direction = "lowers_risk" if delta > 0.0005 else ("raises_risk" if delta < -0.0005 else "neutral")
        factors.append(RiskFactor(
            name="credential", direction=direction,
            detail=f"{credential.type}: estimated default probability {risk_score.baseline_probability_of_default:.1%}"
                   f" without it, {risk_score.probability_of_default:.1%} with it"))
    if applicant.delinquent_last_12m > params.max_delinquencies_last_12m:
        factors.append(RiskFactor(name="recent_delinquency", direction="raises_risk",
                                  detail=f"{applicant.delinquent_last_12m} late payment(s) of 30+ days in 12 months"))
    if applicant.utilisation > params.max_utilisation_for_increase:
        factors.append(RiskFactor(name="high_utilisation", direction="raises_risk",
                                  detail=f"utilisation {applicant.utilisation:.0%} above "
                                         f"{params.max_utilisation_for_increase:.0%}"))
    # the scorecard's own per-feature points, largest first (points above neutral lower the risk)
    ranked = sorted(((k, v) for k, v in risk_score.contributions.items() if k != "credential"),
                    key=lambda kv: -abs(kv[1]))
    for feature, points in ranked[:3]:
        direction = "lowers_risk" if points > 0.5 else ("raises_risk" if points < -0.5 else "neutral")
        factors.append(RiskFactor(name=feature, direction=direction,
                                  detail=f"{_FEATURE_NAMES.get(feature, feature)}: {points:+.0f} points"))

    wanted = ["RISK-PD"]
    if credential is not None and credential.type in _INCREASE_CLAUSE:
        wanted.append(_INCREASE_CLAUSE[credential.type])
    if applicant.utilisation > params.max_utilisation_for_increase:
        wanted.append("CAP-UTIL")
    if applicant.delinquent_last_12m > params.max_delinquencies_last_12m:
        wanted.append("CAP-DELINQ")
    wanted.append("INC-RECENCY")
    given = {c.clause.id for c in clauses}
    cited = [c for c in dict.fromkeys(wanted) if c in given]

    level = BAND_LEVEL.get(band, "high")
    rationale = (f"Scorecard {risk_score.model_version or 'model'}: estimated 12-month default probability "
                 f"{risk_score.probability_of_default:.1%} (band {band}, {level} risk).")
    return RiskAssessment(risk_level=level, factors=factors, adjustment=0.0, cited_clauses=cited,
                          rationale=rationale, source="deterministic")
