"""Competition award certificate (荣誉证书/获奖证书): holder, competition, award level and scope, date, number."""
from __future__ import annotations

import re

from credlift.tools.credential_numbers import AWARD_COMPETITIONS, parse_award_number
from credlift.tools.extraction.normalise import clean, fix_digits
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (
    parse_or_none,
    NUMBER_LABELS,
    pattern_acceptor,
    read_addressed_holder,
    number_year,
    read_issue_date,
    read_school,
    read_signing_issuer,
)
from credlift.tools.extraction.parsers.prose import prose_text

_NUMBER = re.compile(r"(?:MCM|TZB|LQB|IGEM)\d{4}[INP][0-9GSB]\d{5}")
_LEVELS = (("一等奖", "first"), ("二等奖", "second"), ("三等奖", "third"), ("金奖", "gold"), ("银奖", "silver"),
           ("铜奖", "bronze"), ("金牌", "gold"), ("银牌", "silver"), ("铜牌", "bronze"))
_SCOPES = (("国际", "international"), ("赛区", "provincial"), ("省级", "provincial"), ("省赛", "provincial"),
           ("全国", "national"), ("国家级", "national"))
#: who organises each competition (prints and seals its certificates): OCR readings are snapped to these names
KNOWN_ORGANISERS = ("中国工业与应用数学学会", "全国大学生数学建模竞赛组织委员会", "共青团中央", "工业和信息化部人才交流中心",
                    "iGEM基金会")


def _fix_number(text: str) -> str:
    compact = re.sub(r"[\s\-_.:：]", "", text).upper()
    match = re.search(r"(MCM|TZB|LQB|IGEM)([0-9OIlSBZ]{4})([INP1])([0-9GSB])([0-9OIlSBZ]{5})", compact)
    if not match:
        return compact
    scope = "I" if match.group(3) == "1" else match.group(3)
    return match.group(1) + fix_digits(match.group(2)) + scope + match.group(4) + fix_digits(match.group(5))


class AwardParser(CredentialParser):
    credential_type = "award"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        read_addressed_holder(page, parsed)
        text = prose_text(page)
        read_school(page, parsed)
        compact = clean(text).replace(" ", "")
        for competition in sorted(AWARD_COMPETITIONS.values(), key=len, reverse=True):
            name = clean(competition).replace(" ", "")
            if name in compact:
                parsed.set("competition", competition, 0.95)
                compact = compact.replace(name, "")  # the scope is what the page adds, not the 全国 of the name
                break
        # nor the 国际 of a school (陕西国际商贸学院) or an organiser's 全国
        for name in (parsed.get("school"), *KNOWN_ORGANISERS):
            if name:
                compact = compact.replace(clean(str(name)).replace(" ", ""), "")
        for word, level in _LEVELS:
            if word in compact:
                parsed.set("award_level", level, 0.95)
                break
        for word, scope in _SCOPES:
            if word in compact:
                parsed.set("award_scope", scope, 0.9)
                break
        accept = pattern_acceptor(_NUMBER, _fix_number)
        found = page.labelled_or_anywhere(NUMBER_LABELS, accept)
        if found:
            parsed.set("certificate_number", found[0], found[1].confidence, found[1].index)
            number = parse_or_none(parse_award_number, found[0])
            if number is not None:
                for key, value in (("competition", number.competition), ("award_level", number.award_level),
                                   ("award_scope", number.award_scope)):
                    if parsed.get(key) is None:
                        parsed.set(key, value, 0.8)
        read_signing_issuer(page, parsed, KNOWN_ORGANISERS)
        read_issue_date(page, parsed, year_hint=number_year(parse_award_number, parsed.get("certificate_number")))
        return parsed
