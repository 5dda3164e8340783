"""Accounting professional qualification (会计专业技术资格证书, 初级/中级): holder, level, issuer, date, number."""
from __future__ import annotations

import re

from credlift.tools.credential_numbers import parse_qualification_number
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (
    parse_or_none,
    NUMBER_LABELS,
    digits_of_length,
    read_holder,
    read_id_number,
    number_year,
    read_issue_date,
    read_signing_issuer,
    complete_birth_date_from_id,
)
from credlift.tools.extraction.parsers.prose import prose_text, read_prose_person

_LEVELS = (("初级", "junior"), ("中级", "intermediate"))
#: the accounting qualification is issued jointly by these two ministries (or, on older certificates, one of them)
KNOWN_ISSUERS = ("财政部 人力资源和社会保障部", "财政部 人事部", "财政部", "人力资源和社会保障部")


class QualificationParser(CredentialParser):
    credential_type = "qualification"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        read_holder(page, parsed)
        read_prose_person(page, parsed)
        read_id_number(page, parsed)
        text = prose_text(page)
        name = page.value_after(("资格名称", "资格", "专业名称"), lambda t: t if "资格" in t or "会计" in t else None, ("级别",))
        if name:
            parsed.set("qualification_name", re.sub(r"[（(]?(初级|中级)[)）]?", "", name[0]) or name[0], name[1].confidence, name[1].index)
        elif "会计专业技术资格" in text:
            parsed.set("qualification_name", "会计专业技术资格", 0.9)
        level = page.value_after(("级别", "资格级别", "等级"), lambda t: next((v for w, v in _LEVELS if w in t), None), ())
        if level:
            parsed.set("qualification_level", level[0], level[1].confidence, level[1].index)
        else:
            for word, value in _LEVELS:
                if word + "会计" in text or word + "资格" in text or "(" + word + ")" in text or "（" + word + "）" in text:
                    parsed.set("qualification_level", value, 0.85)
                    break
        issuer = page.value_after(("签发单位", "发证机关", "发证单位", "颁发单位", "签发机关"),
                                  lambda t: t if re.search(r"[\u4e00-\u9fff]{3,}", t) else None, ("日期", "编号"))
        if issuer:
            parsed.set("issuer", issuer[0], issuer[1].confidence, issuer[1].index)
        accept = digits_of_length(17)
        found = page.labelled_or_anywhere(NUMBER_LABELS, accept, _is_qualification_number)
        if found:
            parsed.set("certificate_number", found[0], found[1].confidence, found[1].index)
            number = parse_or_none(parse_qualification_number, found[0])
            if number is not None and parsed.get("qualification_level") is None:
                parsed.set("qualification_level", number.qualification_level, 0.8)
        read_signing_issuer(page, parsed, KNOWN_ISSUERS)
        complete_birth_date_from_id(parsed)
        read_issue_date(page, parsed, ("批准日期", "签发日期", "发证日期", "取得日期", "日期"),
                        year_hint=number_year(parse_qualification_number, parsed.get("certificate_number")))
        return parsed


def _is_qualification_number(candidate: str) -> bool:
    return parse_or_none(parse_qualification_number, candidate) is not None
