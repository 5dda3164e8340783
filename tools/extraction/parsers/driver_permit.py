"""Ride-hailing driver permit (网络预约出租汽车驾驶员证): holder, ID number, permit number, issuing authority, first
issue date and validity period."""
from __future__ import annotations

import re

from credlift.tools.credentials.driver_permit import parse_permit_number
from credlift.tools.extraction.parsers.base import PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import complete_birth_date_from_id
from credlift.tools.extraction.parsers.permit import TRANSPORT_AUTHORITY, PermitLayout, PermitParser

LAYOUT = PermitLayout(
    prefix="WY", prefix_misreadings=(("VVY", "WY"), ("WV", "WY")),  # the W read as VV, the Y as V
    parse_number=parse_permit_number, number_labels=("证书编号", "编号", "驾驶员证号"),
    issuer_labels=("发证机关", "发证机构", "发证单位", "签发机关"), issuer=TRANSPORT_AUTHORITY,
    date_labels=("初次领证日期", "初领日期", "初次发证日期", "领证日期"), validity_labels=("有效期限", "有效期", "有效日期"))


class DriverPermitParser(PermitParser):
    credential_type = "driver_permit"
    layout = LAYOUT

    def read_own(self, page: PageLayout, parsed: ParsedCredential) -> None:
        vehicle = page.value_after(("准驾车型",), lambda t: m.group(0) if (m := re.search(r"[A-D][1-3]", t.upper())) else None, ())
        if vehicle:
            parsed.set("vehicle_class", vehicle[0], vehicle[1].confidence, vehicle[1].index)
        complete_birth_date_from_id(parsed)
