"""网络预约出租汽车运输证 (ride-hailing vehicle transport permit), a landscape card: owner, permit number (INVENTED
layout, tools/credentials/transport_permit.py), plate number, vehicle type, business scope, date issued, validity
period and the issuing transport authority with its seal."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document
from credlift.evals.synth.people import make_person
from credlift.evals.synth.templates.base import LANDSCAPE, CredentialTemplate, SynthSpecError, ink, parse_iso
from credlift.evals.synth.templates.driver_permit import AUTHORITIES, _years_later
from credlift.tools.credentials.transport_permit import make_transport_number

VALID_YEARS = 8
#: the province's plate prefix by the authority's area code
PLATE_PREFIX = {"11": "京", "31": "沪", "44": "粤", "33": "浙", "51": "川", "42": "鄂", "32": "苏", "61": "陕",
                "50": "渝", "43": "湘", "41": "豫", "12": "津"}
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


class TransportPermitTemplate(CredentialTemplate):
    type = "transport_permit"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "certificate_number", "plate_number", "vehicle_type", "issue_date", "valid_from",
        "valid_until", "issuer")
    forge_fields = ("valid_until", "holder_name", "certificate_number")
    copy_move_fields = ("certificate_number",)
    erase_fields = ("plate_number",)

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        valid_from = parse_iso(o["valid_from"], "valid_from") if "valid_from" in o else date(
            int(rng.integers(2019, 2026)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        issued = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else valid_from
        if issued > valid_from:
            raise SynthSpecError("issue_date must not be after valid_from.")
        valid_until = parse_iso(o["valid_until"], "valid_until") if "valid_until" in o else \
            date.fromordinal(_years_later(valid_from, VALID_YEARS).toordinal() - 1)
        issuer = o.get("issuer") or str(rng.choice(list(AUTHORITIES)))
        area = AUTHORITIES.get(issuer, "110100")
        letters = "D" if rng.random() < 0.5 else ""  # new-energy plates carry D or F and five more
        tail = "".join(str(rng.choice(list("0123456789" + ("" if letters else PLATE_LETTERS[:6])))) for _ in range(5))
        plate = o.get("plate_number") or (f"{PLATE_PREFIX.get(area[:2], '京')}"
                                          f"{str(rng.choice(list(PLATE_LETTERS[:8])))}{letters}{tail}")
        number = o.get("certificate_number") or make_transport_number(area, issued.year, int(rng.integers(1, 999999)))
        return {"holder_name": o.get("holder_name") or make_person(rng, (1968, 2000)).name,
                "certificate_number": number, "plate_number": plate,
                "vehicle_type": o.get("vehicle_type") or str(rng.choice(["小型轿车", "小型轿车", "小型普通客车"])),
                "issue_date": issued.isoformat(), "valid_from": valid_from.isoformat(),
                "valid_until": valid_until.isoformat(), "issuer": issuer}

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field in ("issue_date", "valid_from", "valid_until"):
            d = date.fromisoformat(value)
            return f"{d.year}年{d.month:02d}月{d.day:02d}日"
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "valid_until":
            return _years_later(date.fromisoformat(value), int(rng.integers(2, 5))).isoformat()
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        width, height = LANDSCAPE
        canvas = Canvas(width, height, rng, paper=(247, 247, 244))
        tint = [(150, 185, 215), (200, 170, 150), (170, 200, 170)][int(rng.integers(3))]
        canvas.background(tint, strength=0.2, density=1.3)
        canvas.watermark("网络预约出租汽车运输证", 34, color=(232, 234, 238), angle=-20.0)
        canvas.frame(30, tuple(int(c * 0.45) for c in tint), band=14)
        text_color = ink(rng)
        dx, dy = (int(v) for v in rng.integers(-12, 13, 2))
        canvas.text(width / 2 + dx, 150 + dy, "中华人民共和国", 40, "serif", "bold", (25, 60, 130), anchor="ms", tracking=8)
        canvas.text(width / 2 + dx, 235 + dy, "网络预约出租汽车运输证", 62, "serif", "bold", (25, 60, 130), anchor="ms",
                    tracking=4)
        label_style = {"family": "sans" if rng.random() < 0.6 else "serif", "color": (55, 55, 65)}
        value_style = {"family": "sans" if rng.random() < 0.7 else "serif", "color": text_color}
        y, left = 320 + dy, 150 + dx
        for label, name in (("业户名称：", "holder_name"), ("证号：", "certificate_number"), ("车辆号牌：", "plate_number"),
                            ("车辆类型：", "vehicle_type")):
            canvas.labelled(left, y, label, self.display(name, fields[name], fields), name, 34, label_style,
                            value_style)
            y += 74
        canvas.labelled(left, y, "经营范围：", "网络预约出租汽车客运", None, 34, label_style, value_style)
        y += 74
        canvas.line(left, y, [("有效期限：", None), (self.display("valid_from", fields["valid_from"], fields), "valid_from"),
                              ("至", None), (self.display("valid_until", fields["valid_until"], fields), "valid_until")],
                    34, value_style["family"], "regular", text_color)
        y += 74
        canvas.labelled(left, y, "发证机关：", fields["issuer"], "issuer", 34, label_style, value_style)
        y += 74
        canvas.labelled(left, y, "发证日期：", self.display("issue_date", fields["issue_date"], fields), "issue_date", 34,
                        label_style, value_style)
        canvas.seal(width - 320 + dx + rng.uniform(-20, 20), height - 240 + dy + rng.uniform(-15, 15), 110,
                    fields["issuer"], "")
        return canvas.finish()
