"""全国大学英语四/六级考试 成绩报告单 (CET-4 / CET-6 score report), landscape."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document
from credlift.evals.synth.people import make_person, old_enough
from credlift.evals.synth.templates.base import (
    LANDSCAPE, CredentialTemplate, SynthSpecError, ink, pick_school, province_code_of,
)
from credlift.tools.credential_numbers import (
    CET_MAX_LISTENING, CET_MAX_READING, CET_MAX_TOTAL, CET_MAX_WRITING_TRANSLATION, make_cet_admission_number,
    make_cet_report_number,
)
from credlift.tools.extraction.validators import MINIMUM_AGE

PART_MAXIMA = {"listening": CET_MAX_LISTENING, "reading": CET_MAX_READING, "writing_translation": CET_MAX_WRITING_TRANSLATION}
PART_SHARES = {"listening": 0.35, "reading": 0.35, "writing_translation": 0.30}
ORAL_GRADES = ("A", "B", "C", "D")


def split_total(total: int, rng: np.random.Generator, fixed: dict[str, float] | None = None) -> dict[str, int]:
    """Parts (integers) that add up to `total` and respect each part's maximum; `fixed` parts are kept."""
    fixed = dict(fixed or {})
    free = [p for p in PART_MAXIMA if p not in fixed]
    remaining = total - sum(fixed.values())
    if not free:
        return {p: fixed[p] for p in PART_MAXIMA}
    shares = np.array([PART_SHARES[p] for p in free]) * rng.uniform(0.85, 1.15, len(free))
    shares /= shares.sum()
    parts = {p: int(np.floor(remaining * s)) for p, s in zip(free, shares)}
    caps = {p: int(np.floor(PART_MAXIMA[p])) for p in free}
    parts = {p: min(max(v, 0), caps[p]) for p, v in parts.items()}
    gap = remaining - sum(parts.values())
    for p in sorted(free, key=lambda k: caps[k] - parts[k], reverse=True) * 3:
        if gap == 0:
            break
        step = max(-parts[p], min(caps[p] - parts[p], gap))
        parts[p] += step
        gap -= step
    if gap != 0:
        raise SynthSpecError(f"A CET total of {total} cannot be split into parts within their maxima.")
    return {p: fixed.get(p, parts.get(p)) for p in PART_MAXIMA}


class CetTemplate(CredentialTemplate):
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "school", "id_number", "admission_number", "certificate_number", "total_score", "listening",
        "reading", "writing_translation", "exam_session", "issue_date", "oral_grade")
    forge_fields = ("total_score", "holder_name", "certificate_number")
    copy_move_fields = ("total_score", "certificate_number")
    erase_fields = ("id_number", "admission_number")

    def __init__(self, level: str):
        self.type = level
        self.band = "四" if level == "cet4" else "六"
        self.band_digit = "4" if level == "cet4" else "6"

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        person = make_person(rng, (1996, 2006), name=o.get("holder_name"))
        school = pick_school(rng) if "school" not in o else None
        school_name = o.get("school") or school.name
        session = o.get("exam_session") or o.get("issue_date")
        if session is None:
            year = int(rng.integers(2016, 2026))
            month = 6 if (year == 2025 or rng.random() < 0.5) else 12
        else:
            try:
                year, month = (int(p) for p in str(session).split("-")[:2])
            except ValueError:
                raise SynthSpecError(f"exam_session must be YYYY-MM, not {session!r}.") from None
            if month not in (6, 12):
                raise SynthSpecError("CET exams are held in June and December only: exam_session must end in -06 or -12.")
        if "id_number" not in o:
            person = old_enough(person, date(year, month, 1), MINIMUM_AGE[self.type])
        total = o.get("total_score")
        parts_given = {p: o[p] for p in PART_MAXIMA if p in o}
        if total is None and len(parts_given) == 3:
            total = int(round(sum(parts_given.values())))
        if total is None:
            mean = 480 if self.type == "cet4" else 455
            total = int(np.clip(rng.normal(mean, 70), 230, 680))
        total = int(total)
        if not 0 <= total <= CET_MAX_TOTAL:
            raise SynthSpecError(f"A CET total score is between 0 and {CET_MAX_TOTAL}, not {total}.")
        parts = split_total(total, rng, parts_given)
        site = (province_code_of(school) if school else "11") + f"{int(rng.integers(1, 400)):03d}0"
        fields: dict[str, Any] = {
            "holder_name": person.name,
            "school": school_name,
            "id_number": o.get("id_number") or person.id_number,
            "admission_number": o.get("admission_number") or make_cet_admission_number(
                site, year, month, self.type, int(rng.integers(1, 300)), int(rng.integers(1, 31))),
            "certificate_number": o.get("certificate_number") or make_cet_report_number(
                year, month, self.type, site, int(rng.integers(1, 99999))),
            "total_score": total,
            **parts,
            "exam_session": f"{year:04d}-{month:02d}",
            "issue_date": f"{year:04d}-{month:02d}",
        }
        oral = o.get("oral_grade")
        if oral is None and rng.random() < 0.2:
            oral = str(rng.choice(ORAL_GRADES[:3]))
        if oral is not None:
            fields["oral_grade"] = oral
        return fields

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "total_score":
            better = int(value) + int(rng.integers(40, 160))
            return better if better <= 700 else int(value) - int(rng.integers(20, 60))
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        width, height = LANDSCAPE
        canvas = Canvas(width, height, rng, paper=(252, 251, 246))
        tint = [(150, 190, 220), (190, 170, 210), (160, 205, 180)][int(rng.integers(3))]
        canvas.background(tint, strength=0.22)
        canvas.watermark("CET" + self.band_digit, 70, color=(236, 232, 226))
        frame_color = tuple(int(c * 0.6) for c in tint)
        canvas.frame(36, frame_color)
        text_color = ink(rng)
        serif = rng.random() < 0.5
        label_family = "serif" if serif else "sans"
        value_style = {"family": "sans" if rng.random() < 0.7 else "mono", "weight": "regular", "color": text_color}
        label_style = {"family": label_family, "weight": "regular", "color": (50, 50, 55)}
        dx, dy = rng.integers(-12, 13, 2)

        canvas.text(width / 2 + dx, 150 + dy, f"全国大学英语{self.band}级考试（CET{self.band_digit}）成绩报告单", 50,
                    "serif", "bold", (20, 20, 25), anchor="ms", tracking=2)
        canvas.text(width / 2 + dx, 198 + dy, f"National College English Test Band {'Four' if self.band_digit == '4' else 'Six'} Score Report",
                    24, "serif", "regular", (60, 60, 65), anchor="ms")
        photo = (120 + dx, 270 + dy, 190, 250)
        canvas.photo_box(photo)

        x0 = 370 + dx
        y = 300 + dy
        size = 30
        rows = [("姓      名：", fields["holder_name"], "holder_name"),
                ("学      校：", fields["school"], "school"),
                ("笔试准考证号：", fields["admission_number"], "admission_number"),
                ("身份证号：", fields["id_number"], "id_number")]
        for label, value, name in rows:
            canvas.labelled(x0, y, label, value, name, size, label_style, value_style)
            y += 62

        # score table: 总分 | 听力 | 阅读 | 写作和翻译
        top = y + 10
        columns = [("总分", "Total", "total_score"), ("听力", "Listening", "listening"),
                   ("阅读", "Reading", "reading"), ("写作和翻译", "Writing & Translation", "writing_translation")]
        left, col_w, head_h, body_h = 120 + dx, 300, 90, 110
        canvas.rect((left, top, col_w * 4, head_h + body_h), outline=(60, 60, 70), width=2)
        canvas.hline(left, left + col_w * 4, top + head_h, (60, 60, 70), 2)
        for i, (zh, en, name) in enumerate(columns):
            cx = left + col_w * i + col_w / 2
            if i:
                canvas.vline(left + col_w * i, top, top + head_h + body_h, (60, 60, 70), 2)
            canvas.text(cx, top + 42, zh, 30, label_family, "bold", (40, 40, 45), anchor="ms")
            canvas.text(cx, top + 75, en, 18, "serif", "regular", (80, 80, 85), anchor="ms")
            value_size = 56 if name == "total_score" else 44
            canvas.line(cx, top + head_h + 75, [(self.display(name, fields[name], fields), name)], value_size,
                        value_style["family"], "bold" if name == "total_score" else "regular", text_color, anchor="ms")
        y = top + head_h + body_h + 62
        oral_number = fields.get("oral_grade") and ("S" + fields["admission_number"][:2] + fields["admission_number"][6:14])
        canvas.labelled(120 + dx, y, "口试准考证号：", oral_number or "--", None, 26, label_style, value_style)
        canvas.labelled(720 + dx, y, "口试成绩：", fields.get("oral_grade", "--"), "oral_grade" if fields.get("oral_grade") else None,
                        26, label_style, value_style)
        y += 56
        year, month = fields["exam_session"].split("-")
        canvas.labelled(120 + dx, y, "考试时间：", f"{year}年{int(month)}月", "exam_session", 26, label_style, value_style)
        y += 56
        canvas.labelled(120 + dx, y, "成绩报告单编号：", fields["certificate_number"], "certificate_number", 28,
                        label_style, value_style)

        canvas.qr_like((width - 330 + dx, 300 + dy, 170, 170))
        canvas.text(width - 245 + dx, 500 + dy, "扫码验证", 20, "sans", "regular", (70, 70, 75), anchor="ms")
        issuer_x, issuer_y = width - 330 + dx, height - 170 + dy
        canvas.text(issuer_x, issuer_y, "教育部教育考试院", 32, "serif", "bold", (30, 30, 35), anchor="ms")
        released = f"{year}年8月" if month == "06" else f"{int(year) + 1}年2月"  # results come out ~2 months later
        canvas.text(issuer_x, issuer_y + 44, released, 24, "serif", "regular", (50, 50, 55), anchor="ms")
        canvas.seal(issuer_x + rng.uniform(-20, 20), issuer_y - 20 + rng.uniform(-15, 15), 95, "教育部教育考试院",
                    "成绩专用章")
        return canvas.finish()

