"""Permits an authority issues to a person or a vehicle (driver permit, health certificate, transport permit): one
reading for what they all print — the holder, a number of a two-letter prefix and sixteen digits, the issuing
authority, the issue date and the validity period. What each permit calls these is data (`PermitLayout`)."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from credlift.tools.extraction.normalise import clean, fix_digits
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (STOP_LABELS, number_year, parse_or_none, pattern_acceptor,
                                                      read_holder, read_id_number, read_issue_date,
                                                      read_signing_issuer, read_validity)
from credlift.tools.extraction.parsers.prose import GENDERS

#: a city's transport authority (driver and transport permits)
TRANSPORT_AUTHORITY = re.compile(r"[\u4e00-\u9fff]{2,20}(?:交通运输局|交通委员会|交通运输委员会|运输管理局|运输管理处|交通局)")


@dataclass(frozen=True)
class PermitLayout:
    """What one permit prints: its number (prefix, what OCR reads for the prefix, the parse that checks it), the
    issuing authority's labels and name, and the labels of its dates."""
    prefix: str
    prefix_misreadings: tuple[tuple[str, str], ...]  # (read, meant)
    parse_number: Callable
    number_labels: tuple[str, ...]
    issuer_labels: tuple[str, ...]
    issuer: re.Pattern[str]
    date_labels: tuple[str, ...]
    validity_labels: tuple[str, ...]

    def fix_number(self, text: str) -> str:
        """The prefix as printed (OCR look-alikes of its letters undone); the sixteen digits after it with
        look-alike letters read as digits."""
        text = clean(text).upper()
        for read, meant in self.prefix_misreadings:
            text = text.replace(read, meant)
        match = re.search(re.escape(self.prefix) + r"(.{16})", text)
        return f"{self.prefix}{fix_digits(match.group(1))}" if match else text


#: 性别：男 with the label's second character misread (性刷：男), at the start of a line
_GENDER_ROW = re.compile(r"^性[\u4e00-\u9fff][:：]([男女])")


def read_person(page: PageLayout, parsed: ParsedCredential) -> None:
    """The holder's name, gender and ID number."""
    read_holder(page, parsed)
    gender = page.value_after(("性别",), lambda t: GENDERS.get(t[:1]), ())
    if gender:
        parsed.set("gender", gender[0], gender[1].confidence, gender[1].index)
    elif found := page.search(_GENDER_ROW):
        parsed.set("gender", GENDERS[found[0].group(1)], found[1].confidence * 0.95, found[1].index)
    read_id_number(page, parsed)


def read_permit_number(page: PageLayout, parsed: ParsedCredential, layout: PermitLayout) -> None:
    number = page.labelled_or_anywhere(layout.number_labels,
                                       pattern_acceptor(re.compile(re.escape(layout.prefix) + r"\d{16}"), layout.fix_number),
                                       lambda candidate: parse_or_none(layout.parse_number, candidate) is not None)
    if number:
        parsed.set("certificate_number", number[0], number[1].confidence, number[1].index)


def read_authority(page: PageLayout, parsed: ParsedCredential, layout: PermitLayout) -> None:
    """The issuing authority (labelled, else the one signing under its seal), the issue date (a garbled year taken
    from the number's) and the validity period."""
    issuer = page.value_after(layout.issuer_labels, lambda t: (layout.issuer.search(t) or [None])[0], STOP_LABELS)
    if issuer:
        parsed.set("issuer", issuer[0], issuer[1].confidence, issuer[1].index)
    else:
        read_signing_issuer(page, parsed)
    read_issue_date(page, parsed, layout.date_labels,
                    year_hint=number_year(layout.parse_number, parsed.get("certificate_number")))
    read_validity(page, parsed, layout.validity_labels)


class PermitParser(CredentialParser):
    """A permit issued to a person: the person, the number, the authority, then what only this permit prints."""
    layout: ClassVar[PermitLayout]

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        read_person(page, parsed)
        read_permit_number(page, parsed, self.layout)
        read_authority(page, parsed, self.layout)
        self.read_own(page, parsed)
        return parsed

    def read_own(self, page: PageLayout, parsed: ParsedCredential) -> None:
        """The fields only this permit prints."""
