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
    ("en", "ride-hailing driver", "As a ride-hailing driver, these also count: ride-hailing driver permit"),
    ("zh", "ride-hailing driver", "作为网约车司机，您的网络预约出租汽车驾驶员证"),
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
    trades = book["credential_type"].isin(list(saved))
    # without the trade proofs those rows hold none (or an honour, drawn among those who hold none: a third stream)
    assert 200 < drivers.sum() < 1500
    assert without.loc[trades, "credential_type"].isin(["none", *loanbook.HONOUR_SHARES]).all()
    # (the honours' own stream draws among those who hold none, so honour holders may differ too)
    same = ~trades.to_numpy() & ~book["credential_type"].isin(list(loanbook.HONOUR_SHARES)).to_numpy()
    for column in ("months_on_book", "utilisation", "income_band", "credential_type", "credential_level"):
        assert (book.loc[same, column].to_numpy() == without.loc[same, column].to_numpy()).all(), column
    assert np.array_equal(book.loc[same, "default_12m"].to_numpy(), without.loc[same, "default_12m"].to_numpy())


# ---------------------------------------------------------------------- issue 25.1: riders, creators, health, car

def test_a_rider_profile_screenshot_is_classified_and_read_with_its_tenure_band():
    from credlift.tools.extraction.classify import classify_page
    from credlift.tools.extraction.parsers import parser_for

    page = _page("9:41", "骑手主页", "美团骑手", "王建军", "骑手ID：3100123456", "已实名认证", "11,931", "4.93", "24",
                 "累计接单(单)", "服务评分", "跑单月数", "注册时间", "2024-06-11", "本月收入", "¥9,870.62")
    # stat cells: the value above its caption, in one column (boxes: x, y, w, h)
    from credlift.tools.extraction.parsers import PageLayout

    boxes = {"11,931": (60, 400, 160, 50), "4.93": (300, 400, 100, 50), "24": (520, 400, 50, 50),
             "累计接单(单)": (50, 470, 180, 30), "服务评分": (290, 470, 120, 30), "跑单月数": (490, 470, 120, 30),
             "注册时间": (40, 560, 120, 30), "2024-06-11": (500, 560, 160, 30), "本月收入": (40, 620, 120, 30),
             "¥9,870.62": (480, 620, 180, 30)}
    lines = [OcrLine(text=line.raw, confidence=0.95, box=boxes.get(line.raw, (10, 40 * line.index, 300, 30)))
             for line in page.lines]
    page = PageLayout(lines)
    assert classify_page(page).credential_type == "rider_profile"
    parsed = parser_for("rider_profile").parse(page)
    assert {key: parsed.get(key) for key in ("holder_name", "certificate_number", "platform", "orders", "rating",
                                             "months_active", "issue_date", "monthly_earnings", "tenure_band")} == {
        "holder_name": "王建军", "certificate_number": "3100123456", "platform": "美团骑手", "orders": 11931,
        "rating": 4.93, "months_active": 24, "issue_date": "2024-06-11", "monthly_earnings": 9870.62,
        "tenure_band": "months_12_plus"}


def test_a_creator_page_reads_followers_as_printed_and_its_audience_band():
    from credlift.tools.extraction.parsers import PageLayout, parser_for

    boxes = [("创作者中心", (300, 60, 200, 30)), ("哗哩哗哩", (600, 60, 100, 30)), ("账号ID：93012949152", (130, 180, 300, 30)),
             ("630", (60, 300, 60, 40)), ("1.2万", (290, 300, 90, 40)), ("8.5万", (520, 300, 90, 40)),
             ("关注", (65, 350, 50, 25)), ("粉丝", (310, 350, 50, 25)), ("获赞与收藏", (510, 350, 110, 25)),
             ("实名主体", (30, 420, 100, 30)), ("李娜", (600, 420, 60, 30)), ("认证状态", (30, 480, 100, 30)),
             ("已认证", (580, 480, 80, 30)), ("注册时间", (30, 540, 100, 30)), ("2021-04-11", (540, 540, 120, 30))]
    page = PageLayout([OcrLine(text=t, confidence=0.95, box=b) for t, b in boxes])
    parsed = parser_for("creator_profile").parse(page)
    assert {key: parsed.get(key) for key in ("holder_name", "certificate_number", "platform", "followers",
                                             "verified", "issue_date", "audience_band")} == {
        "holder_name": "李娜", "certificate_number": "93012949152", "platform": "哔哩哔哩", "followers": 12000,
        "verified": "yes", "issue_date": "2021-04-11", "audience_band": "followers_10k_plus"}


def test_every_platforms_name_is_legible_on_the_generated_creator_page_in_both_themes():
    """The generator draws a platform's name in its brand colour, but never one the page hides: 抖音's near-black
    brand on the dark theme is drawn light, as the app does (a name nobody can read is no test of the reader)."""
    import numpy as np

    from credlift.evals.synth.templates import get_template
    from credlift.evals.synth.templates.creator_profile import PLATFORMS

    def luma(colour):
        return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2]

    template = get_template("creator_profile")
    dark_seed = next(seed for seed in range(50) if np.random.default_rng(seed).random() < 0.3)  # the theme's draw
    light_seed = next(seed for seed in range(50) if np.random.default_rng(seed).random() >= 0.3)
    for platform in PLATFORMS:
        for seed in (dark_seed, light_seed):
            fields = template.sample_fields(np.random.default_rng(7), {"platform": platform})
            document = template.draw(fields, np.random.default_rng(seed))
            run = next(run for run in document.runs if run.text == platform)
            x, y, _, height = run.box
            behind = document.rgb[y + height // 2, max(0, x - 8)]
            assert abs(luma(run.color) - luma(behind)) >= 60, (platform, seed)


@pytest.mark.parametrize("credential_type,texts,expected", [
    ("health_certificate",
     ("食品从业人员健康证明", "姓名：王建军", "性别：男", "身份证号：510104199503020356", "从业类别：食品",
      "体检日期：2026年03月02日", "有效期至：2027年03月01日", "编号：JK5101072026004512", "发证机构：成都市武侯区疾病预防控制中心"),
     {"holder_name": "王建军", "gender": "male", "category": "食品", "issue_date": "2026-03-02",
      "valid_until": "2027-03-01", "certificate_number": "JK5101072026004512", "issuer": "成都市武侯区疾病预防控制中心"}),
    ("transport_permit",
     ("中华人民共和国", "网络预约出租汽车运输证", "业户名称：张伟", "证号：YS4403002023001234", "车辆号牌：粤BD12345",
      "车辆类型：小型轿车", "经营范围：网络预约出租汽车客运", "有效期限：2023年09月01日至2031年08月31日",
      "发证机关：深圳市交通运输局", "发证日期：2023年09月01日"),
     {"holder_name": "张伟", "certificate_number": "YS4403002023001234", "plate_number": "粤BD12345",
      "vehicle_type": "小型轿车", "valid_from": "2023-09-01", "valid_until": "2031-08-31", "issuer": "深圳市交通运输局",
      "issue_date": "2023-09-01"}),
])
def test_a_health_certificate_and_a_transport_permit_are_classified_and_read(credential_type, texts, expected):
    from credlift.tools.extraction.classify import classify_page
    from credlift.tools.extraction.parsers import parser_for

    page = _page(*texts)
    assert classify_page(page).credential_type == credential_type
    parsed = parser_for(credential_type).parse(page)
    assert {key: parsed.get(key) for key in expected} == expected


def test_a_plate_serial_read_with_the_letters_o_or_i_gets_the_digits_plates_print_there():
    from credlift.tools.extraction.parsers.transport_permit import accept_plate

    # GA 36 keeps I and O out of plate serials; the city letter and the other letters are left as read
    assert accept_plate("鄂BOB33C") == "鄂B0B33C"
    assert accept_plate("京A·D12I45") == "京AD12145"
    assert accept_plate("粤|BD12345") == "粤BD12345"  # a stray stroke before the city letter
    assert accept_plate("车辆类型：小型轿车") is None


def test_a_permits_gender_is_read_when_ocr_misreads_the_labels_second_character():
    from credlift.tools.extraction.parsers import parser_for

    texts = ("食品从业人员健康证明", "姓名：王建军", "性刷：男", "身份证号：510104199503020356", "从业类别：食品",
             "体检日期：2026年03月02日", "有效期至：2027年03月01日", "编号：JK5101072026004512")
    assert parser_for("health_certificate").parse(_page(*texts)).get("gender") == "male"
    # a line that only starts like the label, without a gender after it, gives none
    assert parser_for("health_certificate").parse(_page(*texts[:2], "性质：合格", *texts[3:])).get("gender") is None


def _decide(record, occupation="delivery rider"):
    from credlift.domain.applicant import ApplicantProfile
    from credlift.domain.authenticity import AuthenticityReport
    from credlift.domain.risk import RiskScore
    from credlift.tools import limits
    from credlift.tools.extraction.validators import validate_credential

    today = date(2026, 12, 1)
    applicant = ApplicantProfile(account_id="r1", name=record.fields["holder_name"], id_number="", current_limit=3000,
                                 utilisation=0.3, months_on_book=14, delinquent_last_12m=0, income_band="mid",
                                 thin_file=True, occupation=occupation)
    return limits.decide(applicant, record, validate_credential(record, today=today),
                         AuthenticityReport(verdict="authentic", score=0.05, model_version="t"),
                         RiskScore(probability_of_default=0.02, baseline_probability_of_default=0.03, band="A",
                                   model_version="t"), today=today)


def test_a_rider_screenshot_is_capped_as_weaker_evidence_and_the_reason_says_so():
    from credlift.tools.policy_parameters import load_policy_parameters

    record = CredentialRecord(type="rider_profile", backend="ocr", type_confidence=0.9, fields={
        "holder_name": "王建军", "certificate_number": "3100123456", "months_active": 24, "orders": 11931,
        "rating": 4.93, "issue_date": "2024-06-11", "tenure_band": "months_12_plus"})
    decision = _decide(record)
    cap = load_policy_parameters().weak_evidence_cap
    assert decision.kind == "approve" and 0 < decision.increase <= cap
    weak = next(r for r in decision.reason_codes if r.code == "CAP_WEAK")
    assert "CAP-WEAK" in weak.clause_ids and "INC-RIDER" in decision.clause_ids
    assert "screenshot" in weak.text_en.lower() and "截图" in weak.text_zh
    assert "CAP-WEAK" not in weak.text_en and "CAP-WEAK" not in weak.text_zh  # no clause codes in the words


def test_an_expired_health_certificate_is_declined_with_the_new_examination_as_the_way_forward():
    record = CredentialRecord(type="health_certificate", backend="ocr", type_confidence=0.9, fields={
        "holder_name": "王建军", "certificate_number": "JK5101072025004512", "issue_date": "2025-03-02",
        "valid_until": "2026-03-01", "issuer": "成都市武侯区疾病预防控制中心"})
    decision = _decide(record)
    assert decision.kind == "decline" and decision.reason_codes[0].code == "DOC_INVALID"
    assert "已过期" in decision.reason_codes[0].text_zh or "过期" in decision.reason_codes[0].text_zh
    assert "续期" in decision.counterfactuals[0].text_zh and "renewed" in decision.counterfactuals[0].text_en


@pytest.mark.parametrize("lang,expected", [
    ("en", "As a delivery rider, these also count: delivery rider platform profile, food-handler health certificate"),
    ("zh", "作为外卖骑手，您的外卖/配送平台骑手主页、食品从业人员健康证明（健康证）也可以用于提额")])
def test_a_rider_is_told_of_the_proofs_of_their_own_trade(lang, expected):
    from credlift.agent.responders.base import ConversationView
    from credlift.agent.responders.deterministic import DeterministicResponder

    listed = DeterministicResponder().reply_for("what_documents", ConversationView(
        text="", language=lang, occupation="delivery rider"), lang).text
    assert expected in listed
