"""Which credential is this? Title keywords first, then the shape of the numbers printed on it."""
from __future__ import annotations

import re
from dataclasses import dataclass

from credlift.tools.extraction.parsers.base import PageLayout

# (credential type, keywords, weight): titles are strong evidence, body words weaker
_KEYWORDS: tuple[tuple[str, tuple[str, ...], float], ...] = (
    ("cet6", ("大学英语六级", "英语六级", "六级考试", "CET-6", "CET6", "CollegeEnglishTestBand6", "Band6"), 5.0),
    ("cet4", ("大学英语四级", "英语四级", "四级考试", "CET-4", "CET4", "CollegeEnglishTestBand4", "Band4"), 5.0),
    ("cet4", ("成绩报告单", "听力", "写作和翻译", "笔试准考证号"), 1.0),
    ("degree", ("学位证书", "学士学位", "硕士学位", "博士学位", "学位评定委员会", "授予", "学位"), 2.0),
    ("graduation", ("毕业证书", "准予毕业", "毕业", "学制", "修完"), 2.0),
    ("vocational", ("职业技能等级证书", "技能等级", "职业技能", "职业(工种)", "评价机构", "技能人才评价"), 2.5),
    ("award", ("荣誉证书", "获奖证书", "竞赛", "荣获", "一等奖", "二等奖", "三等奖", "金奖", "银奖", "铜奖", "获奖"), 2.0),
    ("qualification", ("会计专业技术资格", "专业技术资格证书", "资格证书", "会计", "财政部", "人力资源和社会保障部"), 1.5),
)

_NUMBER_SHAPES: tuple[tuple[str, re.Pattern[str], float], ...] = (
    ("vocational", re.compile(r"(?<![A-Z0-9])[YS]\d{21}(?![0-9])"), 2.0),
    ("award", re.compile(r"(?<![A-Z])(?:CMC|MCM|ICPC|CCPC)\d{4}[INP][0-9GSB]\d{5}"), 2.0),
)


@dataclass(frozen=True)
class TypeGuess:
    credential_type: str
    confidence: float
    scores: dict[str, float]


def classify_page(page: PageLayout) -> TypeGuess:
    """The credential type with a confidence; `unknown` without text, `other` when nothing matches."""
    text = page.full_text
    if len(text) < 4:
        return TypeGuess("unknown", 0.0, {})
    upper = text.upper()
    scores: dict[str, float] = {}
    for credential_type, keywords, weight in _KEYWORDS:
        for keyword in keywords:
            if keyword.upper() in upper:
                scores[credential_type] = scores.get(credential_type, 0.0) + weight
    for credential_type, pattern, weight in _NUMBER_SHAPES:
        if pattern.search(upper):
            scores[credential_type] = scores.get(credential_type, 0.0) + weight
    # a CET report's title says the level; body words alone mean "a CET report", level from its number
    if "cet4" in scores and _says_level_six(upper):
        scores["cet6"] = scores.get("cet6", 0.0) + scores.pop("cet4")
    # a degree certificate also says 毕业 (graduated) in its body; its title decides
    if "学位证书" in text and "毕业证书" not in text:
        scores["degree"] = scores.get("degree", 0.0) + 4.0
    if "毕业证书" in text and "学位证书" not in text:
        scores["graduation"] = scores.get("graduation", 0.0) + 4.0
    if not scores:
        return TypeGuess("other", 0.3, {})
    best = max(scores, key=scores.get)
    total = sum(scores.values())
    return TypeGuess(best, round(min(0.99, scores[best] / total), 3), scores)


def _says_level_six(upper_text: str) -> bool:
    return any(word in upper_text for word in ("六级", "CET-6", "CET6", "BAND6"))
