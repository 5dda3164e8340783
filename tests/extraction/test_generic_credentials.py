"""Any credential (issue 25.4): a page of no registered type read into the common schema, placed in the taxonomy,
and sent to a person with its fields prefilled, never to an automatic increase."""
from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from credlift.domain.credential import OcrLine


def _lines(*texts: str, heights=None) -> list[OcrLine]:
    heights = heights or [60] + [34] * (len(texts) - 1)
    return [OcrLine(text=text, confidence=0.95, box=(100, 80 * i, 1000, heights[i])) for i, text in enumerate(texts)]


TEACHER = _lines("教师资格证书", "姓名：刘芳", "资格种类：高级中学教师资格", "等级：高级", "证书编号：20233210042001234",
                 "发证机关：江苏省教育厅", "发证日期：2023年06月30日")


def test_an_unknown_credential_is_read_into_the_common_schema_and_placed_in_the_taxonomy():
    from credlift.tools.extraction.backends.ocr_backend import record_from_lines

    record = record_from_lines(TEACHER)
    assert record.type == "other"
    assert {key: record.fields.get(key) for key in ("title", "holder_name", "issuer", "level", "issue_date",
                                                     "certificate_number")} == {
        "title": "教师资格证书", "holder_name": "刘芳", "issuer": "江苏省教育厅", "level": "高级",
        "issue_date": "2023-06-30", "certificate_number": "20233210042001234"}
    assert (record.fields["credential_kind"], record.fields["policy_class"]) == (
        "teacher_qualification", "professional_qualification")
    assert "NOT_A_CREDENTIAL" not in record.warning_codes


def test_a_competition_the_award_type_does_not_know_goes_the_generic_way():
    from credlift.tools.extraction.backends.ocr_backend import record_from_lines

    record = record_from_lines(_lines("全国大学生电子设计竞赛获奖证书", "张伟 同学（东南大学）：", "荣获全国一等奖",
                                      "全国大学生电子设计竞赛组织委员会", "2023年11月20日"))
    assert (record.type, record.fields.get("credential_kind")) == ("other", "electronic_design")


def test_a_page_that_is_no_credential_keeps_the_not_accepted_path():
    from credlift.tools.extraction.backends.ocr_backend import record_from_lines

    menu = record_from_lines(_lines("今日特价", "宫保鸡丁 28元", "鱼香肉丝 26元"))
    assert menu.type == "other" and "credential_kind" not in menu.fields
    assert "NOT_A_CREDENTIAL" in menu.warning_codes
    passport = record_from_lines(_lines("中华人民共和国护照", "姓名：张伟", "护照号码：E12345678", "签发机关：公安部出入境管理局",
                                        "签发日期：2020年05月01日"))
    assert passport.fields.get("policy_class") == "identity_document"


def _decide(record, review_cleared=False):
    from credlift.domain.applicant import ApplicantProfile
    from credlift.domain.authenticity import AuthenticityReport
    from credlift.domain.risk import RiskScore
    from credlift.tools import limits
    from credlift.tools.extraction.validators import validate_credential

    today = date(2026, 12, 1)
    applicant = ApplicantProfile(account_id="u1", name="刘芳", id_number="", current_limit=5000, utilisation=0.2,
                                 months_on_book=26, delinquent_last_12m=0, income_band="mid", thin_file=True)
    return limits.decide(applicant, record, validate_credential(record, today=today),
                         AuthenticityReport(verdict="authentic", score=0.05, model_version="t"),
                         RiskScore(probability_of_default=0.02, baseline_probability_of_default=0.03, band="A",
                                   model_version="t"), today=today, review_cleared=review_cleared)


def test_an_unknown_but_plausible_credential_goes_to_a_person_never_to_an_increase():
    from credlift.tools.extraction.backends.ocr_backend import record_from_lines

    record = record_from_lines(TEACHER)
    decision = _decide(record)
    assert (decision.kind, decision.increase) == ("refer", 0)
    assert decision.reason_codes[0].code == "DOC_UNKNOWN_KIND" and "DOC-UNKNOWN" in decision.clause_ids
    assert "teacher qualification" in decision.reason_codes[0].text_en
    assert "教师资格证书" in decision.reason_codes[0].text_zh
    reviewed = _decide(record, review_cleared=True)  # a person read it: still no table prices it
    assert (reviewed.kind, reviewed.increase, reviewed.reason_codes[0].code) == ("decline", 0, "DOC_UNKNOWN_REVIEWED")
    record.fields["policy_class"] = "registered"  # the record's word is not trusted: the taxonomy is asked again
    assert _decide(record).kind == "refer"
    record.fields["credential_kind"] = "passport"
    assert _decide(record).reason_codes[0].code == "DOC_TYPE_NOT_ACCEPTED"


@pytest.mark.parametrize("lang,title_label", [("en", "title as printed"), ("zh", "证书名称（原文）")])
def test_the_reviewer_sees_the_prefilled_fields_in_the_case_view(lang, title_label):
    from credlift.tools.extraction.backends.ocr_backend import record_from_lines
    from credlift.ui.web.case_page import field_rows

    record = record_from_lines(TEACHER)
    view = SimpleNamespace(uploads=[SimpleNamespace(credential=record)], revealed=True)
    rows = {row[0]: row[1] for row in field_rows(view, lang)}
    assert rows[title_label] == "教师资格证书"
    assert "teacher_qualification" in rows.values() and "江苏省教育厅" in rows.values()


def test_the_generic_path_places_held_out_kinds_drawn_as_pages():
    """Two taxonomy kinds drawn as pages, read by OCR: each is placed in its policy class."""
    from credlift.evals.generic_path import evaluate_generic_path

    report = evaluate_generic_path(n=2, seed=11)
    assert report.right_class == 2, report.pages
