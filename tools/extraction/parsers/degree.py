"""Degree certificate (学位证书): holder, awarding school, degree level, discipline, major, date, number."""
from __future__ import annotations

import re

from credlift.tools.credential_numbers import parse_degree_number
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (
    parse_or_none,
    NUMBER_LABELS,
    correct_school_by_code,
    pattern_acceptor,
    read_holder,
    read_id_number,
    number_year,
    read_issue_date,
    read_school,
)
from credlift.tools.extraction.normalise import fix_digits
from credlift.tools.extraction.parsers.prose import prose_text, read_major, read_prose_person

_DEGREE = re.compile(r"(?:授予)?([\u4e00-\u9fff]{1,4}学)?(学士|硕士|博士)学位")
_LEVELS = {"学士": "bachelor", "硕士": "master", "博士": "doctor"}
#: the disciplines (学科门类) degrees are awarded in, longest first so that 管理学 is not read as 理学
DISCIPLINES = tuple(sorted(("哲学", "经济学", "法学", "教育学", "文学", "历史学", "理学", "工学", "农学", "医学", "军事学",
                            "管理学", "艺术学", "交叉学科"), key=len, reverse=True))
_NUMBER = re.compile(r"(?<![A-Z0-9])(?:[CQTL]\d{6}[0-9]{4}[A-Z0-9]\d{5}|\d{10}[A-Z]\d{5}|\d{16})(?![0-9])")


def _fix_number(text: str) -> str:
    """Digits fixed except a letter in position 11 (or a leading letter), which are real in degree numbers."""
    compact = re.sub(r"[\s\-_.:：]", "", text).upper()
    match = re.search(r"[CQTL]?[0-9OIlSBZ]{10}[A-Z0-9][0-9OIlSBZ]{5}", compact)
    if not match:
        return fix_digits(compact)
    value = match.group(0)
    head = value[0] if len(value) == 17 else ""
    body = value[len(head):]
    return head + fix_digits(body[:10]) + (body[10] if body[10].isalpha() and body[10] not in "OIl" else fix_digits(body[10])) + fix_digits(body[11:])


class DegreeParser(CredentialParser):
    credential_type = "degree"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        read_holder(page, parsed)
        read_prose_person(page, parsed)
        read_school(page, parsed)
        read_id_number(page, parsed)
        read_major(page, parsed)
        text = prose_text(page)
        match = _DEGREE.search(text)
        if match:
            parsed.set("degree_level", _LEVELS[match.group(2)], 0.95)
            named = match.group(1) or ""
            discipline = next((d for d in DISCIPLINES if named.endswith(d)), None)
            if discipline:
                parsed.set("discipline", discipline, 0.95)
        accept = pattern_acceptor(_NUMBER, _fix_number)
        found = page.labelled_or_anywhere(NUMBER_LABELS, accept, lambda candidate: candidate != parsed.get("id_number"))
        if found:
            parsed.set("certificate_number", found[0], found[1].confidence, found[1].index)
            number = parse_or_none(parse_degree_number, found[0])
            if number is not None:
                correct_school_by_code(parsed, number.unit_code)
                if parsed.get("degree_level") is None:
                    parsed.set("degree_level", number.degree_level, 0.8)
        read_issue_date(page, parsed, year_hint=number_year(parse_degree_number, parsed.get("certificate_number")))
        return parsed
