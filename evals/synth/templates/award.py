"""获奖证书 (competition award): 数学建模竞赛, 挑战杯, 蓝桥杯, iGEM; landscape. (The mathematics competition and ICPC/CCPC
have their own types and templates since issue 25: honours.py.)"""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document, chinese_numeral_date
from credlift.evals.synth.people import make_person
from credlift.evals.synth.templates.base import (
    LANDSCAPE, CredentialTemplate, SynthSpecError, ink, parse_iso, pick_school,
)
from credlift.tools.credential_numbers import AWARD_COMPETITIONS, make_award_number

AWARD_LEVEL_ZH = {"first": "一等奖", "second": "二等奖", "third": "三等奖", "gold": "金奖", "silver": "银奖", "bronze": "铜奖"}
# competition code -> (issuer, allowed scopes, allowed levels, month of the ceremony)
COMPETITIONS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], int]] = {
    "MCM": ("中国工业与应用数学学会", ("national", "provincial"), ("first", "second", "third"), 11),
    "TZB": ("共青团中央", ("national", "provincial"), ("first", "second", "third"), 11),
    "LQB": ("工业和信息化部人才交流中心", ("national", "provincial"), ("first", "second", "third"), 6),
    "IGEM": ("iGEM基金会", ("international",), ("gold", "silver", "bronze"), 11),
}
REGIONS = ("江苏", "浙江", "广东", "湖北", "四川", "山东", "北京", "上海", "陕西", "湖南")


class AwardTemplate(CredentialTemplate):
    type = "award"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "school", "competition", "award_level", "award_scope", "certificate_number", "issue_date", "issuer")
    forge_fields = ("award_level", "holder_name", "certificate_number")
    copy_move_fields = ("certificate_number",)
    erase_fields = ("school",)

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        by_name = {name: code for code, name in AWARD_COMPETITIONS.items()}
        if "competition" in o and o["competition"] not in by_name:
            raise SynthSpecError(f"competition must be one of {', '.join(by_name)}, not {o['competition']!r}.")
        code = by_name[o["competition"]] if "competition" in o else str(rng.choice(list(COMPETITIONS)))
        issuer, scopes, levels, month = COMPETITIONS[code]
        scope = o.get("award_scope") or str(rng.choice(scopes))
        level = o.get("award_level") or str(rng.choice(levels, p=[0.2, 0.35, 0.45]))
        if scope not in scopes or level not in levels:
            raise SynthSpecError(f"{AWARD_COMPETITIONS[code]} awards {'/'.join(levels)} at {'/'.join(scopes)} level.")
        issue = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
            int(rng.integers(2016, 2025)), month, int(rng.integers(1, 29)))
        school = pick_school(rng, "本科", name=o.get("school"))
        person = make_person(rng, (issue.year - 23, issue.year - 19), name=o.get("holder_name"))
        number = o.get("certificate_number") or make_award_number(code, issue.year, scope, level, int(rng.integers(1, 99999)))
        return {
            "holder_name": person.name, "school": school.name, "competition": AWARD_COMPETITIONS[code],
            "award_level": level, "award_scope": scope, "certificate_number": number, "issue_date": issue.isoformat(),
            "issuer": o.get("issuer") or issuer,
        }

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "award_level":
            return AWARD_LEVEL_ZH[value]
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "award_level":
            return {"second": "first", "third": "first", "first": "second", "silver": "gold", "bronze": "gold",
                    "gold": "silver"}[value]
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        width, height = LANDSCAPE
        canvas = Canvas(width, height, rng, paper=(252, 250, 240))
        gold = [(196, 160, 70), (180, 40, 40), (40, 80, 150)][int(rng.integers(3))]
        canvas.background((230, 210, 160), strength=0.12)
        canvas.frame(26, gold, band=48)
        text_color = ink(rng)
        family = "serif" if rng.random() < 0.6 else "sans"
        value_style = {"family": family, "weight": "bold", "color": text_color}
        dx, dy = (int(v) for v in rng.integers(-12, 13, 2))
        title = "获奖证书" if rng.random() < 0.6 else "荣誉证书"
        canvas.text(width / 2 + dx, 230 + dy, title, 100, "serif", "bold", (185, 30, 30), anchor="ms", tracking=30)

        issue = date.fromisoformat(fields["issue_date"])
        code = next(c for c, n in AWARD_COMPETITIONS.items() if n == fields["competition"])
        x, y, size = 200 + dx, 370 + dy, 40
        canvas.line(x, y, [(fields["holder_name"], "holder_name"), ("  同学（", None), (fields["school"], "school"),
                           ("）：", None)], size, family, "regular", text_color, value_style)
        if code == "IGEM":
            prefix = f"在{issue.year}年"
            suffix = "（巴黎总决赛）中，荣获"
        else:
            edition = issue.year - {"MCM": 1991, "TZB": 1988, "LQB": 2009}[code]
            prefix = f"在第{edition}届"
            suffix = "（非数学类）决赛中，荣获" if fields["award_scope"] == "national" else f"（{rng.choice(REGIONS)}赛区）中，荣获"
        y = canvas.paragraph(x, y + 90, width - 2 * x, [(prefix, None), (fields["competition"], "competition"),
                                                       (suffix, None)], size, 78, family, "regular", text_color,
                             {"family": family, "weight": "regular", "color": text_color}, indent=2 * size)
        scope_zh = {"international": "国际赛", "national": "全国", "provincial": "赛区"}[fields["award_scope"]]
        canvas.line(width / 2 + dx, y + 40, [(scope_zh, "award_scope"), (self.display("award_level", fields["award_level"], fields), "award_level")],
                    72, "serif", "bold", (185, 30, 30), {"family": "serif", "weight": "bold", "color": (185, 30, 30)}, anchor="ms")
        canvas.text(x + 2 * size, y + 140, "特发此证，以资鼓励。", size, family, "regular", text_color)

        issuer_x, issuer_y = width - 420 + dx, height - 200 + dy
        canvas.line(issuer_x, issuer_y, [(fields["issuer"], "issuer")], 36, "serif", "bold", text_color, anchor="ms")
        canvas.line(issuer_x, issuer_y + 60, [(chinese_numeral_date(issue.year, issue.month, issue.day)
                                               if rng.random() < 0.5 else f"{issue.year}年{issue.month}月{issue.day}日", "issue_date")],
                    30, family, "regular", text_color, anchor="ms")
        canvas.seal(issuer_x + rng.uniform(-30, 30), issuer_y + rng.uniform(-15, 15), 105, fields["issuer"], "")
        canvas.labelled(200 + dx, height - 120 + dy, "证书编号：", fields["certificate_number"], "certificate_number", 26,
                        {"family": "sans", "color": text_color}, {"family": "sans", "color": text_color})
        return canvas.finish()

