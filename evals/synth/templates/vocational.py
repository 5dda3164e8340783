"""职业技能等级证书 (vocational skill level certificate), portrait: photo, field table, QR block, issuer seal."""
from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import numpy as np

from credlift.evals.synth.drawing import Canvas, Document
from credlift.evals.synth.people import make_person
from credlift.evals.synth.templates.base import (
    PORTRAIT, CredentialTemplate, SynthSpecError, ink, parse_iso,
)
from credlift.tools.credential_numbers import VOCATIONAL_LEVEL_ZH, make_vocational_number

OCCUPATIONS = ("电工", "焊工", "中式烹调师", "美容师", "育婴员", "保育师", "汽车维修工", "电子商务师", "西式面点师",
               "养老护理员", "网络与信息安全管理员", "茶艺师", "钳工", "车工", "中式面点师", "保健按摩师",
               "计算机程序设计员", "物流服务师", "家政服务员", "数控车工")
CITIES = {"11": "北京", "31": "上海", "44": "广州", "32": "南京", "33": "杭州", "51": "成都", "42": "武汉",
          "37": "济南", "41": "郑州", "43": "长沙", "61": "西安", "50": "重庆", "35": "福州", "34": "合肥"}
COMPANIES = ("华电", "中建", "海信", "美的", "格力", "比亚迪", "中车", "徐工", "三一", "潍柴")


class VocationalTemplate(CredentialTemplate):
    type = "vocational"
    field_names: ClassVar[tuple[str, ...]] = (
        "holder_name", "gender", "id_number", "occupation", "skill_level", "certificate_number", "issue_date", "issuer")
    forge_fields = ("holder_name", "skill_level", "certificate_number")
    copy_move_fields = ("certificate_number", "id_number")
    erase_fields = ("id_number",)

    def _sample(self, rng: np.random.Generator, o: dict[str, Any]) -> dict[str, Any]:
        level = str(o.get("skill_level") or rng.choice(list("12345"), p=[0.04, 0.1, 0.3, 0.36, 0.2]))
        if level not in VOCATIONAL_LEVEL_ZH:
            raise SynthSpecError(f"skill_level must be 1 to 5, not {level!r}.")
        occupation = o.get("occupation") or str(rng.choice(OCCUPATIONS))
        issue = parse_iso(o["issue_date"], "issue_date") if "issue_date" in o else date(
            int(rng.integers(2020, 2026)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        if issue > date(2025, 7, 15):
            issue = date(2025, int(rng.integers(1, 7)), issue.day)
        birth = parse_iso(o["birth_date"], "birth_date") if "birth_date" in o else None
        person = make_person(rng, (1975, 2004), name=o.get("holder_name"), gender=o.get("gender"), birth_date=birth)
        province = str(rng.choice(list(CITIES)))
        kind = "Y" if rng.random() < 0.35 else "S"
        issuer = o.get("issuer") or (f"{rng.choice(COMPANIES)}集团有限公司" if kind == "Y"
                                     else f"{CITIES[province]}市职业技能鉴定指导中心")
        number = o.get("certificate_number") or make_vocational_number(
            kind, f"{int(rng.integers(1, 9999)):04d}", province, f"{int(rng.integers(1, 999999)):06d}", issue.year,
            level, int(rng.integers(1, 999999)))
        return {
            "holder_name": person.name, "gender": person.gender, "id_number": o.get("id_number") or person.id_number,
            "occupation": occupation, "skill_level": level, "certificate_number": number,
            "issue_date": issue.isoformat(), "issuer": issuer,
        }

    def display(self, field: str, value: Any, fields: dict[str, Any]) -> str:
        if field == "skill_level":
            return VOCATIONAL_LEVEL_ZH[str(value)]
        if field == "gender":
            return "男" if value == "male" else "女"
        if field == "issue_date":
            d = date.fromisoformat(value)
            return f"{d.year}年{d.month:02d}月{d.day:02d}日"
        return str(value)

    def forged_value(self, field: str, value: Any, fields: dict[str, Any], rng: np.random.Generator) -> Any:
        if field == "skill_level":
            return str(max(1, int(value) - int(rng.integers(1, 3))) if value != "1" else "2")
        return super().forged_value(field, value, fields, rng)

    def draw(self, fields: dict[str, Any], rng: np.random.Generator) -> Document:
        width, height = PORTRAIT
        canvas = Canvas(width, height, rng, paper=(250, 250, 246))
        tint = [(150, 195, 220), (215, 190, 150), (170, 205, 185)][int(rng.integers(3))]
        canvas.background(tint, strength=0.2, density=1.3)
        canvas.watermark("职业技能等级证书", 40, color=(238, 236, 230))
        canvas.frame(34, tuple(int(c * 0.5) for c in tint), band=22)
        text_color = ink(rng)
        dx, dy = (int(v) for v in rng.integers(-12, 13, 2))
        canvas.text(width / 2 + dx, 190 + dy, "职业技能等级证书", 70, "serif", "bold", (150, 30, 30), anchor="ms", tracking=6)
        canvas.text(width / 2 + dx, 240 + dy, "Vocational Skill Level Certificate", 26, "serif", "regular", (90, 60, 60), anchor="ms")
        canvas.photo_box((width - 340 + dx, 320 + dy, 200, 260))

        label_family = "sans" if rng.random() < 0.6 else "serif"
        label_style = {"family": label_family, "color": (60, 60, 65)}
        value_style = {"family": "sans" if rng.random() < 0.7 else "serif", "color": text_color}
        rows = [("姓名：", "holder_name"), ("性别：", "gender"), ("证件号码：", "id_number"), ("职业名称：", "occupation"),
                ("职业技能等级：", "skill_level"), ("证书编号：", "certificate_number"), ("发证日期：", "issue_date")]
        y = 370 + dy
        for label, name in rows:
            canvas.labelled(140 + dx, y, label, self.display(name, fields[name], fields), name, 32, label_style, value_style)
            y += 78 if y < 600 + dy else 84
        canvas.labelled(140 + dx, y, "评价机构：", fields["issuer"], "issuer", 32, label_style, value_style)
        y += 120
        canvas.text(140 + dx, y, "本证书信息可在技能人才评价工作网（职业技能等级证书查询）查询验证。", 22, "sans", "regular",
                    (90, 90, 95))
        canvas.qr_like((140 + dx, height - 360 + dy, 180, 180))
        seal_x, seal_y = width - 330 + dx, height - 260 + dy
        canvas.text(seal_x, seal_y + 20, "评价机构（盖章）", 26, "serif", "regular", text_color, anchor="ms")
        canvas.seal(seal_x + rng.uniform(-20, 20), seal_y + rng.uniform(-15, 15), 100, fields["issuer"], "")
        return canvas.finish()

