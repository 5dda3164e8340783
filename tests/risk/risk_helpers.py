"""Builders shared by the risk tests (a uniquely named module: tests import it by basename)."""
from __future__ import annotations

from datetime import date

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.authenticity import AuthenticityReport
from credlift.domain.credential import CredentialRecord, ValidationFinding, ValidationReport
from credlift.domain.risk import RiskScore

TODAY = date(2026, 11, 24)


def applicant(**overrides) -> ApplicantProfile:
    values = dict(account_id="t-1", name="林晓雨", id_number="110105199912310022", current_limit=2000,
                  utilisation=0.3, months_on_book=6, delinquent_last_12m=0, income_band="low", thin_file=True)
    values.update(overrides)
    return ApplicantProfile(**values)


def cet6(score: int = 561, number: str = "251211001001234", issue_date: str = "2025-06") -> CredentialRecord:
    return CredentialRecord(type="cet6", fields={"holder_name": "林晓雨", "total_score": score,
                                                 "certificate_number": number, "issue_date": issue_date})


def degree(level: str = "bachelor", issue_date: str = "2025-06-30", number: str = "1000142025001234") -> CredentialRecord:
    return CredentialRecord(type="degree", fields={"holder_name": "林晓雨", "degree_level": level,
                                                   "certificate_number": number, "issue_date": issue_date})


def authentic(score: float = 0.05, verdict: str = "authentic") -> AuthenticityReport:
    return AuthenticityReport(verdict=verdict, score=score)


def valid(*codes: str, registry: str = "verified") -> ValidationReport:
    return ValidationReport(findings=[ValidationFinding(code=c, message=c) for c in codes], registry_status=registry)


def risk(pd_: float = 0.03, baseline: float = 0.06) -> RiskScore:
    return RiskScore(probability_of_default=pd_, baseline_probability_of_default=baseline, band="", model_version="test")
