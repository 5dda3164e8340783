"""Honour certificates (荣誉证书), one landscape layout: the holder and the school, a sentence that says the honour,
the honour in large red type, "特发此证", the awarding body over its seal and the date, the number at the foot.
Each type says only what it samples and how its sentence reads (MeritStudentTemplate, ScholarshipTemplate,
MathCompetitionTemplate, IcpcTemplate); its number rule is its module's (tools/credentials/<type>.py)."""
from __future__ import annotations

from abc import abstractmethod
from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document, chinese_numeral_date
from credlift.evals.synth.people import make_person
from credlift.evals.synth.templates.base import LANDSCAPE, CredentialTemplate, SynthSpecError, ink, parse_iso, pick_school
from credlift.tools.credentials import icpc, math_competition, merit_student, scholarship
from credlift.tools.credentials.honours import HonourReading

Runs = list[tuple[str, str | None]]
PROVINCES = ("江苏省", "浙江省", "广东省", "湖北省", "四川省", "山东省", "陕西省", "湖南省", "河南省", "安徽省")
CITIES = ("南京市", "杭州市", "广州市", "武汉市", "成都市", "济南市", "西安市", "长沙市", "郑州市", "合肥市")


def _printed(reading: HonourReading, key: str, value: str) -> str:
    """The first words the reading knows for `value` (so the page and the parser agree)."""
    return next(word for word, known in reading.choices[key] if known == value)


def _choose(rng: np.random.Generator, o: dict[str, Any], key: str, allowed: tuple[str, ...], p=None) -> str:
    value = o.get(key) or str(rng.choice(allowed, p=p))
    if value not in allowed:
        raise SynthSpecError(f"{key} must be one of {', '.join(allowed)}, not {value!r}.")
    return value


class HonourTemplate(CredentialTemplate):
    reading: ClassVar[HonourReading]
    level_field: ClassVar[str]
    forge_fields = ("holder_name", "certificate_number")
    copy_move_fields = ("certificate_number",)
    erase_fields = ("school",)

    def sample_common(self, rng: np.random.Generator, o: dict[str, Any], issue: date) -> dict[str, Any]:
        school = pick_school(rng, "本科", name=o.get("school"))
        person = make_person(rng, (issue.year - 22, issue.year - 19), name=o.get("holder_name"))
        return {"holder_name": person.name, "school": school.name, "issue_date": issue.isoformat()}

    def number_for(self, fields: dict[str, Any], rng: np.random.Generator, o: dict[str, Any], year: int,
                   prefix: str | None = None) -> str:
        rule = self.reading.number
        coded = {coded.name: fields[coded.name] for coded in rule.coded}
        serial = int(rng.integers(1, 10 ** rule.serial_digits - 1))
        return o.get("certificate_number") or rule.make(year, serial, prefix=prefix, **coded)

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field in self.reading.choices:
            return _printed(self.reading, field, value)
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == self.level_field:  # the forger raises the honour one step
            from credlift.tools.credentials import LEVEL_ORDER

            order = LEVEL_ORDER[self.type]
            return order[min(order.index(value) + 1, len(order) - 1)] if value != order[-1] else order[-2]
        return super().forged_value(field, value, fields, rng)

    @abstractmethod
    def sentence(self, fields: dict[str, Any], rng: np.random.Generator) -> tuple[Runs, Runs]:
        """(the sentence after the holder's line, the honour printed large)."""

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        width, height = LANDSCAPE
        canvas = Canvas(width, height, rng, paper=(252, 250, 240))
        edge = [(196, 160, 70), (180, 40, 40), (40, 80, 150)][int(rng.integers(3))]
        canvas.background((230, 210, 160), strength=0.12)
        canvas.frame(26, edge, band=48)
        text_color = ink(rng)
        family = "serif" if rng.random() < 0.6 else "sans"
        value_style = {"family": family, "weight": "bold", "color": text_color}
        dx, dy = (int(v) for v in rng.integers(-12, 13, 2))
        canvas.text(width / 2 + dx, 230 + dy, "荣誉证书", 100, "serif", "bold", (185, 30, 30), anchor="ms", tracking=30)
        x, y, size = 200 + dx, 370 + dy, 40
        canvas.line(x, y, [(fields["holder_name"], "holder_name"), ("  同学（", None), (fields["school"], "school"),
                           ("）：", None)], size, family, "regular", text_color, value_style)
        body, headline = self.sentence(fields, rng)
        y = canvas.paragraph(x, y + 90, width - 2 * x, body, size, 78, family, "regular", text_color,
                             {"family": family, "weight": "regular", "color": text_color}, indent=2 * size)
        red = (185, 30, 30)
        canvas.line(width / 2 + dx, y + 40, headline, 64, "serif", "bold", red,
                    {"family": "serif", "weight": "bold", "color": red}, anchor="ms")
        canvas.text(x + 2 * size, y + 140, "特发此证，以资鼓励。", size, family, "regular", text_color)
        issue = date.fromisoformat(fields["issue_date"])
        issuer_x, issuer_y = width - 420 + dx, height - 200 + dy
        canvas.line(issuer_x, issuer_y, [(fields["issuer"], "issuer")], 36, "serif", "bold", text_color, anchor="ms")
        printed = (chinese_numeral_date(issue.year, issue.month, issue.day) if rng.random() < 0.5
                   else f"{issue.year}年{issue.month}月{issue.day}日")
        canvas.line(issuer_x, issuer_y + 60, [(printed, "issue_date")], 30, family, "regular", text_color, anchor="ms")
        canvas.seal(issuer_x + rng.uniform(-30, 30), issuer_y + rng.uniform(-15, 15), 105, fields["issuer"], "")
        canvas.labelled(200 + dx, height - 120 + dy, "证书编号：", fields["certificate_number"], "certificate_number", 34,
                        {"family": "sans", "color": text_color}, {"family": "sans", "color": text_color})
        return canvas.finish()


def _academic_year(rng: np.random.Generator, o: dict[str, Any]) -> tuple[str, date]:
    """An academic year (2022-2023) and the autumn day its honours are given."""
    if "academic_year" in o:
        start = str(o["academic_year"])[:4]
        if not start.isdigit():
            raise SynthSpecError(f"academic_year must read YYYY-YYYY, not {o['academic_year']!r}.")
        first = int(start)
    else:
        first = int(rng.integers(2016, 2025))
    issue = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
        first + 1, int(rng.integers(9, 13)), int(rng.integers(1, 29)))
    return f"{first}-{first + 1}", issue


class MeritStudentTemplate(HonourTemplate):
    type = "merit_student"
    reading = merit_student.READING
    level_field = "honour_scope"
    field_names: ClassVar[tuple[str, ...]] = ("holder_name", "school", "academic_year", "honour_scope",
                                              "certificate_number", "issue_date", "issuer")
    forge_fields = ("honour_scope", "holder_name", "certificate_number")

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        year, issue = _academic_year(rng, o)
        fields = self.sample_common(rng, o, issue)
        scope = _choose(rng, o, "honour_scope", ("school", "municipal", "provincial"), p=[0.7, 0.15, 0.15])
        issuer = o.get("issuer") or {"school": fields["school"], "municipal": f"{rng.choice(CITIES)}教育局",
                                     "provincial": f"{rng.choice(PROVINCES)}教育厅"}[scope]
        fields.update(academic_year=year, honour_scope=scope, issuer=issuer)
        fields["certificate_number"] = self.number_for(fields, rng, o, issue.year)
        return fields

    def sentence(self, fields, rng):
        return ([("在", None), (f"{fields['academic_year']}学年", "academic_year"),
                 ("中，德智体美劳全面发展，成绩优异，被评为", None)],
                [(self.display("honour_scope", fields["honour_scope"], fields), "honour_scope")])


class ScholarshipTemplate(HonourTemplate):
    type = "scholarship"
    reading = scholarship.READING
    level_field = "scholarship_level"
    field_names: ClassVar[tuple[str, ...]] = ("holder_name", "school", "academic_year", "scholarship_level", "amount",
                                              "certificate_number", "issue_date", "issuer")
    forge_fields = ("scholarship_level", "holder_name", "certificate_number")
    AMOUNTS = {"national": (8000,), "encouragement": (5000,), "school": (1000, 2000, 3000)}

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        year, issue = _academic_year(rng, o)
        fields = self.sample_common(rng, o, issue)
        level = _choose(rng, o, "scholarship_level", ("national", "encouragement", "school"), p=[0.15, 0.35, 0.5])
        amount = int(o.get("amount") or rng.choice(self.AMOUNTS[level]))
        issuer = o.get("issuer") or ("中华人民共和国教育部" if level != "school" else fields["school"])
        fields.update(academic_year=year, scholarship_level=level, amount=amount, issuer=issuer)
        fields["certificate_number"] = self.number_for(fields, rng, o, issue.year)
        return fields

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "scholarship_level" and value == "school":
            return "学业奖学金"
        return super().display(field, value, fields)

    def sentence(self, fields, rng):
        return ([("在", None), (f"{fields['academic_year']}学年", "academic_year"), ("中表现优异，荣获", None),
                 (self.display("scholarship_level", fields["scholarship_level"], fields), "scholarship_level"),
                 ("，奖金人民币", None), (str(fields["amount"]), "amount"), ("元。", None)],
                [(self.display("scholarship_level", fields["scholarship_level"], fields), "scholarship_level")])


class MathCompetitionTemplate(HonourTemplate):
    type = "math_competition"
    reading = math_competition.READING
    level_field = "award_level"
    field_names: ClassVar[tuple[str, ...]] = ("holder_name", "school", "competition", "category", "award_round",
                                              "award_level", "certificate_number", "issue_date", "issuer")
    forge_fields = ("award_level", "holder_name", "certificate_number")
    REGIONS = ("江苏", "浙江", "广东", "湖北", "四川", "山东", "北京", "上海", "陕西", "湖南")

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        if o.get("competition", math_competition.COMPETITION) != math_competition.COMPETITION:
            raise SynthSpecError(f"competition is {math_competition.COMPETITION}.")
        round_ = _choose(rng, o, "award_round", ("regional", "final"), p=[0.85, 0.15])
        # the regional round is held in autumn, the final in spring
        issue = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
            int(rng.integers(2016, 2026)), 12 if round_ == "regional" else 4, int(rng.integers(1, 29)))
        fields = self.sample_common(rng, o, issue)
        fields.update(competition=math_competition.COMPETITION,
                      category=_choose(rng, o, "category", ("non_math", "math"), p=[0.7, 0.3]), award_round=round_,
                      award_level=_choose(rng, o, "award_level", ("first", "second", "third"), p=[0.2, 0.35, 0.45]),
                      issuer=o.get("issuer") or str(rng.choice(math_competition.READING.issuers)))
        fields["certificate_number"] = self.number_for(fields, rng, o, issue.year)
        return fields

    def sentence(self, fields, rng):
        issue = date.fromisoformat(fields["issue_date"])
        edition = issue.year - 2008 - (1 if fields["award_round"] == "final" else 0)
        where = "决赛" if fields["award_round"] == "final" else f"{rng.choice(self.REGIONS)}赛区"
        return ([(f"在第{edition}届", None), (fields["competition"], "competition"), ("（", None),
                 (self.display("category", fields["category"], fields), "category"), ("）", None),
                 (where, "award_round"), ("中，荣获", None)],
                [(self.display("award_level", fields["award_level"], fields), "award_level")])


class IcpcTemplate(HonourTemplate):
    type = "icpc"
    reading = icpc.READING
    level_field = "award_level"
    field_names: ClassVar[tuple[str, ...]] = ("holder_name", "school", "competition", "contest_site", "award_level",
                                              "certificate_number", "issue_date", "issuer")
    forge_fields = ("award_level", "holder_name", "certificate_number")
    SITES = ("南京", "沈阳", "西安", "济南", "杭州", "合肥", "成都", "上海", "昆明", "南宁", "桂林", "威海")

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        by_name = {name: code for code, name in icpc.CONTESTS.items()}
        if "competition" in o and o["competition"] not in by_name:
            raise SynthSpecError(f"competition must be one of {', '.join(by_name)}, not {o['competition']!r}.")
        code = by_name[o["competition"]] if "competition" in o else str(rng.choice(list(icpc.CONTESTS)))
        issue = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
            int(rng.integers(2016, 2026)), int(rng.integers(10, 13)), int(rng.integers(1, 29)))
        fields = self.sample_common(rng, o, issue)
        fields.update(competition=icpc.CONTESTS[code], contest_site=o.get("contest_site") or str(rng.choice(self.SITES)),
                      award_level=_choose(rng, o, "award_level", ("gold", "silver", "bronze"), p=[0.15, 0.3, 0.55]),
                      issuer=o.get("issuer") or icpc.ORGANISERS[code])
        fields["certificate_number"] = self.number_for(fields, rng, o, issue.year, prefix=code)
        return fields

    def sentence(self, fields, rng):
        issue = date.fromisoformat(fields["issue_date"])
        return ([(f"在{issue.year}年", None), (fields["competition"], "competition"), ("（", None),
                 (fields["contest_site"], "contest_site"), ("站）中，荣获", None)],
                [(self.display("award_level", fields["award_level"], fields), "award_level")])
