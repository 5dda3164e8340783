"""Ride-hailing vehicle transport permit (网络预约出租汽车运输证): owner, permit number, plate, vehicle type,
issue date, validity period and issuing authority."""
from __future__ import annotations

import re

from credlift.tools.credentials.transport_permit import parse_transport_number
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (STOP_LABELS, accept_name, number_year, parse_or_none,
                                                      pattern_acceptor, read_issue_date, read_signing_issuer,
                                                      read_validity)

ISSUER_LABELS = ("发证机关", "发证机构", "发证单位")
NUMBER_LABELS = ("证号", "证书编号", "编号")
OWNER_LABELS = ("业户名称", "业户", "车主")
_NUMBER = re.compile(r"YS\d{16}")
# the province, the city letter (OCR may read a stray stroke, I or |, before it), then five or six
_PLATE = re.compile(r"([\u4e00-\u9fff])[I|1]?([A-Z])[·•.]?([A-Z0-9]{5,6})")
_ISSUER = re.compile(r"[\u4e00-\u9fff]{2,20}(?:交通运输局|交通委员会|交通运输委员会|运输管理局|运输管理处|交通局)")
_NOT_IN_SERIALS = str.maketrans("OI", "01")
VEHICLE_TYPES = ("小型轿车", "小型普通客车", "小型专用客车", "中型轿车")


class TransportPermitParser(CredentialParser):
    credential_type = "transport_permit"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        owner = page.value_after(OWNER_LABELS, accept_name, STOP_LABELS)
        if owner:
            parsed.set("holder_name", owner[0], owner[1].confidence, owner[1].index)
        number = page.labelled_or_anywhere(NUMBER_LABELS, pattern_acceptor(_NUMBER, _fix_prefix),
                                           lambda c: parse_or_none(parse_transport_number, c) is not None)
        if number:
            parsed.set("certificate_number", number[0], number[1].confidence, number[1].index)
        plate = page.value_after(("车辆号牌", "号牌号码", "车牌号"), accept_plate, ())
        if plate:
            parsed.set("plate_number", plate[0], plate[1].confidence, plate[1].index)
        vehicle = page.value_after(("车辆类型",), lambda t: next((v for v in VEHICLE_TYPES if v in t), None), ())
        if vehicle:
            parsed.set("vehicle_type", vehicle[0], vehicle[1].confidence, vehicle[1].index)
        issuer = page.value_after(ISSUER_LABELS, lambda t: (_ISSUER.search(t) or [None])[0], STOP_LABELS)
        if issuer:
            parsed.set("issuer", issuer[0], issuer[1].confidence, issuer[1].index)
        else:
            read_signing_issuer(page, parsed)
        read_issue_date(page, parsed, ("发证日期", "核发日期"),
                        year_hint=number_year(parse_transport_number, parsed.get("certificate_number")))
        read_validity(page, parsed, ("有效期限", "有效期至", "有效期"))
        return parsed


def accept_plate(text: str) -> str | None:
    """A plate number: province, city letter, five or six letters and digits. A plate's serial never holds the
    letters I or O (GA 36, kept apart from 1 and 0), so an O or I read there is the digit."""
    match = _PLATE.search(text.upper())
    if not match:
        return None
    province, city, serial = match.groups()
    return province + city + serial.translate(_NOT_IN_SERIALS)


def _fix_prefix(text: str) -> str:
    """OCR reads the S of YS as a 5; the digits after it as look-alike letters."""
    from credlift.tools.extraction.normalise import clean, fix_digits

    text = clean(text).upper().replace("Y5", "YS").replace("VS", "YS")
    match = re.search(r"YS(.{16})", text)
    return f"YS{fix_digits(match.group(1))}" if match else text
