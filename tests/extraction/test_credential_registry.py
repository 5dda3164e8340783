"""One home per credential type (tools/credentials): the tables the extraction, the policy engine and the risk
model read are derived from the specs, and a type registered from elsewhere (one module + one line) is in all of
them, classified and parsed."""
from __future__ import annotations

import pytest

from credlift.domain.credential import CREDENTIAL_TYPES, OcrLine


@pytest.fixture
def toy():
    from credlift.tools import credentials
    import toy_credential  # tests/extraction/toy_credential.py (the test folder is on the path)

    credentials.register(toy_credential.SPEC)  # the one line
    yield toy_credential.SPEC
    credentials.unregister("toy_licence")


def _page(*texts: str):
    from credlift.tools.extraction.parsers import PageLayout

    return PageLayout([OcrLine(text=text, confidence=0.95, box=(10, 40 * i, 300, 30)) for i, text in enumerate(texts)])


def test_every_accepted_type_has_one_spec_and_the_engine_reads_the_registry():
    from credlift.tools import credentials, limits
    from credlift.tools.extraction import parsers
    from credlift.tools.extraction.backends import ocr_backend
    from credlift.tools.risk import features, reasoning

    assert tuple(credentials.SPECS) == tuple(CREDENTIAL_TYPES)
    # the copies are gone: every consumer holds the registry's own table
    assert limits.INCREASE_CLAUSE is credentials.INCREASE_CLAUSE is reasoning._INCREASE_CLAUSE
    assert limits.TYPE_NAMES is credentials.TYPE_NAMES and limits.LEVEL_NAMES is credentials.LEVEL_NAMES
    assert limits.LEVEL_FIELDS is credentials.LEVEL_FIELDS is features._LEVEL_FIELD
    assert features._LEVEL_ALIASES is credentials.LEVEL_ALIASES
    assert ocr_backend.KEY_FIELDS is credentials.KEY_FIELDS and parsers.PARSERS is credentials.PARSERS
    from credlift.tools import credential_numbers
    from credlift.tools.extraction import validators
    from credlift.tools.forensics.signals import name_style
    from credlift.tools.policy_parameters import load_policy_parameters

    assert validators.MINIMUM_AGE is credentials.MINIMUM_AGE and features.CREDENTIAL_LEVEL_ORDER is credentials.LEVEL_ORDER
    assert set(credential_numbers.NUMBER_LAYOUTS) >= {"cet", "cet_admission", "graduation", "degree"}
    # the name-style model's one-hot slots keep their trained order
    assert name_style.name_style_types() == ("award", "cet4", "cet6", "degree", "graduation", "qualification",
                                             "vocational")
    params = load_policy_parameters()
    shapes = {"score_tiers": list, "by_level": dict, "flat": int}
    for spec in credentials.SPECS.values():
        # its pricing is declared in its spec, its numbers are in the policy, in the shape the spec says
        table = params.credential_increase.for_type(spec.type)
        assert isinstance(table, shapes[spec.pricing]), spec.type
        if spec.pricing == "by_level":
            assert set(table) == set(spec.level_names), spec.type
        assert spec.type in params.max_increase_per_type
        for key in spec.parameter_keys:
            node = params.model_dump()
            for part in key.split("."):
                node = node[part]
        assert spec.increase_clause in limits.POLICY_CLAUSE_IDS
        assert parsers.parser_for(spec.type).credential_type in (spec.type, "cet4")  # one CET parser reads both


def test_a_type_registered_from_a_test_module_is_classified_and_parsed(toy):
    from credlift.tools import credentials, limits
    from credlift.tools.extraction.classify import classify_page
    from credlift.tools.extraction.parsers import parser_for

    page = _page("玩具飞行执照", "持证人：林晓雨", "编号：TOY-2024A1234")
    assert classify_page(page).credential_type == "toy_licence"
    parsed = parser_for("toy_licence").parse(page)
    assert parsed.get("holder_name") == "林晓雨" and parsed.get("certificate_number") == "TOY-2024A1234"
    assert limits.TYPE_NAMES["toy_licence"] == ("toy pilot licence", "玩具飞行执照")
    assert limits.LEVEL_NAMES[("toy_licence", "a")] == ("class A", "甲类")
    assert limits.INCREASE_CLAUSE["toy_licence"] == "INC-TOY"
    from credlift.tools.risk.features import _LEVEL_ALIASES

    assert _LEVEL_ALIASES["toy_licence"] == {"甲类": "a", "乙类": "b"}
    from credlift.domain.credential import CREDENTIAL_TYPES
    from credlift.tools import credential_numbers

    assert "toy_licence" in CREDENTIAL_TYPES and "toy_licence" in credential_numbers.NUMBER_LAYOUTS
    assert credential_numbers.parse_certificate_number("toy_licence", "TOY-2024B0001").licence_class == "b"
    credentials.unregister("toy_licence")
    assert "toy_licence" not in limits.TYPE_NAMES and ("toy_licence", "a") not in limits.LEVEL_NAMES
    assert "toy_licence" not in CREDENTIAL_TYPES and "toy_licence" not in credential_numbers.NUMBER_LAYOUTS
    assert "INC-TOY" not in limits.POLICY_CLAUSE_IDS
    assert classify_page(page).credential_type != "toy_licence"


@pytest.fixture
def toy_policy(toy, tmp_path, monkeypatch):
    """The toy type's numbers in a copy of the policy (credential_increase, cap) and a study of its holders: a new
    type needs both, as a real one does (knowledge/policy)."""
    import yaml

    from credlift.tools import limits, policy_parameters
    from credlift.tools.risk import evidence

    raw = yaml.safe_load(policy_parameters.PARAMETERS_FILE.read_text(encoding="utf-8"))
    raw["credential_increase"]["toy_licence"] = {"a": 2500, "b": 1200}
    raw["max_increase_per_type"]["toy_licence"] = 2000
    params_file = tmp_path / "parameters.yaml"
    params_file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    params = policy_parameters.PolicyParameters.model_validate(raw)
    study = evidence.load_credential_evidence().model_copy(deep=True)
    study.types["toy_licence"] = [
        evidence.LevelEvidence(level="b", holders=4000, log_odds=-0.2, ci_low=-0.3, ci_high=-0.12),
        evidence.LevelEvidence(level="a", holders=3000, log_odds=-0.3, ci_low=-0.4, ci_high=-0.2)]
    monkeypatch.setattr(limits, "load_policy_parameters", lambda *a, **k: params)
    monkeypatch.setattr(evidence, "load_credential_evidence", lambda *a, **k: study)
    return params


def _toy_record(**fields):
    from credlift.domain.credential import CredentialRecord

    base = {"holder_name": "林晓雨", "certificate_number": "TOY2024A1234", "licence_class": "a",
            "issue_date": "2024-05-01"}
    return CredentialRecord(type="toy_licence", fields={**base, **fields}, backend="ocr", type_confidence=0.9)


def test_a_registered_type_is_validated_priced_and_explained_in_both_languages(toy_policy):
    from datetime import date

    from credlift.agent.responders.templates import decision_reply
    from credlift.domain.applicant import ApplicantProfile
    from credlift.domain.authenticity import AuthenticityReport
    from credlift.domain.risk import RiskScore
    from credlift.tools import limits
    from credlift.tools.extraction.schema import answer_schema, parse_answer
    from credlift.tools.extraction.validators import validate_credential

    # validated: its number rule, the level the number codes, the minimum age, all from its spec
    assert validate_credential(_toy_record(), today=date(2026, 1, 1)).ok
    report = validate_credential(_toy_record(licence_class="b"), today=date(2026, 1, 1))
    assert [f.code for f in report.findings if f.severity == "error"] == ["LEVEL_MISMATCH"]
    assert "TOY_NUMBER_FORMAT" in validate_credential(_toy_record(certificate_number="TOY12"),
                                                      today=date(2026, 1, 1)).error_codes
    # the vision model's schema knows the type and its level codes
    schema = answer_schema()
    assert "toy_licence" in schema["properties"]["type"]["enum"]
    assert parse_answer('{"type": "toy_licence", "fields": {"licence_class": "a", "holder_name": "林晓雨"}}',
                        "vlm").type == "toy_licence"

    applicant = ApplicantProfile(account_id="t1", name="林晓雨", id_number="", current_limit=3000, utilisation=0.2,
                                 months_on_book=12, delinquent_last_12m=0, income_band="mid", thin_file=True)
    authenticity = AuthenticityReport(verdict="authentic", score=0.05, model_version="test")
    risk = RiskScore(probability_of_default=0.02, baseline_probability_of_default=0.03, band="A",
                     model_version="test")
    decision = limits.decide(applicant, _toy_record(), validate_credential(_toy_record(), today=date(2026, 1, 1)),
                             authenticity, risk, today=date(2026, 1, 1))
    # priced by the engine from its spec: class A's 2500 from the policy, capped at the type's 2000 (CAP-TYPE)
    assert decision.kind == "approve" and decision.increase == 2000, decision.reason_codes
    assert decision.inputs["credential"]["base_increase"] == 2500
    assert {"INC-TOY", "CAP-TYPE"} <= set(decision.clause_ids) and "INC-TOY" in limits.POLICY_CLAUSE_IDS
    codes = [r.code for r in decision.reason_codes]
    assert codes[:1] == ["INC_CREDENTIAL"] and "CAP_TYPE" in codes
    # explained in both languages, with the type's and the level's names
    zh, en = decision_reply(decision, "zh").text, decision_reply(decision, "en").text
    assert "玩具飞行执照" in zh and "甲类" in zh and "2000" in zh
    assert "toy pilot licence" in en and "class A" in en and "2000" in en


def test_a_registered_type_is_declined_when_its_level_cannot_be_read(toy_policy):
    from datetime import date

    from credlift.domain.applicant import ApplicantProfile
    from credlift.domain.authenticity import AuthenticityReport
    from credlift.domain.risk import RiskScore
    from credlift.tools import limits
    from credlift.tools.extraction.validators import validate_credential

    record = _toy_record(licence_class=None)
    applicant = ApplicantProfile(account_id="t1", name="林晓雨", id_number="", current_limit=3000, utilisation=0.2,
                                 months_on_book=12, delinquent_last_12m=0, income_band="mid", thin_file=True)
    decision = limits.decide(applicant, record, validate_credential(record, today=date(2026, 1, 1)),
                             AuthenticityReport(verdict="authentic", score=0.05, model_version="test"),
                             RiskScore(probability_of_default=0.02, baseline_probability_of_default=0.03, band="A",
                                       model_version="test"), today=date(2026, 1, 1))
    level_reason = next(r for r in decision.reason_codes if r.code == "CRED_LEVEL_UNREAD")
    assert decision.kind == "decline" and "执照类别" in level_reason.text_zh and "INC-TOY" in level_reason.clause_ids


def test_the_built_in_types_are_still_told_apart():
    from credlift.tools.extraction.classify import classify_page

    assert classify_page(_page("大学英语六级考试", "成绩报告单", "听力")).credential_type == "cet6"
    assert classify_page(_page("全国大学英语四级考试", "成绩报告单")).credential_type == "cet4"
    assert classify_page(_page("学位证书", "授予 学士学位")).credential_type == "degree"
    assert classify_page(_page("证书编号 Y000033000000123123456")).credential_type == "vocational"
