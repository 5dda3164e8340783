"""会计专业技术资格证书 (accounting qualification, 初级/中级), portrait booklet page."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document
from credlift.evals.synth.people import make_person, old_enough
from credlift.evals.synth.templates.base import PORTRAIT, CredentialTemplate, SynthSpecError, ink, parse_iso
from credlift.tools.credential_numbers import QUALIFICATION_LEVEL_ZH, make_qualification_number
from credlift.tools.extraction.validators import MINIMUM_AGE

QUALIFICATION_NAME = "会计专业技术资格"
ISSUER = "财政部 人力资源和社会保障部"


class QualificationTemplate(CredentialTemplate):
    type = "qualification"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "gender", "birth_date", "id_number", "qualification_name", "qualification_level",
        "certificate_number", "issue_date", "issuer")
    forge_fields = ("qualification_level", "holder_name", "certificate_number")
    copy_move_fields = ("certificate_number", "id_number")
    erase_fields = ("id_number",)

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        level = o.get("qualification_level") or str(rng.choice(["junior", "intermediate"], p=[0.65, 0.35]))
        if level not in QUALIFICATION_LEVEL_ZH:
            raise SynthSpecError(f"qualification_level must be junior or intermediate, not {level!r}.")
        # results are approved in the autumn after the May-September exams
        issue = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
            int(rng.integers(2012, 2025)), int(rng.integers(8, 13)), int(rng.integers(1, 29)))
        birth = parse_iso(o["birth_date"], "birth_date") if "birth_date" in o else None
        person = make_person(rng, (1975, 2002), name=o.get("holder_name"), gender=o.get("gender"), birth_date=birth)
        if birth is None and "id_number" not in o:
            person = old_enough(person, issue, MINIMUM_AGE["qualification"])
        number = o.get("certificate_number") or make_qualification_number(
            person.id_number[:2], issue.year, level, f"{int(rng.integers(1, 9999)):04d}", int(rng.integers(1, 999999)))
        return {
            "holder_name": person.name, "gender": person.gender, "birth_date": person.birth_date.isoformat(),
            "id_number": o.get("id_number") or person.id_number, "qualification_name": QUALIFICATION_NAME,
            "qualification_level": level, "certificate_number": number, "issue_date": issue.isoformat(),
            "issuer": o.get("issuer") or ISSUER,
        }

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "qualification_level":
            return QUALIFICATION_LEVEL_ZH[value]
        if field == "gender":
            return "男" if value == "male" else "女"
        if field in ("birth_date", "issue_date"):
            d = date.fromisoformat(value)
            return f"{d.year}年{d.month:02d}月{d.day:02d}日" if field == "issue_date" else f"{d.year}年{d.month:02d}月"
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "qualification_level":
            return "intermediate" if value == "junior" else "junior"
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        width, height = PORTRAIT
        canvas = Canvas(width, height, rng, paper=(247, 245, 236))
        tint = [(200, 170, 150), (160, 180, 205)][int(rng.integers(2))]
        canvas.background(tint, strength=0.22, density=1.5)
        canvas.watermark("会计专业技术资格", 36, color=(236, 232, 222), angle=-20.0)
        canvas.frame(30, tuple(int(c * 0.45) for c in tint))
        text_color = ink(rng)
        dx, dy = (int(v) for v in rng.integers(-12, 13, 2))
        canvas.text(width / 2 + dx, 150 + dy, "中华人民共和国", 44, "serif", "bold", (150, 30, 30), anchor="ms", tracking=10)
        canvas.text(width / 2 + dx, 240 + dy, "会计专业技术资格证书", 64, "serif", "bold", (150, 30, 30), anchor="ms", tracking=4)
        canvas.photo_box((width / 2 - 100 + dx, 300 + dy, 200, 260))
        label_style = {"family": "serif" if rng.random() < 0.5 else "sans", "color": (55, 55, 60)}
        value_style = {"family": "sans" if rng.random() < 0.6 else "serif", "color": text_color}
        rows = [("姓        名", "holder_name"), ("性        别", "gender"), ("出 生 日 期", "birth_date"),
                ("身份证件号码", "id_number"), ("资 格 名 称", "qualification_name"), ("资 格 级 别", "qualification_level"),
                ("管  理  号", "certificate_number"), ("批 准 日 期", "issue_date")]
        y = 650 + dy
        left = 150 + dx
        for label, name in rows:
            canvas.labelled(left, y, label + "：", self.display(name, fields[name], fields), name, 32, label_style,
                            value_style)
            canvas.hline(left + 250, width - 150 + dx, y + 12, (170, 170, 170), 1)
            y += 76
        issuer_y = height - 190 + dy
        canvas.line(width / 2 + dx, issuer_y, [(fields["issuer"], "issuer")], 32, "serif", "bold", text_color, anchor="ms")
        canvas.seal(width / 2 - 170 + dx + rng.uniform(-15, 15), issuer_y - 20, 90, "中华人民共和国财政部", "")
        canvas.seal(width / 2 + 170 + dx + rng.uniform(-15, 15), issuer_y - 20, 90, "人力资源和社会保障部", "")
        return canvas.finish()
