"""Pages of credentials of no registered type (issue 25.4), for measuring the generic path: any kind of the
taxonomy (knowledge/taxonomy) drawn as a plain certificate (form or sentence layout) under one of its Chinese
names, with a holder, a level, an issuer, a date and a number, then captured like the typed templates' pages.

`draw_unknown(kind, seed, capture_style)` -> (image bytes, label with the common schema and the expected class)."""
from __future__ import annotations

import re
from datetime import date
from typing import Any

import numpy as np

from credlift.evals.synth.capture import capture
from credlift.evals.synth.drawing import Canvas
from credlift.evals.synth.encode import encode
from credlift.evals.synth.people import make_person
from credlift.evals.synth.templates.base import LANDSCAPE, ink
from credlift.knowledge.taxonomy import CredentialKind

ISSUERS = ("中国人事考试中心", "人力资源和社会保障部", "北京市应急管理局", "江苏省职业技能鉴定中心", "中国就业培训技术指导中心",
           "浙江省教育考试院", "广东省人力资源和社会保障厅", "上海市职业能力考试院", "中国红十字会总会", "国家体育总局")
LEVELS = ("初级", "中级", "高级", "一级", "二级", "三级", "合格", "优秀")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def printed_names(kind: CredentialKind) -> list[str]:
    """The Chinese names a page of this kind may carry as its title (its name and its Chinese synonyms)."""
    names = [kind.zh, *(word for word in kind.synonyms if len(_CJK.findall(word)) >= 3)]
    return list(dict.fromkeys(names))


def draw_unknown(kind: CredentialKind, seed: int, capture_style: str = "scan",
                 holder_name: str | None = None) -> tuple[bytes, str, dict[str, Any]]:
    rng = np.random.default_rng([seed, 25])
    names = printed_names(kind)
    title = str(rng.choice(names))
    person = make_person(rng, (1985, 2003), name=holder_name)
    issued = date(int(rng.integers(2015, 2026)), int(rng.integers(1, 13)), int(rng.integers(1, 29)))
    fields = {"title": title, "holder_name": person.name, "issuer": str(rng.choice(ISSUERS)),
              "level": str(rng.choice(LEVELS)), "issue_date": issued.isoformat(),
              "certificate_number": f"{rng.choice(['', 'A', 'ZG', 'NO'])}{int(rng.integers(10 ** 9, 10 ** 12))}"}
    width, height = LANDSCAPE
    canvas = Canvas(width, height, rng, paper=(250, 249, 244))
    canvas.frame(30, (150, 120, 60), band=24)
    color = ink(rng)
    size = 64 if len(title) <= 12 else 48
    canvas.text(width / 2, 210, title, size, "serif", "bold", (150, 30, 30), anchor="ms", tracking=4)
    label_style, value_style = {"family": "sans", "color": (60, 60, 70)}, {"family": "sans", "color": color}
    printed_date = f"{issued.year}年{issued.month:02d}月{issued.day:02d}日"
    if rng.random() < 0.6:  # a form
        rows = [("姓名：", "holder_name"), ("等级：", "level"), ("证书编号：", "certificate_number"),
                ("发证机构：", "issuer")]
        y = 360
        for label, name in rows:
            canvas.labelled(260, y, label, fields[name], name, 38, label_style, value_style)
            y += 90
        canvas.labelled(260, y, "发证日期：", printed_date, "issue_date", 38, label_style, value_style)
    else:  # a sentence, signed at the foot
        canvas.line(200, 380, [("兹证明", None), (fields["holder_name"], "holder_name"), ("同志经考核合格，成绩", None),
                               (fields["level"], "level"), ("，特发此证。", None)], 38, "serif", "regular", color)
        canvas.labelled(200, 500, "证书编号：", fields["certificate_number"], "certificate_number", 34, label_style,
                        value_style)
        canvas.line(width - 420, height - 230, [(fields["issuer"], "issuer")], 36, "serif", "bold", color, anchor="ms")
        canvas.line(width - 420, height - 170, [(printed_date, "issue_date")], 32, "serif", "regular", color,
                    anchor="ms")
    canvas.seal(width - 420 + rng.uniform(-20, 20), height - 220, 100, fields["issuer"], "")
    captured = capture(canvas.finish(), capture_style, np.random.default_rng([seed, 26]))
    data = encode(captured.rgb, captured.format, captured.jpeg_quality, captured.exif, captured.png_text)
    label = {"kind": kind.id, "policy_class": kind.policy_class, "fields": fields, "capture": capture_style}
    return data, "jpg" if captured.format == "jpeg" else "png", label
