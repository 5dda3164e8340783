"""毕业证书 (graduation certificate), landscape: photo, running text, 校长 signature, seal over school and date."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document, chinese_numeral_date
from credlift.evals.synth.people import make_person
from credlift.evals.synth.templates.base import (
    JUNIOR_COLLEGE_MAJORS, LANDSCAPE, MAJORS, CredentialTemplate, SynthSpecError, ink, official_name, parse_iso,
    pick_school,
)
from credlift.tools.credential_numbers import GRADUATION_LEVEL_ZH, GRADUATION_LEVELS, make_graduation_number

STUDY_YEARS = {"doctorate": 4, "master": 3, "second_bachelor": 2, "bachelor": 4, "junior_college": 3}
SCHOOLING_WORDS = {"regular": "", "adult": "业余", "online": "网络教育"}
NUMERALS = "〇一二三四五六七八九十"


def date_text(d: date, chinese: bool, day: bool = True) -> str:
    if chinese:
        return chinese_numeral_date(d.year, d.month, d.day if day else None)
    return f"{d.year}年{d.month}月{d.day}日" if day else f"{d.year}年{d.month}月"


class GraduationTemplate(CredentialTemplate):
    type = "graduation"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "gender", "birth_date", "study_start", "study_end", "major", "level", "school",
        "certificate_number", "issue_date")
    forge_fields = ("holder_name", "certificate_number", "level")
    copy_move_fields = ("certificate_number",)
    erase_fields = ("certificate_number",)

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        level = o.get("level") or str(rng.choice(["bachelor", "junior_college", "master", "doctorate", "second_bachelor"],
                                                 p=[0.55, 0.3, 0.1, 0.03, 0.02]))
        if level not in GRADUATION_LEVELS.values():
            raise SynthSpecError(f"level must be one of {', '.join(GRADUATION_LEVELS.values())}, not {level!r}.")
        school = pick_school(rng, "专科" if level == "junior_college" and rng.random() < 0.8 else "本科",
                             research=level in ("master", "doctorate"), name=o.get("school"))
        if level == "junior_college":
            major = o.get("major") or str(rng.choice(JUNIOR_COLLEGE_MAJORS))
        else:
            major = o.get("major") or MAJORS[int(rng.integers(len(MAJORS)))][0]
        years = STUDY_YEARS[level] + (1 if major == "临床医学" and level == "bachelor" else 0)
        if "study_end" in o or "issue_date" in o:
            end = parse_iso(o.get("study_end") or o["issue_date"], "study_end")
        else:
            end = date(int(rng.integers(2008, 2026)), int(rng.choice([6, 7])), 1)
        start = parse_iso(o["study_start"], "study_start") if "study_start" in o else date(end.year - years, 9, 1)
        issue = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
            end.year, end.month, int(rng.integers(20, 31)) if end.month == 6 else int(rng.integers(1, 11)))
        age = {"doctorate": 24, "master": 22, "second_bachelor": 22}.get(level, 18)
        birth = parse_iso(o["birth_date"], "birth_date") if "birth_date" in o else None
        person = make_person(rng, (start.year - age - 1, start.year - age), name=o.get("holder_name"),
                             gender=o.get("gender"), birth_date=birth)
        schooling = str(rng.choice(["regular", "adult", "online"], p=[0.86, 0.09, 0.05])) if level in ("bachelor", "junior_college") else "regular"
        number = o.get("certificate_number") or make_graduation_number(
            school.code, end.year, level, int(rng.integers(1, 9999 if end.year == 2001 else 99999)), schooling)
        return {
            "holder_name": person.name, "gender": person.gender, "birth_date": person.birth_date.isoformat(),
            "study_start": f"{start.year:04d}-{start.month:02d}", "study_end": f"{end.year:04d}-{end.month:02d}",
            "major": major, "level": level, "school": school.name, "certificate_number": number,
            "issue_date": issue.isoformat(),
        }

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "level":
            return GRADUATION_LEVEL_ZH[value]
        if field == "gender":
            return "男" if value == "male" else "女"
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "level":
            return {"junior_college": "bachelor", "bachelor": "master", "second_bachelor": "master",
                    "master": "doctorate", "doctorate": "master"}[value]
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        width, height = LANDSCAPE
        canvas = Canvas(width, height, rng, paper=(250, 247, 238))
        tint = [(205, 180, 150), (170, 190, 210), (200, 170, 170)][int(rng.integers(3))]
        canvas.background(tint, strength=0.2)
        border = tuple(int(c * 0.55) for c in tint)
        canvas.frame(30, border, band=34)
        text_color = ink(rng)
        chinese_dates = rng.random() < 0.5
        family = "serif" if rng.random() < 0.75 else "sans"
        value_style = {"family": family, "weight": "bold" if rng.random() < 0.5 else "regular", "color": text_color}
        dx, dy = (int(v) for v in rng.integers(-14, 15, 2))
        title_color = (190, 30, 35) if rng.random() < 0.5 else (30, 30, 35)
        canvas.text(width / 2 + 90 + dx, 190 + dy, "毕业证书", 92, "serif", "bold", title_color, anchor="ms", tracking=40)

        photo = (140 + dx, 270 + dy, 210, 280)
        canvas.photo_box(photo)
        canvas.steel_stamp(photo[0] + photo[2] - 10, photo[1] + photo[3] - 20, 70)

        birth = date.fromisoformat(fields["birth_date"])
        start = parse_iso(fields["study_start"], "study_start")
        end = parse_iso(fields["study_end"], "study_end")
        years = end.year - start.year + (1 if end.month > start.month else 0)
        role = "研究生" if fields["level"] in ("master", "doctorate") else "学生"
        parts: list[tuple[str, str | None]] = [
            (f"{role} ", None), (fields["holder_name"], "holder_name"), ("，性别", None),
            (self.display("gender", fields["gender"], fields), "gender"), ("，", None),
            (date_text(birth, chinese_dates), "birth_date"), ("生，于", None),
            (date_text(start, chinese_dates, day=False), "study_start"), ("至", None),
            (date_text(end, chinese_dates, day=False), "study_end"), ("在本校", None),
            (fields["major"], "major"), (f"专业{NUMERALS[years] if years <= 10 else years}年制", None),
            (self.display("level", fields["level"], fields), "level"),
            ("学习，修完教学计划规定的全部课程，成绩合格，准予毕业。", None),
        ]
        canvas.paragraph(420 + dx, 330 + dy, width - 420 - 170, parts, 34, 64, family, "regular", text_color,
                         value_style, indent=68)

        base_y = height - 250 + dy
        canvas.text(420 + dx, base_y, "校（院）长：", 32, family, "regular", text_color)
        canvas.signature(420 + dx + canvas.measure("校（院）长：", 32, family) + 10, base_y, official_name(rng), 44)
        school_x = width - 420 + dx
        canvas.line(school_x, base_y, [(fields["school"], "school")], 40, "serif", "bold", text_color, anchor="ms")
        issue = date.fromisoformat(fields["issue_date"])
        canvas.line(school_x, base_y + 62, [(date_text(issue, chinese_dates), "issue_date")], 30, family, "regular",
                    text_color, anchor="ms")
        canvas.seal(school_x + rng.uniform(-30, 30), base_y + 10 + rng.uniform(-15, 15), 105, fields["school"],
                    "毕业证书专用章" if rng.random() < 0.3 else "")
        canvas.labelled(140 + dx, height - 110 + dy, "证书编号：", fields["certificate_number"], "certificate_number",
                        28, {"family": "sans", "color": text_color}, {"family": "sans", "color": text_color})
        return canvas.finish()
