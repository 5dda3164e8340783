"""Honour certificates (荣誉证书): merit student, scholarship, mathematics competition, ICPC/CCPC. One reader for
the sentence they are written in; what each type's page says is data in its module (`READING`,
tools/credentials/honours.py)."""
from __future__ import annotations

import re
from typing import ClassVar

from credlift.tools.credentials.honours import HonourReading, parser_class_name
from credlift.tools.extraction.normalise import clean
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (NUMBER_LABELS, number_year, parse_or_none, pattern_acceptor,
                                                      read_addressed_holder, read_issue_date, read_school, read_signing_issuer)
from credlift.tools.extraction.parsers.prose import prose_text

_ACADEMIC_YEAR = re.compile(r"(20\d{2})\s*[-—–~至]\s*(20\d{2})\s*学年")


class HonourParser(CredentialParser):
    reading: ClassVar[HonourReading]

    def parse(self, page: PageLayout) -> ParsedCredential:
        reading = self.reading
        parsed = ParsedCredential()
        read_addressed_holder(page, parsed)
        read_school(page, parsed)
        sentence = clean(prose_text(page)).replace(" ", "")
        # the school's and the issuers' own words (国家, 省) are not the honour's
        for name in (parsed.get("school"), *reading.issuers):
            if name:
                sentence = sentence.replace(clean(str(name)).replace(" ", ""), "")
        for key, words in reading.choices.items():
            for word, value in words:
                if clean(word).replace(" ", "") in sentence:
                    parsed.set(key, value, 0.95)
                    break
        for key, pattern in reading.patterns.items():
            match = re.search(pattern, sentence)
            if match:
                parsed.set(key, re.sub(r"[,，]", "", match.group(1)), 0.9)
        if reading.academic_year:
            match = _ACADEMIC_YEAR.search(sentence)
            if match and int(match.group(2)) == int(match.group(1)) + 1:
                parsed.set("academic_year", f"{match.group(1)}-{match.group(2)}", 0.95)
        rule = reading.number
        if rule is not None:
            found = page.labelled_or_anywhere(NUMBER_LABELS, pattern_acceptor(re.compile(rule.pattern), rule.fix_ocr))
            if found:
                parsed.set("certificate_number", found[0], found[1].confidence, found[1].index)
                number = parse_or_none(rule.parse, found[0])
                if number is not None:  # what the sentence did not say, the number codes
                    for key, value in number.values.items():
                        if parsed.get(key) is None:
                            parsed.set(key, value, 0.8)
        school = parsed.get("school")  # a school signs its own honours
        read_signing_issuer(page, parsed, reading.issuers + ((str(school),) if school else ()))
        year = number_year(rule.parse, parsed.get("certificate_number")) if rule is not None else None
        read_issue_date(page, parsed, year_hint=year)
        return parsed


def _parser(credential_type: str) -> type[HonourParser]:
    import importlib

    reading = importlib.import_module(f"credlift.tools.credentials.{credential_type}").READING
    return type(parser_class_name(credential_type), (HonourParser,),
                {"credential_type": credential_type, "reading": reading})


MeritStudentParser = _parser("merit_student")
ScholarshipParser = _parser("scholarship")
MathCompetitionParser = _parser("math_competition")
IcpcParser = _parser("icpc")
