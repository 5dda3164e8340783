"""Food-handler health certificate (健康证): holder, gender, ID number, number, examination date, validity end,
category and issuer."""
from __future__ import annotations

import re

from credlift.tools.credentials.health_certificate import parse_health_number
from credlift.tools.extraction.parsers.base import PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.permit import PermitLayout, PermitParser

LAYOUT = PermitLayout(
    prefix="JK", prefix_misreadings=(("]K", "JK"), ("JX", "JK")),  # the J read as a bracket, the K as an X
    parse_number=parse_health_number, number_labels=("证书编号", "编号", "证号"),
    issuer_labels=("发证机构", "发证机关", "发证单位", "体检机构"),
    issuer=re.compile(r"[\u4e00-\u9fff]{2,24}(?:疾病预防控制中心|卫生健康委员会|卫生健康局|卫生监督所|体检中心)"),
    date_labels=("体检日期", "发证日期", "检查日期"), validity_labels=("有效期至", "有效期限", "有效期"))
CATEGORIES = ("食品", "公共场所", "药品", "化妆品")


class HealthCertificateParser(PermitParser):
    credential_type = "health_certificate"
    layout = LAYOUT

    def read_own(self, page: PageLayout, parsed: ParsedCredential) -> None:
        category = page.value_after(("从业类别", "类别"), lambda t: next((c for c in CATEGORIES if c in t), None), ())
        if category:
            parsed.set("category", category[0], category[1].confidence, category[1].index)
