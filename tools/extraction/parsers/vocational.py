"""Vocational skill level certificate (职业技能等级证书): holder, occupation, skill level, issuer, date, number."""
from __future__ import annotations

import re

from credlift.tools.credential_numbers import parse_vocational_number
from credlift.tools.extraction.normalise import fix_digits
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (
    parse_or_none,
    NUMBER_LABELS,
    STOP_LABELS,
    pattern_acceptor,
    read_holder,
    read_id_number,
    number_year,
    read_issue_date,
)
from credlift.tools.extraction.parsers.prose import read_prose_person

_NUMBER = re.compile(r"[YS]\d{21}")
_LEVEL_WORDS = (("高级技师", "1"), ("一级", "1"), ("技师", "2"), ("二级", "2"), ("高级工", "3"), ("三级", "3"),
                ("中级工", "4"), ("四级", "4"), ("初级工", "5"), ("五级", "5"))


def _fix_number(text: str) -> str:
    compact = re.sub(r"[\s\-_.:：]", "", text).upper()
    match = re.search(r"([YS5])([0-9OIlSBZ]{21})", compact)
    if not match:
        return compact
    letter = "S" if match.group(1) == "5" else match.group(1)
    return letter + fix_digits(match.group(2))


def _level(text: str) -> str | None:
    for word, level in _LEVEL_WORDS:
        if word in text:
            return level
    return None


class VocationalParser(CredentialParser):
    credential_type = "vocational"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        read_holder(page, parsed)
        read_prose_person(page, parsed)
        read_id_number(page, parsed)
        occupation = page.value_after(("职业(工种)", "职业（工种）", "职业名称", "职业", "工种"),
                                      lambda t: t if re.fullmatch(r"[\u4e00-\u9fff()（）]{2,16}", t) else None, STOP_LABELS)
        if occupation:
            parsed.set("occupation", re.sub(r"^\(?工种\)?", "", occupation[0]), occupation[1].confidence, occupation[1].index)
        level = page.value_after(("职业技能等级", "技能等级", "等级"), _level, ())
        if level:
            parsed.set("skill_level", level[0], level[1].confidence, level[1].index)
        issuer = page.value_after(("评价机构", "发证机构", "发证单位", "颁证机构", "认定机构"),
                                  lambda t: t if len(t) >= 4 and re.search(r"[\u4e00-\u9fff]{4,}", t) else None, ("日期", "编号"))
        if issuer:
            parsed.set("issuer", issuer[0], issuer[1].confidence, issuer[1].index)
        accept = pattern_acceptor(_NUMBER, _fix_number)
        found = page.labelled_or_anywhere(NUMBER_LABELS, accept)
        if found:
            parsed.set("certificate_number", found[0], found[1].confidence, found[1].index)
            number = parse_or_none(parse_vocational_number, found[0])
            if number is not None and parsed.get("skill_level") is None:
                parsed.set("skill_level", number.skill_level, 0.85)
        read_issue_date(page, parsed, year_hint=number_year(parse_vocational_number, parsed.get("certificate_number")))
        return parsed
