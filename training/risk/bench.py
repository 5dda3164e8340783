"""Benchmark of the decision step once the evidence is in: scorecard score + risk reasoning + policy engine."""
from __future__ import annotations

import time
from datetime import date

import numpy as np

from credlift.domain.authenticity import AuthenticityReport
from credlift.domain.credential import CredentialRecord, ValidationReport
from credlift.tools.accounts import load_demo_profiles
from credlift.tools.budget import propose_budget
from credlift.tools.limits import decide
from credlift.tools.risk.reasoning import assess_risk
from credlift.tools.risk.scorecard import load_default_scorecard

BENCH_CREDENTIALS = (
    CredentialRecord(type="cet6", fields={"total_score": 561, "issue_date": "2025-06", "certificate_number": "251211001001234"}),
    CredentialRecord(type="cet4", fields={"total_score": 498, "issue_date": "2024-12", "certificate_number": "242111001004321"}),
    CredentialRecord(type="graduation", fields={"level": "bachelor", "issue_date": "2025-06-30",
                                                "certificate_number": "100011202505001234"}),
    CredentialRecord(type="degree", fields={"degree_level": "master", "issue_date": "2016-06-30",
                                            "certificate_number": "1000132016001234"}),
    CredentialRecord(type="vocational", fields={"skill_level": "3", "issue_date": "2023-05-01",
                                                "certificate_number": "S0001110000012330001234"}),
    CredentialRecord(type="award", fields={"award_scope": "national", "issue_date": "2024-11"}),
)


def benchmark_decisions(n: int = 2000, today: date = date(2026, 11, 24)) -> dict:
    """p50/p95/max milliseconds per decision over n decisions (demo accounts x credentials, round robin)."""
    scorecard = load_default_scorecard()
    profiles = load_demo_profiles()
    authenticity = AuthenticityReport(verdict="authentic", score=0.05)
    validation = ValidationReport(registry_status="verified")
    timings = []
    kinds: dict[str, int] = {}
    for i in range(n):
        applicant = profiles[i % len(profiles)]
        credential = BENCH_CREDENTIALS[i % len(BENCH_CREDENTIALS)]
        started = time.perf_counter()
        risk_score = scorecard.score(applicant, credential, today)
        assessment = assess_risk(applicant, credential, risk_score, [])
        decision = decide(applicant, credential, validation, authenticity, risk_score, assessment, today=today)
        if decision.kind == "approve":
            propose_budget(applicant, decision, "zh")
        timings.append((time.perf_counter() - started) * 1000)
        kinds[decision.kind] = kinds.get(decision.kind, 0) + 1
    ms = np.array(timings)
    return {"n": n, "p50_ms": round(float(np.percentile(ms, 50)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3),
            "max_ms": round(float(ms.max()), 3), "decisions": kinds}


if __name__ == "__main__":
    import json

    print(json.dumps(benchmark_decisions()))
