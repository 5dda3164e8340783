"""Ride-hailing driver permit (网络预约出租汽车驾驶员证): holder, ID number, permit number, issuing authority, first
issue date and validity period."""
from __future__ import annotations

import re

from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.prose import GENDERS
from credlift.tools.credentials.driver_permit import parse_permit_number
from credlift.tools.extraction.parsers.common import (STOP_LABELS, complete_birth_date_from_id, number_year,
                                                      parse_or_none, pattern_acceptor, read_holder, read_id_number,
                                                      read_issue_date, read_signing_issuer, read_validity)

ISSUER_LABELS = ("发证机关", "发证机构", "发证单位", "签发机关")
VALIDITY_LABELS = ("有效期限", "有效期", "有效日期")
FIRST_ISSUE_LABELS = ("初次领证日期", "初领日期", "初次发证日期", "领证日期")
NUMBER_LABELS = ("证书编号", "编号", "驾驶员证号")
_PERMIT_NUMBER = re.compile(r"WY\d{16}")
_ISSUER = re.compile(r"[\u4e00-\u9fff]{2,20}(?:交通运输局|交通委员会|交通运输委员会|运输管理局|运输管理处|交通局)")


class DriverPermitParser(CredentialParser):
    credential_type = "driver_permit"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        read_holder(page, parsed)
        gender = page.value_after(("性别",), lambda t: GENDERS.get(t[:1]), ())
        if gender:
            parsed.set("gender", gender[0], gender[1].confidence, gender[1].index)
        read_id_number(page, parsed)
        number = page.labelled_or_anywhere(NUMBER_LABELS, pattern_acceptor(_PERMIT_NUMBER, _fix_prefix),
                                           lambda c: parse_or_none(parse_permit_number, c) is not None)
        if number:
            parsed.set("certificate_number", number[0], number[1].confidence, number[1].index)
        issuer = page.value_after(ISSUER_LABELS, lambda t: (_ISSUER.search(t) or [None])[0], STOP_LABELS)
        if issuer:
            parsed.set("issuer", issuer[0], issuer[1].confidence, issuer[1].index)
        else:
            read_signing_issuer(page, parsed)
        read_issue_date(page, parsed, FIRST_ISSUE_LABELS,
                        year_hint=number_year(parse_permit_number, parsed.get("certificate_number")))
        read_validity(page, parsed, VALIDITY_LABELS)
        vehicle = page.value_after(("准驾车型",), lambda t: m.group(0) if (m := re.search(r"[A-D][1-3]", t.upper())) else None, ())
        if vehicle:
            parsed.set("vehicle_class", vehicle[0], vehicle[1].confidence, vehicle[1].index)
        complete_birth_date_from_id(parsed)
        return parsed


def _fix_prefix(text: str) -> str:
    """OCR reads the W of WY as VV or the Y as V; the digits after it as look-alike letters."""
    from credlift.tools.extraction.normalise import clean, fix_digits

    text = clean(text).upper().replace("VVY", "WY").replace("WV", "WY")
    match = re.search(r"WY(.{16})", text)
    return f"WY{fix_digits(match.group(1))}" if match else text
