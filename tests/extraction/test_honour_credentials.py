"""The honours of issue 25 (merit student, scholarship, the mathematics competition, ICPC/CCPC): each its own type,
one module each (tools/credentials/<type>.py), read by one sentence reader from the data its module declares."""
from __future__ import annotations

from datetime import date

import pytest

from credlift.domain.credential import CredentialRecord, OcrLine


def _page(*texts: str):
    from credlift.tools.extraction.parsers import PageLayout

    return PageLayout([OcrLine(text=text, confidence=0.95, box=(10, 40 * i, 900, 30)) for i, text in enumerate(texts)])


PAGES = {
    "merit_student": (("荣誉证书", "李娜 同学（南京大学）：", "在2022-2023学年中，德智体美劳全面发展，成绩优异，被评为", "省级三好学生",
                       "特发此证，以资鼓励。", "江苏省教育厅", "2023年10月12日", "证书编号：SHXS2023P000123"),
                      {"holder_name": "李娜", "school": "南京大学", "academic_year": "2022-2023",
                       "honour_scope": "provincial", "issuer": "江苏省教育厅", "issue_date": "2023-10-12",
                       "certificate_number": "SHXS2023P000123"}),
    "scholarship": (("荣誉证书", "王磊 同学（浙江大学）：", "在2021-2022学年中表现优异，荣获国家励志奖学金，奖金人民币5000元。",
                     "国家励志奖学金", "特发此证，以资鼓励。", "中华人民共和国教育部", "2022年11月5日",
                     "证书编号：JXJ2022E004567"),
                    {"holder_name": "王磊", "school": "浙江大学", "academic_year": "2021-2022",
                     "scholarship_level": "encouragement", "amount": "5000", "issuer": "中华人民共和国教育部",
                     "issue_date": "2022-11-05", "certificate_number": "JXJ2022E004567"}),
    "math_competition": (("荣誉证书", "张伟 同学（武汉大学）：", "在第15届全国大学生数学竞赛（非数学类）湖北赛区中，荣获", "二等奖",
                          "特发此证，以资鼓励。", "中国数学会", "2023年12月10日", "证书编号：CMC2023RN200321"),
                         {"holder_name": "张伟", "school": "武汉大学", "competition": "全国大学生数学竞赛",
                          "category": "non_math", "award_round": "regional", "award_level": "second",
                          "issuer": "中国数学会", "issue_date": "2023-12-10", "certificate_number": "CMC2023RN200321"}),
    "icpc": (("荣誉证书", "陈晨 同学（四川大学）：", "在2024年中国大学生程序设计竞赛（桂林站）中，荣获", "银奖",
              "特发此证，以资鼓励。", "中国大学生程序设计竞赛组织委员会", "2024年11月3日", "证书编号：CCPC2024S00042"),
             {"holder_name": "陈晨", "school": "四川大学", "competition": "中国大学生程序设计竞赛", "contest_site": "桂林",
              "award_level": "silver", "issuer": "中国大学生程序设计竞赛组织委员会", "issue_date": "2024-11-03",
              "certificate_number": "CCPC2024S00042"}),
}


@pytest.mark.parametrize("credential_type", sorted(PAGES))
def test_an_honour_is_classified_as_its_own_type_and_read_field_by_field(credential_type):
    from credlift.tools.extraction.classify import classify_page
    from credlift.tools.extraction.parsers import parser_for
    from credlift.tools.extraction.validators import validate_credential

    lines, expected = PAGES[credential_type]
    page = _page(*lines)
    assert classify_page(page).credential_type == credential_type
    parsed = parser_for(credential_type).parse(page)
    read = {key: (str(parsed.get(key)) if parsed.get(key) is not None else None) for key in expected}
    assert read == expected
    record = CredentialRecord(type=credential_type, fields={key: parsed.get(key) for key in expected},
                              backend="ocr", type_confidence=0.9)
    assert validate_credential(record, today=date(2026, 12, 1)).ok


def test_the_mathematics_competition_and_icpc_are_no_longer_folded_into_award():
    from credlift.tools.credential_numbers import AWARD_COMPETITIONS
    from credlift.tools.extraction.classify import classify_page

    assert not {"CMC", "ICPC", "CCPC"} & set(AWARD_COMPETITIONS)
    for credential_type in ("math_competition", "icpc"):
        assert classify_page(_page(*PAGES[credential_type][0])).credential_type == credential_type


def test_a_coded_number_says_what_the_page_must_say_and_survives_ocr_look_alikes():
    from credlift.tools.credential_numbers import NumberFormatError
    from credlift.tools.credentials import icpc, math_competition, merit_student
    from credlift.tools.extraction.validators import validate_credential

    number = math_competition.RULE.make(2023, 321, award_round="final", category="math", award_level="first")
    parsed = math_competition.parse_number(number)
    assert (number, parsed.award_round, parsed.category, parsed.award_level, parsed.competition, parsed.year) == (
        "CMC2023FM100321", "final", "math", "first", "全国大学生数学竞赛", 2023)
    assert merit_student.RULE.fix_ocr("SHXS 2O23 5 000123") == "SHXS2023S000123"  # a code S read as 5
    assert icpc.parse_number("ICPC2023G00007").competition.startswith("ACM-ICPC")
    with pytest.raises(NumberFormatError) as caught:
        icpc.parse_number("ICPC2023X00007")
    assert caught.value.code == "ICPC_NUMBER_FORMAT"
    # a first prize printed on a number that codes a third: the page was edited
    record = CredentialRecord(type="math_competition", fields={
        "holder_name": "张伟", "competition": "全国大学生数学竞赛", "award_level": "first", "issue_date": "2023-12-10",
        "certificate_number": "CMC2023RN300321"}, backend="ocr", type_confidence=0.9)
    assert "LEVEL_MISMATCH" in validate_credential(record, today=date(2026, 12, 1)).error_codes


def test_honours_are_priced_by_level_at_the_share_their_holders_evidence_earns():
    from credlift.domain.applicant import ApplicantProfile
    from credlift.domain.authenticity import AuthenticityReport
    from credlift.domain.risk import RiskScore
    from credlift.tools import limits
    from credlift.tools.extraction.validators import validate_credential
    from credlift.tools.policy_parameters import load_policy_parameters
    from credlift.tools.risk.evidence import evidence_share

    applicant = ApplicantProfile(account_id="g1", name="李娜", id_number="", current_limit=5000, utilisation=0.2,
                                 months_on_book=26, delinquent_last_12m=0, income_band="mid", thin_file=True)
    fields = {"holder_name": "李娜", "school": "南京大学", "academic_year": "2022-2023", "honour_scope": "provincial",
              "issue_date": "2023-10-12", "certificate_number": "SHXS2023P000123"}
    record = CredentialRecord(type="merit_student", fields=fields, backend="ocr", type_confidence=0.9)
    today = date(2026, 12, 1)
    decision = limits.decide(applicant, record, validate_credential(record, today=today),
                             AuthenticityReport(verdict="authentic", score=0.05, model_version="t"),
                             RiskScore(probability_of_default=0.02, baseline_probability_of_default=0.03, band="A",
                                       model_version="t"), today=today)
    base = load_policy_parameters().credential_increase.for_type("merit_student")["provincial"]
    share = evidence_share("merit_student", "provincial").percent
    assert "INC-MERIT" in decision.clause_ids and decision.inputs["credential"]["base_increase"] == base
    if share:
        assert decision.kind == "approve" and decision.increase == int(base * share / 100) // 100 * 100
    else:
        assert decision.kind == "decline" and decision.reason_codes[0].code == "CRED_NO_EVIDENCE"


def test_honours_come_from_the_books_own_stream():
    """Adding the honours to the synthetic loan book leaves every other row's draws as they were."""
    from credlift.training.risk import loanbook

    book = loanbook.generate_loan_book(20_000, seed=3)
    saved = dict(loanbook.HONOUR_SHARES)
    loanbook.HONOUR_SHARES.clear()
    try:
        without = loanbook.generate_loan_book(20_000, seed=3)
    finally:
        loanbook.HONOUR_SHARES.update(saved)
    honours = book["credential_type"].isin(list(saved)).to_numpy()
    assert 500 < honours.sum() < 3000 and (without.loc[honours, "credential_type"] == "none").all()
    for column in ("months_on_book", "utilisation", "income_band", "credential_type", "default_12m"):
        assert (book.loc[~honours, column].to_numpy() == without.loc[~honours, column].to_numpy()).all(), column


def _placed(*lines: tuple[str, tuple[int, int, int, int]]):
    from credlift.tools.extraction.parsers import PageLayout

    return PageLayout([OcrLine(text=text, confidence=0.95, box=box) for text, box in lines])


def _icpc_page(*date_boxes: tuple[str, tuple[int, int, int, int]]):
    return _placed(("荣誉证书", (600, 200, 300, 80)), ("陈晨 同学（四川大学）：", (200, 340, 600, 40)),
                   ("在2024年中国大学生程序设计竞赛（桂林站）中，荣获", (280, 430, 900, 40)), ("银奖", (700, 520, 140, 70)),
                   ("特发此证，以资鼓励。", (280, 650, 340, 40)), ("中国大学生程序设计竞赛组织委员会", (900, 880, 540, 44)),
                   *date_boxes, ("证书编号：CCPC2024S00042", (200, 990, 420, 40)))


def test_a_chinese_numeral_date_is_read_through_specks_and_across_a_cut_between_two_boxes():
    from credlift.tools.extraction.normalise import parse_dates
    from credlift.tools.extraction.parsers import parser_for

    # a speck of seal ink read as a letter between the numerals; letters elsewhere (a number) are no date
    assert parse_dates("二O二五年十一月二十V八日") == ["2025-11-28"]
    assert parse_dates("二〇一七年|十二月二十六日") == ["2017-12-26"]
    assert parse_dates("CCPC2024S00042") == []
    parser = parser_for("icpc")
    # the detector cut the date in two boxes on one row, far enough apart not to be one word
    cut = _icpc_page(("二〇二四年十一月", (1000, 940, 180, 40)), ("三日", (1215, 940, 50, 40)))
    assert parser.parse(cut).get("issue_date") == "2024-11-03"
    whole = _icpc_page(("二〇二四年十一月三日", (1000, 940, 260, 40)))
    assert parser.parse(whole).get("issue_date") == "2024-11-03"
    # a box further along the row is another thing, not the rest of the date
    apart = _icpc_page(("二〇二四年十一月", (1000, 940, 180, 40)), ("三日", (1400, 940, 50, 40)))
    assert parser.parse(apart).get("issue_date") == "2024-11"


def test_a_year_garbled_with_a_stray_character_is_completed_from_the_number_only_when_its_numerals_agree():
    from credlift.tools.extraction.parsers import parser_for

    parser = parser_for("icpc")
    garbled = parser.parse(_icpc_page(("二O年二四年十一月三日", (1000, 940, 260, 40))))  # 年 read for the third 二
    assert garbled.get("issue_date") == "2024-11-03" and garbled.fields["issue_date"].confidence < 0.7
    # 二〇二四 read as 六四: too little of it left to contradict the number's year
    assert parser.parse(_icpc_page(("六四年十一月三日", (1000, 940, 200, 40)))).get("issue_date") == "2024-11-03"
    # numerals that are not the number's year (2019 against 2024): nothing is made up
    other = parser.parse(_icpc_page(("二〇一九年年十一月三日", (1000, 940, 260, 40))))
    assert other.get("issue_date") is None


def test_a_school_signing_its_own_honour_is_read_when_seal_ink_garbles_the_word_for_school():
    from credlift.tools.extraction.parsers import parser_for

    lines = (("荣誉证书", (600, 200, 300, 80)), ("郑雪霞同学（河南中医药大学）：", (340, 360, 440, 44)),
             ("在2019-2020学年中，德智体美劳全面发展，成绩优异，被评为", (400, 430, 830, 50)),
             ("校级三好学生", (640, 510, 290, 68)), ("特发此证，以资鼓励。", (400, 600, 270, 50)))
    parser = parser_for("merit_student")
    # 大学 read as 关学 under the seal: still the school named on the page
    garbled = parser.parse(_placed(*lines, ("河南中医药关学", (955, 800, 200, 50)), ("2020年11月11日", (965, 850, 170, 47))))
    assert garbled.get("issuer") == "河南中医药大学"
    # a bottom line like no issuer the page names, without an issuer's word, is not taken for one
    stray = parser.parse(_placed(*lines, ("以资鼓励特此证明", (955, 800, 200, 50)), ("2020年11月11日", (965, 850, 170, 47))))
    assert stray.get("issuer") is None
