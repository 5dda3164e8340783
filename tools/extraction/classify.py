"""Which credential is this? Title keywords first, then the shape of the numbers printed on it (each type's cues
are in its spec, tools/credentials)."""
from __future__ import annotations

from dataclasses import dataclass

from credlift.tools.credentials import classifier_cues
from credlift.tools.extraction.parsers.base import PageLayout


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
    word_cues, number_cues = classifier_cues()  # each type's cues, from its spec (tools/credentials)
    for credential_type, cue in word_cues:
        for keyword in cue.words:
            if keyword.upper() in upper:
                scores[credential_type] = scores.get(credential_type, 0.0) + cue.weight
    for credential_type, cue in number_cues:
        if cue.regex.search(upper):
            scores[credential_type] = scores.get(credential_type, 0.0) + cue.weight
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
