"""网络预约出租汽车驾驶员证 (ride-hailing driver permit), a landscape card: holder, ID number, permit number (INVENTED
layout, tools/credentials/driver_permit.py), vehicle class, first issue date, validity period, issuing transport
authority and its seal."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document
from credlift.evals.synth.people import make_person, old_enough
from credlift.evals.synth.templates.base import LANDSCAPE, CredentialTemplate, SynthSpecError, ink, parse_iso
from credlift.tools.credentials import MINIMUM_AGE
from credlift.tools.credentials.driver_permit import make_permit_number

#: issuing authority -> its city's area code
AUTHORITIES = {"北京市交通委员会": "110100", "上海市交通委员会": "310100", "广州市交通运输局": "440100",
               "深圳市交通运输局": "440300", "杭州市运输管理局": "330100", "成都市交通运输局": "510100",
               "武汉市交通运输局": "420100", "南京市交通运输局": "320100", "西安市交通运输局": "610100",
               "重庆市交通运输委员会": "500100", "长沙市交通运输局": "430100", "郑州市交通运输局": "410100",
               "苏州市交通运输局": "320500", "天津市交通运输委员会": "120100"}
VALID_YEARS = 6


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class DriverPermitTemplate(CredentialTemplate):
    type = "driver_permit"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "gender", "id_number", "certificate_number", "vehicle_class", "issue_date", "valid_from",
        "valid_until", "issuer")
    forge_fields = ("holder_name", "valid_until", "certificate_number")
    copy_move_fields = ("certificate_number", "id_number")
    erase_fields = ("id_number",)

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        valid_from = parse_iso(o["valid_from"], "valid_from") if "valid_from" in o else date(
            int(rng.integers(2021, 2026)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        first = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else (
            valid_from if rng.random() < 0.7 else _years_later(valid_from, -VALID_YEARS))
        if first > valid_from:
            raise SynthSpecError("issue_date (first issued) must not be after valid_from.")
        valid_until = parse_iso(o["valid_until"], "valid_until") if "valid_until" in o else \
            date.fromordinal(_years_later(valid_from, VALID_YEARS).toordinal() - 1)
        birth = parse_iso(o["birth_date"], "birth_date") if "birth_date" in o else None
        person = make_person(rng, (1968, 2000), name=o.get("holder_name"), gender=o.get("gender"), birth_date=birth)
        if birth is None and "id_number" not in o:
            person = old_enough(person, first, MINIMUM_AGE["driver_permit"])
        issuer = o.get("issuer") or str(rng.choice(list(AUTHORITIES)))
        number = o.get("certificate_number") or make_permit_number(
            AUTHORITIES.get(issuer, "110100"), first.year, int(rng.integers(1, 999999)))
        return {
            "holder_name": person.name, "gender": person.gender, "id_number": o.get("id_number") or person.id_number,
            "certificate_number": number,
            "vehicle_class": o.get("vehicle_class") or str(rng.choice(["C1", "C1", "C2", "B1"])),
            "issue_date": first.isoformat(), "valid_from": valid_from.isoformat(),
            "valid_until": valid_until.isoformat(), "issuer": issuer,
        }

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "gender":
            return "男" if value == "male" else "女"
        if field in ("issue_date", "valid_from", "valid_until"):
            d = date.fromisoformat(value)
            return f"{d.year}年{d.month:02d}月{d.day:02d}日"
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "valid_until":  # an expired permit made to look valid
            return _years_later(date.fromisoformat(value), int(rng.integers(2, 5))).isoformat()
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        width, height = LANDSCAPE
        canvas = Canvas(width, height, rng, paper=(246, 248, 250))
        tint = [(150, 185, 215), (160, 200, 180), (205, 190, 160)][int(rng.integers(3))]
        canvas.background(tint, strength=0.22, density=1.4)
        canvas.watermark("网络预约出租汽车驾驶员证", 34, color=(232, 236, 240), angle=-18.0)
        canvas.frame(30, tuple(int(c * 0.45) for c in tint), band=14)
        text_color = ink(rng)
        dx, dy = (int(v) for v in rng.integers(-12, 13, 2))
        canvas.text(width / 2 + dx, 150 + dy, "中华人民共和国", 40, "serif", "bold", (25, 60, 130), anchor="ms", tracking=8)
        canvas.text(width / 2 + dx, 235 + dy, "网络预约出租汽车驾驶员证", 62, "serif", "bold", (25, 60, 130), anchor="ms",
                    tracking=4)
        canvas.photo_box((width - 360 + dx, 300 + dy, 210, 270))
        label_style = {"family": "sans" if rng.random() < 0.6 else "serif", "color": (55, 55, 65)}
        value_style = {"family": "sans" if rng.random() < 0.7 else "serif", "color": text_color}
        rows = [("姓名：", "holder_name"), ("性别：", "gender"), ("身份证号：", "id_number"), ("准驾车型：", "vehicle_class"),
                ("初次领证日期：", "issue_date")]
        y, left = 310 + dy, 130 + dx
        for label, name in rows:
            canvas.labelled(left, y, label, self.display(name, fields[name], fields), name, 34, label_style, value_style)
            y += 74
        canvas.line(left, y, [("有效期限：", None), (self.display("valid_from", fields["valid_from"], fields), "valid_from"),
                              ("至", None), (self.display("valid_until", fields["valid_until"], fields), "valid_until")],
                    34, value_style["family"], "regular", text_color)
        y += 74
        canvas.labelled(left, y, "从业资格类别：", "网络预约出租汽车驾驶员", None, 34, label_style, value_style)
        y += 74
        canvas.labelled(left, y, "发证机关：", fields["issuer"], "issuer", 34, label_style, value_style)
        y += 74
        canvas.labelled(left, y, "证书编号：", fields["certificate_number"], "certificate_number", 34, label_style,
                        value_style)
        canvas.seal(width - 300 + dx + rng.uniform(-20, 20), height - 230 + dy + rng.uniform(-15, 15), 105,
                    fields["issuer"], "")
        return canvas.finish()
