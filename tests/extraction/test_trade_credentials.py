"""The seed's people's trade proofs (issue 25): each one module (tools/credentials/<type>.py) read, checked,
priced from its own evidence, and listed to the person whose trade it is."""
from __future__ import annotations

from datetime import date

import pytest

from credlift.domain.credential import CredentialRecord, OcrLine


def _page(*texts: str):
    from credlift.tools.extraction.parsers import PageLayout

    return PageLayout([OcrLine(text=text, confidence=0.95, box=(10, 40 * i, 600, 30)) for i, text in enumerate(texts)])


def test_a_driver_permit_is_classified_and_read():
    from credlift.tools.extraction.classify import classify_page
    from credlift.tools.extraction.parsers import parser_for

    page = _page("中华人民共和国", "网络预约出租汽车驾驶员证", "姓名：张伟", "性别：男", "身份证号：440305199006110579",
                 "准驾车型：C1", "初次领证日期：2024年03月15日", "有效期限：2024年03月15日至2030年03月14日",
                 "从业资格类别：网络预约出租汽车驾驶员", "发证机关：深圳市交通运输局", "证书编号：WY4403002024012345")
    assert classify_page(page).credential_type == "driver_permit"
    parsed = parser_for("driver_permit").parse(page)
    assert {key: parsed.get(key) for key in ("holder_name", "gender", "id_number", "certificate_number", "issuer",
                                             "issue_date", "valid_from", "valid_until", "vehicle_class")} == {
        "holder_name": "张伟", "gender": "male", "id_number": "440305199006110579",
        "certificate_number": "WY4403002024012345", "issuer": "深圳市交通运输局", "issue_date": "2024-03-15",
        "valid_from": "2024-03-15", "valid_until": "2030-03-14", "vehicle_class": "C1"}


def _permit(**fields) -> CredentialRecord:
    base = {"holder_name": "张伟", "certificate_number": "WY4403002024012345", "issue_date": "2024-03-15",
            "valid_from": "2024-03-15", "valid_until": "2030-03-14", "issuer": "深圳市交通运输局"}
    return CredentialRecord(type="driver_permit", fields={**base, **fields}, backend="ocr", type_confidence=0.9)


def test_a_driver_permit_counts_only_while_valid_and_by_its_number_rule():
    from credlift.tools.extraction.validators import validate_credential

    today = date(2026, 12, 1)
    assert validate_credential(_permit(), today=today).ok
    expired = validate_credential(_permit(valid_from="2019-05-10", issue_date="2019-05-10", valid_until="2025-05-09",
                                          certificate_number="WY4403002019012345"), today=today)
    assert expired.error_codes == ["CREDENTIAL_EXPIRED"]
    assert "已过期" in expired.findings[0].message_zh
    assert validate_credential(_permit(valid_until=None), today=today).error_codes == ["VALIDITY_MISSING"]
    assert "PERMIT_NUMBER_FORMAT" in validate_credential(_permit(certificate_number="440305199006110579"),
                                                         today=today).error_codes
    # the number carries the year first issued
    assert validate_credential(_permit(issue_date="2022-03-15"), today=today).error_codes == ["YEAR_MISMATCH"]


def test_an_expired_permit_is_declined_with_the_renewal_as_the_way_forward():
    from credlift.domain.applicant import ApplicantProfile
    from credlift.domain.authenticity import AuthenticityReport
    from credlift.domain.risk import RiskScore
    from credlift.tools import limits
    from credlift.tools.extraction.validators import validate_credential

    today = date(2026, 12, 1)
    record = _permit(valid_from="2019-05-10", issue_date="2019-05-10", valid_until="2025-05-09",
                     certificate_number="WY4403002019012345")
    applicant = ApplicantProfile(account_id="d1", name="张伟", id_number="", current_limit=5000, utilisation=0.2,
                                 months_on_book=26, delinquent_last_12m=0, income_band="mid", thin_file=True)
    decision = limits.decide(applicant, record, validate_credential(record, today=today),
                             AuthenticityReport(verdict="authentic", score=0.05, model_version="t"),
                             RiskScore(probability_of_default=0.02, baseline_probability_of_default=0.03, band="A",
                                       model_version="t"), today=today)
    assert decision.kind == "decline" and decision.reason_codes[0].code == "DOC_INVALID"
    assert "renewed" in decision.counterfactuals[0].text_en and "续期" in decision.counterfactuals[0].text_zh
    valid = _permit()
    approved = limits.decide(applicant, valid, validate_credential(valid, today=today),
                             AuthenticityReport(verdict="authentic", score=0.05, model_version="t"),
                             RiskScore(probability_of_default=0.02, baseline_probability_of_default=0.03, band="A",
                                       model_version="t"), today=today)
    # priced flat from the policy (credential_increase.driver_permit), at the share its holders' evidence earns
    share = approved.inputs["credential"]["evidence"]["percent"]
    assert approved.kind == "approve" and approved.inputs["credential"]["base_increase"] == 2000
    assert 0 < share < 100 and approved.increase == int(2000 * share / 100) // 100 * 100
    assert "INC-DRV" in approved.clause_ids


@pytest.mark.parametrize("lang,occupation,expected", [
    ("en", "ride-hailing driver", "As a ride-hailing driver, your ride-hailing driver permit also counts"),
    ("zh", "ride-hailing driver", "作为网约车司机，您的网络预约出租汽车驾驶员证也可以用于提额"),
])
def test_the_assistant_lists_every_type_and_the_proof_of_the_persons_own_trade(lang, occupation, expected):
    from credlift.agent.responders.base import ConversationView
    from credlift.agent.responders.deterministic import DeterministicResponder
    from credlift.tools.credentials import SPECS

    responder = DeterministicResponder()
    listed = responder.reply_for("what_documents", ConversationView(text="", language=lang, occupation=occupation),
                                 lang).text
    assert expected in listed
    for spec in SPECS.values():  # the list is the registry's
        assert (spec.name_zh if lang == "zh" else spec.name_en) in listed
    graduate = responder.reply_for("what_documents", ConversationView(text="", language=lang,
                                                                      occupation="fresh graduate"), lang).text
    assert expected not in graduate and ("作为" not in graduate if lang == "zh" else "As a" not in graduate)


def test_trade_proofs_come_from_the_books_own_stream():
    """Adding a trade proof to the synthetic loan book leaves every other row's draws as they were."""
    import numpy as np

    from credlift.training.risk import loanbook

    book = loanbook.generate_loan_book(20_000, seed=3)
    saved = dict(loanbook.TRADE_SHARES)
    loanbook.TRADE_SHARES.clear()
    try:
        without = loanbook.generate_loan_book(20_000, seed=3)
    finally:
        loanbook.TRADE_SHARES.update(saved)
    drivers = book["credential_type"] == "driver_permit"
    # without the trade proofs those rows hold none (or an honour, drawn among those who hold none: a third stream)
    assert 200 < drivers.sum() < 1500
    assert without.loc[drivers, "credential_type"].isin(["none", *loanbook.HONOUR_SHARES]).all()
    # (the honours' own stream draws among those who hold none, so honour holders may differ too)
    same = ~drivers.to_numpy() & ~book["credential_type"].isin(list(loanbook.HONOUR_SHARES)).to_numpy()
    for column in ("months_on_book", "utilisation", "income_band", "credential_type", "credential_level"):
        assert (book.loc[same, column].to_numpy() == without.loc[same, column].to_numpy()).all(), column
    assert np.array_equal(book.loc[same, "default_12m"].to_numpy(), without.loc[same, "default_12m"].to_numpy())
