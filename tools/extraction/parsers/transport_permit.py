"""Ride-hailing vehicle transport permit (网络预约出租汽车运输证): owner, permit number, plate, vehicle type,
issue date, validity period and issuing authority."""
from __future__ import annotations

import re

from credlift.tools.credentials.transport_permit import parse_transport_number
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import STOP_LABELS, accept_name
from credlift.tools.extraction.parsers.permit import (TRANSPORT_AUTHORITY, PermitLayout, read_authority,
                                                      read_permit_number)

LAYOUT = PermitLayout(
    prefix="YS", prefix_misreadings=(("Y5", "YS"), ("VS", "YS")),  # the S read as a 5, the Y as a V
    parse_number=parse_transport_number, number_labels=("证号", "证书编号", "编号"),
    issuer_labels=("发证机关", "发证机构", "发证单位"), issuer=TRANSPORT_AUTHORITY,
    date_labels=("发证日期", "核发日期"), validity_labels=("有效期限", "有效期至", "有效期"))
OWNER_LABELS = ("业户名称", "业户", "车主")
# the province, the city letter (OCR may read a stray stroke, I or |, before it), then five or six
_PLATE = re.compile(r"([\u4e00-\u9fff])[I|1]?([A-Z])[·•.]?([A-Z0-9]{5,6})")
_NOT_IN_SERIALS = str.maketrans("OI", "01")
VEHICLE_TYPES = ("小型轿车", "小型普通客车", "小型专用客车", "中型轿车")


class TransportPermitParser(CredentialParser):
    credential_type = "transport_permit"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        owner = page.value_after(OWNER_LABELS, accept_name, STOP_LABELS)
        if owner:
            parsed.set("holder_name", owner[0], owner[1].confidence, owner[1].index)
        read_permit_number(page, parsed, LAYOUT)
        plate = page.value_after(("车辆号牌", "号牌号码", "车牌号"), accept_plate, ())
        if plate:
            parsed.set("plate_number", plate[0], plate[1].confidence, plate[1].index)
        vehicle = page.value_after(("车辆类型",), lambda t: next((v for v in VEHICLE_TYPES if v in t), None), ())
        if vehicle:
            parsed.set("vehicle_type", vehicle[0], vehicle[1].confidence, vehicle[1].index)
        read_authority(page, parsed, LAYOUT)
        return parsed


def accept_plate(text: str) -> str | None:
    """A plate number: province, city letter, five or six letters and digits. A plate's serial never holds the
    letters I or O (GA 36, kept apart from 1 and 0), so an O or I read there is the digit."""
    match = _PLATE.search(text.upper())
    if not match:
        return None
    province, city, serial = match.groups()
    return province + city + serial.translate(_NOT_IN_SERIALS)
