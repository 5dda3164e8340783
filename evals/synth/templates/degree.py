"""学位证书 (degree certificate): photo, running text per 《学位条例》, 校长 signature, seal, number."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document
from credlift.evals.synth.people import make_person
from credlift.evals.synth.templates.base import (
    LANDSCAPE, MAJORS, PORTRAIT, CredentialTemplate, SynthSpecError, ink, official_name, parse_iso, pick_school,
)
from credlift.evals.synth.templates.graduation import date_text
from credlift.tools.credential_numbers import DEGREE_LEVEL_ZH, make_degree_number

STUDY_NAMES = {"bachelor": "本科", "master": "硕士研究生", "doctor": "博士研究生"}
DISCIPLINES = sorted({discipline for _, discipline in MAJORS})


class DegreeTemplate(CredentialTemplate):
    type = "degree"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "gender", "birth_date", "school", "major", "degree_level", "discipline",
        "certificate_number", "issue_date")
    forge_fields = ("holder_name", "degree_level", "certificate_number")
    copy_move_fields = ("certificate_number",)
    erase_fields = ("certificate_number",)

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        level = o.get("degree_level") or str(rng.choice(["bachelor", "master", "doctor"], p=[0.75, 0.2, 0.05]))
        if level not in STUDY_NAMES:
            raise SynthSpecError(f"degree_level must be bachelor, master or doctor, not {level!r}.")
        school = pick_school(rng, "本科", research=level != "bachelor", name=o.get("school"))
        major, discipline = MAJORS[int(rng.integers(len(MAJORS)))]
        major = o.get("major", major)
        discipline = o.get("discipline", discipline)
        if discipline not in DISCIPLINES:
            raise SynthSpecError(f"discipline must be one of {', '.join(DISCIPLINES)}, not {discipline!r}.")
        issue = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
            int(rng.integers(2008, 2026)), int(rng.choice([6, 7, 12])), int(rng.integers(1, 29)))
        age = {"bachelor": 22, "master": 25, "doctor": 29}[level]
        birth = parse_iso(o["birth_date"], "birth_date") if "birth_date" in o else None
        person = make_person(rng, (issue.year - age - 1, issue.year - age), name=o.get("holder_name"),
                             gender=o.get("gender"), birth_date=birth)
        letter = "S" if rng.random() < 0.04 else None
        number = o.get("certificate_number") or make_degree_number(
            school.code, issue.year, level, int(rng.integers(1, 99999 if letter else 999999)), variant_letter=letter)
        return {
            "holder_name": person.name, "gender": person.gender, "birth_date": person.birth_date.isoformat(),
            "school": school.name, "major": major, "degree_level": level, "discipline": discipline,
            "certificate_number": number, "issue_date": issue.isoformat(),
        }

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "degree_level":
            return DEGREE_LEVEL_ZH[value]
        if field == "gender":
            return "男" if value == "male" else "女"
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "degree_level":
            return {"bachelor": "master", "master": "doctor", "doctor": "master"}[value]
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        portrait = rng.random() < 0.5
        width, height = PORTRAIT if portrait else LANDSCAPE
        canvas = Canvas(width, height, rng, paper=(251, 249, 242))
        tint = [(160, 185, 215), (210, 185, 150), (175, 200, 175)][int(rng.integers(3))]
        canvas.background(tint, strength=0.18, density=1.2)
        canvas.watermark("学位证书", 64, color=(238, 234, 226), angle=0.0)
        canvas.frame(28, tuple(int(c * 0.5) for c in tint), band=26)
        text_color = ink(rng)
        chinese_dates = rng.random() < 0.4
        family = "serif" if rng.random() < 0.7 else "sans"
        value_style = {"family": family, "weight": "regular", "color": text_color}
        dx, dy = (int(v) for v in rng.integers(-12, 13, 2))
        title_y = 200 if portrait else 170
        canvas.text(width / 2 + dx, title_y + dy, "学位证书", 88, "serif", "bold", (30, 30, 35), anchor="ms", tracking=36)

        if portrait:
            photo = (int(width / 2 - 105) + dx, 280 + dy, 210, 280)
            text_x, text_y, text_w = 150 + dx, 660 + dy, width - 300
        else:
            photo = (140 + dx, 260 + dy, 210, 280)
            text_x, text_y, text_w = 420 + dx, 320 + dy, width - 420 - 170
        canvas.photo_box(photo)
        canvas.steel_stamp(photo[0] + 20, photo[1] + photo[3] - 25, 65)

        birth = date.fromisoformat(fields["birth_date"])
        parts: list[tuple[str, str | None]] = [
            (fields["holder_name"], "holder_name"), ("，", None),
            (self.display("gender", fields["gender"], fields), "gender"), ("，", None),
            (date_text(birth, chinese_dates), "birth_date"), ("生。在", None), (fields["school"], "school"),
            (fields["major"], "major"), (f"专业完成了{STUDY_NAMES[fields['degree_level']]}学习计划，业已毕业。"
                                         "经审核符合《中华人民共和国学位条例》的规定，授予", None),
            (fields["discipline"], "discipline"), (self.display("degree_level", fields["degree_level"], fields), "degree_level"),
            ("学位。", None),
        ]
        y = canvas.paragraph(text_x, text_y, text_w, parts, 34, 64, family, "regular", text_color, value_style, indent=68)

        base_y = max(y + 90, height - 300 + dy)
        school_x = width * (0.68 if not portrait else 0.62) + dx
        canvas.text(school_x, base_y, fields["school"], 38, "serif", "bold", text_color, anchor="ms")
        title = "校长" if rng.random() < 0.5 else "学位评定委员会主席"
        canvas.text(school_x - 150, base_y + 62, title, 30, family, "regular", text_color, anchor="rs")
        canvas.signature(school_x - 130, base_y + 62, official_name(rng), 42)
        issue = date.fromisoformat(fields["issue_date"])
        canvas.line(school_x, base_y + 124, [(date_text(issue, chinese_dates), "issue_date")], 30, family, "regular",
                    text_color, anchor="ms")
        canvas.seal(school_x + rng.uniform(-25, 25), base_y + 20 + rng.uniform(-10, 10), 100, fields["school"],
                    "学位评定委员会" if rng.random() < 0.3 else "")
        canvas.labelled(130 + dx, height - 100 + dy, "证书编号：", fields["certificate_number"], "certificate_number", 28,
                        {"family": "sans", "color": text_color}, {"family": "sans", "color": text_color})
        return canvas.finish()
