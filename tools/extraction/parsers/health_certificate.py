"""Food-handler health certificate (健康证): holder, gender, ID number, number, examination date, validity end,
category and issuer."""
from __future__ import annotations

import re

from credlift.tools.credentials.health_certificate import parse_health_number
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (STOP_LABELS, number_year, parse_or_none, pattern_acceptor,
                                                      read_holder, read_id_number, read_issue_date,
                                                      read_signing_issuer, read_validity)
from credlift.tools.extraction.parsers.prose import GENDERS

ISSUER_LABELS = ("发证机构", "发证机关", "发证单位", "体检机构")
NUMBER_LABELS = ("证书编号", "编号", "证号")
EXAM_LABELS = ("体检日期", "发证日期", "检查日期")
_NUMBER = re.compile(r"JK\d{16}")
_ISSUER = re.compile(r"[\u4e00-\u9fff]{2,24}(?:疾病预防控制中心|卫生健康委员会|卫生健康局|卫生监督所|体检中心)")
CATEGORIES = ("食品", "公共场所", "药品", "化妆品")


class HealthCertificateParser(CredentialParser):
    credential_type = "health_certificate"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        read_holder(page, parsed)
        gender = page.value_after(("性别",), lambda t: GENDERS.get(t[:1]), ())
        if gender:
            parsed.set("gender", gender[0], gender[1].confidence, gender[1].index)
        read_id_number(page, parsed)
        number = page.labelled_or_anywhere(NUMBER_LABELS, pattern_acceptor(_NUMBER, _fix_prefix),
                                           lambda c: parse_or_none(parse_health_number, c) is not None)
        if number:
            parsed.set("certificate_number", number[0], number[1].confidence, number[1].index)
        issuer = page.value_after(ISSUER_LABELS, lambda t: (_ISSUER.search(t) or [None])[0], STOP_LABELS)
        if issuer:
            parsed.set("issuer", issuer[0], issuer[1].confidence, issuer[1].index)
        else:
            read_signing_issuer(page, parsed)
        read_issue_date(page, parsed, EXAM_LABELS,
                        year_hint=number_year(parse_health_number, parsed.get("certificate_number")))
        read_validity(page, parsed, ("有效期至", "有效期限", "有效期"))
        category = page.value_after(("从业类别", "类别"), lambda t: next((c for c in CATEGORIES if c in t), None), ())
        if category:
            parsed.set("category", category[0], category[1].confidence, category[1].index)
        return parsed


def _fix_prefix(text: str) -> str:
    """OCR reads the J of JK as a bracket or the K as a lower-case k; the digits after it as look-alike letters."""
    from credlift.tools.extraction.normalise import clean, fix_digits

    text = clean(text).upper().replace("]K", "JK").replace("JX", "JK")
    match = re.search(r"JK(.{16})", text)
    return f"JK{fix_digits(match.group(1))}" if match else text
