"""食品从业人员健康证明 (food-handler health certificate, 健康证), a landscape card: holder, gender, ID number, category,
examination date, validity end, number (INVENTED layout, tools/credentials/health_certificate.py) and the issuing
disease-control centre with its seal."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document
from credlift.evals.synth.people import make_person, old_enough
from credlift.evals.synth.templates.base import LANDSCAPE, CredentialTemplate, SynthSpecError, ink, parse_iso
from credlift.evals.synth.templates.driver_permit import _years_later
from credlift.tools.credentials import MINIMUM_AGE
from credlift.tools.credentials.health_certificate import make_health_number

#: issuer -> its district's area code
ISSUERS = {"北京市朝阳区疾病预防控制中心": "110105", "上海市浦东新区疾病预防控制中心": "310115",
           "广州市天河区疾病预防控制中心": "440106", "深圳市南山区疾病预防控制中心": "440305",
           "杭州市西湖区疾病预防控制中心": "330106", "成都市武侯区疾病预防控制中心": "510107",
           "武汉市江汉区疾病预防控制中心": "420103", "南京市鼓楼区疾病预防控制中心": "320106",
           "西安市雁塔区疾病预防控制中心": "610113", "重庆市渝中区疾病预防控制中心": "500103"}


class HealthCertificateTemplate(CredentialTemplate):
    type = "health_certificate"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "gender", "id_number", "certificate_number", "category", "issue_date", "valid_until", "issuer")
    forge_fields = ("valid_until", "holder_name", "certificate_number")
    copy_move_fields = ("certificate_number", "id_number")
    erase_fields = ("id_number",)

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        # a current certificate unless told otherwise: examined 2 to 11 months before today (valid one year)
        examined = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date.fromordinal(
            date.today().toordinal() - int(rng.integers(60, 330)))
        valid_until = parse_iso(o["valid_until"], "valid_until") if "valid_until" in o else \
            date.fromordinal(_years_later(examined, 1).toordinal() - 1)
        if valid_until <= examined:
            raise SynthSpecError("valid_until must be after issue_date (the examination).")
        birth = parse_iso(o["birth_date"], "birth_date") if "birth_date" in o else None
        person = make_person(rng, (1970, 2006), name=o.get("holder_name"), gender=o.get("gender"), birth_date=birth)
        if birth is None and "id_number" not in o:
            person = old_enough(person, examined, MINIMUM_AGE["health_certificate"])
        issuer = o.get("issuer") or str(rng.choice(list(ISSUERS)))
        number = o.get("certificate_number") or make_health_number(
            ISSUERS.get(issuer, "110105"), examined.year, int(rng.integers(1, 999999)))
        return {"holder_name": person.name, "gender": person.gender,
                "id_number": o.get("id_number") or person.id_number, "certificate_number": number,
                "category": o.get("category") or ("食品" if rng.random() < 0.85 else "公共场所"),
                "issue_date": examined.isoformat(), "valid_until": valid_until.isoformat(), "issuer": issuer}

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "gender":
            return "男" if value == "male" else "女"
        if field in ("issue_date", "valid_until"):
            d = date.fromisoformat(value)
            return f"{d.year}年{d.month:02d}月{d.day:02d}日"
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "valid_until":  # an expired certificate made to look valid
            return _years_later(date.fromisoformat(value), int(rng.integers(1, 3))).isoformat()
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        width, height = LANDSCAPE
        canvas = Canvas(width, height, rng, paper=(250, 250, 246))
        tint = [(120, 190, 150), (140, 180, 215), (215, 200, 150)][int(rng.integers(3))]
        canvas.background(tint, strength=0.18, density=1.2)
        canvas.frame(30, tuple(int(c * 0.5) for c in tint), band=12)
        text_color = ink(rng)
        dx, dy = (int(v) for v in rng.integers(-12, 13, 2))
        canvas.text(width / 2 + dx, 170 + dy, "食品从业人员健康证明", 64, "serif", "bold", (30, 90, 60), anchor="ms",
                    tracking=6)
        canvas.text(width / 2 + dx, 225 + dy, "（预防性健康检查合格证明）", 30, "sans", "regular", (60, 90, 70),
                    anchor="ms")
        canvas.photo_box((width - 380 + dx, 300 + dy, 210, 270))
        label_style = {"family": "sans" if rng.random() < 0.6 else "serif", "color": (55, 55, 65)}
        value_style = {"family": "sans" if rng.random() < 0.7 else "serif", "color": text_color}
        rows = [("姓名：", "holder_name"), ("性别：", "gender"), ("身份证号：", "id_number"), ("从业类别：", "category"),
                ("体检日期：", "issue_date"), ("有效期至：", "valid_until"), ("编号：", "certificate_number")]
        y, left = 320 + dy, 130 + dx
        for label, name in rows:
            canvas.labelled(left, y, label, self.display(name, fields[name], fields), name, 34, label_style,
                            value_style)
            y += 74
        canvas.labelled(left, y, "发证机构：", fields["issuer"], "issuer", 34, label_style, value_style)
        canvas.seal(width - 300 + dx + rng.uniform(-20, 20), height - 220 + dy + rng.uniform(-15, 15), 105,
                    fields["issuer"], "")
        return canvas.finish()
