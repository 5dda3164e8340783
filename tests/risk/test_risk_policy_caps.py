"""The policy's numbers for one credential type agree with each other: the top of its increase table is what the
type can add at most (`PolicyParameters.type_cap`), and a screenshot (a weaker-evidence type) promises no more
than `weak_evidence_cap` (CAP-WEAK) anywhere: not in its table, not in its own cap, not in the clause texts."""
from __future__ import annotations

import re

import pytest

from credlift.tools.credentials import SPECS
from credlift.tools.policy_parameters import load_policy_parameters


def _table_top(table) -> int:
    if isinstance(table, int):
        return table
    if isinstance(table, dict):
        return max(table.values())
    return max(tier.increase for tier in table)


@pytest.mark.parametrize("credential_type", list(SPECS))
def test_the_top_of_every_increase_table_is_the_types_cap(credential_type):
    params = load_policy_parameters()
    spec = SPECS[credential_type]
    cap = params.type_cap(credential_type, spec.weaker_evidence)
    assert cap > 0
    assert _table_top(params.credential_increase.for_type(credential_type)) == cap, credential_type
    assert params.max_increase_per_type[credential_type] == cap, credential_type


def test_a_screenshot_promises_no_more_than_the_weak_evidence_cap():
    from credlift.knowledge import get_clause

    params = load_policy_parameters()
    weak = [spec for spec in SPECS.values() if spec.weaker_evidence]
    assert {spec.type for spec in weak} >= {"rider_profile", "creator_profile"}
    for spec in weak:
        assert params.type_cap(spec.type, True) == params.weak_evidence_cap
        clause = get_clause(spec.increase_clause)  # the amounts its own clause quotes
        quoted = [int(n) for n in re.findall(r"(\d+) 元", clause.text_zh)]
        assert quoted and max(quoted) == params.weak_evidence_cap, (spec.type, quoted)
    caps = get_clause("CAP-TYPE").text_zh
    for spec in weak:
        assert f"{spec.name_zh} {params.weak_evidence_cap} 元" in caps


def test_a_screenshot_above_the_cap_is_cut_to_it(tmp_path, monkeypatch):
    """The engine reads the cap from one place: with a table and a type cap above weak_evidence_cap it still adds
    no more than that."""
    from datetime import date

    import yaml

    from credlift.domain.applicant import ApplicantProfile
    from credlift.domain.authenticity import AuthenticityReport
    from credlift.domain.credential import CredentialRecord
    from credlift.domain.risk import RiskScore
    from credlift.tools import limits
    from credlift.tools.extraction.validators import validate_credential
    from credlift.tools.policy_parameters import PARAMETERS_FILE

    raw = yaml.safe_load(PARAMETERS_FILE.read_text(encoding="utf-8"))
    raw["credential_increase"]["rider_profile"]["months_12_plus"] = 5000
    raw["max_increase_per_type"]["rider_profile"] = 5000
    path = tmp_path / "parameters.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    params = load_policy_parameters(path)
    monkeypatch.setattr(limits, "load_policy_parameters", lambda: params)
    today = date(2026, 12, 1)
    record = CredentialRecord(type="rider_profile", backend="ocr", type_confidence=0.9, fields={
        "holder_name": "王建军", "certificate_number": "3100123456", "months_active": 24, "issue_date": "2024-06-11",
        "tenure_band": "months_12_plus"})
    applicant = ApplicantProfile(account_id="r1", name="王建军", id_number="", current_limit=3000, utilisation=0.3,
                                 months_on_book=14, delinquent_last_12m=0, income_band="mid", thin_file=True)
    decision = limits.decide(applicant, record, validate_credential(record, today=today),
                             AuthenticityReport(verdict="authentic", score=0.05, model_version="t"),
                             RiskScore(probability_of_default=0.02, baseline_probability_of_default=0.03, band="A",
                                       model_version="t"), today=today)
    assert decision.kind == "approve" and decision.increase == params.weak_evidence_cap
    assert "CAP_WEAK" in [reason.code for reason in decision.reason_codes]
