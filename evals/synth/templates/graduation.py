"""毕业证书 (graduation certificate), landscape: photo, running text, 校长 signature, seal over school and date."""
from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document, chinese_numeral_date
from credlift.evals.synth.people import make_person
from credlift.evals.synth.templates.base import (
    JUNIOR_COLLEGE_MAJORS, LANDSCAPE, MAJORS, PORTRAIT, CredentialTemplate, SynthSpecError, ink, official_name, parse_iso,
    pick_school,
)
from credlift.tools.credential_numbers import GRADUATION_LEVEL_ZH, GRADUATION_LEVELS, make_graduation_number

STUDY_YEARS = {"doctorate": 4, "master": 3, "second_bachelor": 2, "bachelor": 4, "junior_college": 3}
SCHOOLING_WORDS = {"regular": "", "adult": "业余", "online": "网络教育"}
NUMERALS = "〇一二三四五六七八九十"
#: the CHSI online verification code's characters (no 0/O or 1/I, which OCR and people confuse)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def make_verification_code(rng: np.random.Generator) -> str:
    return "".join(CODE_ALPHABET[int(i)] for i in rng.integers(len(CODE_ALPHABET), size=16))


def date_text(d: date, chinese: bool, day: bool = True) -> str:
    if chinese:
        return chinese_numeral_date(d.year, d.month, d.day if day else None)
    return f"{d.year}年{d.month}月{d.day}日" if day else f"{d.year}年{d.month}月"


class GraduationTemplate(CredentialTemplate):
    type = "graduation"
    # with `verification_code` given, the page drawn is the CHSI online verification report of the record
    # (教育部学历证书电子注册备案表), not the certificate itself
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "gender", "birth_date", "study_start", "study_end", "major", "level", "school",
        "certificate_number", "issue_date", "verification_code")
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
        fields = {
            "holder_name": person.name, "gender": person.gender, "birth_date": person.birth_date.isoformat(),
            "study_start": f"{start.year:04d}-{start.month:02d}", "study_end": f"{end.year:04d}-{end.month:02d}",
            "major": major, "level": level, "school": school.name, "certificate_number": number,
            "issue_date": issue.isoformat(),
        }
        if o.get("verification_code"):
            code = "".join(str(o["verification_code"]).split()).upper()
            if not re.fullmatch(f"[{CODE_ALPHABET}]{{16}}", code):
                raise SynthSpecError(f"verification_code is 16 characters of {CODE_ALPHABET}, not {code!r}.")
            fields["verification_code"] = code
        return fields

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
        if fields.get("verification_code"):
            return self._draw_report(fields, rng)
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

    def _draw_report(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        """The CHSI online verification report (教育部学历证书电子注册备案表), as downloaded: a plain table of the
        record, the online verification code and how long the online check stays valid."""
        width, height = PORTRAIT
        canvas = Canvas(width, height, rng, paper=(255, 255, 255))
        text_color = (25, 25, 30)
        dx, dy = (int(v) for v in rng.integers(-8, 9, 2))
        canvas.text(width / 2 + dx, 150 + dy, "教育部学历证书电子注册备案表", 50, "sans", "bold", (20, 60, 120),
                    anchor="ms")
        issue = date.fromisoformat(fields["issue_date"])
        updated = issue + timedelta(days=int(rng.integers(200, 1500)))
        canvas.text(width - 120 + dx, 215 + dy, f"更新日期：{updated.year}年{updated.month:02d}月{updated.day:02d}日", 24,
                    "sans", "regular", (90, 90, 95), anchor="rs")
        canvas.photo_box((width - 330 + dx, 270 + dy, 190, 250))
        birth = date.fromisoformat(fields["birth_date"])
        start = parse_iso(fields["study_start"], "study_start")
        years = issue.year - start.year + (1 if issue.month > start.month else 0)
        rows: list[tuple[str, str, str | None]] = [
            ("姓名", fields["holder_name"], "holder_name"),
            ("性别", self.display("gender", fields["gender"], fields), "gender"),
            ("出生日期", f"{birth.year}年{birth.month:02d}月{birth.day:02d}日", "birth_date"),
            ("入学日期", f"{start.year}年{start.month:02d}月{1:02d}日", "study_start"),
            ("毕（结）业日期", f"{issue.year}年{issue.month:02d}月{issue.day:02d}日", "issue_date"),
            ("学校名称", fields["school"], "school"),
            ("专业", fields["major"], "major"),
            ("学制", f"{years}年", None),
            ("层次", self.display("level", fields["level"], fields), "level"),
            ("学历类别", "普通高等教育", None),
            ("学习形式", "普通全日制", None),
            ("毕（结）业", "毕业", None),
            ("证书编号", fields["certificate_number"], "certificate_number"),
            ("校（院）长姓名", official_name(rng), None),
        ]
        label_style = {"family": "sans", "color": (70, 70, 80)}
        value_style = {"family": "sans", "color": text_color}
        y = 300 + dy
        for label, value, field_name in rows:
            canvas.labelled(130 + dx, y, f"{label}：", value, field_name, 30, label_style, value_style, gap=0.3)
            canvas.hline(120 + dx, width - 360 + dx if y < 540 + dy else width - 120 + dx, y + 22, (215, 215, 220), 1)
            y += 68
        y += 40
        canvas.labelled(130 + dx, y, "在线验证码：", fields["verification_code"], "verification_code", 34,
                        {"family": "sans", "weight": "bold", "color": text_color},
                        {"family": "sans", "weight": "bold", "color": (170, 30, 30)}, gap=0.3)
        valid_until = updated + timedelta(days=int(rng.choice([30, 90, 180])))
        canvas.text(130 + dx, y + 60, f"报告有效期至：{valid_until.year}年{valid_until.month:02d}月{valid_until.day:02d}日", 26,
                    "sans", "regular", (90, 90, 95))
        canvas.qr_like((width - 300 + dx, y - 40, 170, 170))
        canvas.text(width / 2 + dx, height - 90 + dy, "全国高等学校学生信息咨询与就业指导中心", 26, "sans", "regular",
                    (90, 90, 95), anchor="ms")
        return canvas.finish()
