"""Intent and language detection for the deterministic responder: keyword lists from prompts/<lang>/intents.yaml."""
from __future__ import annotations

import re
from functools import lru_cache

from credlift.prompts import load

# First match wins: an injection attempt is never treated as anything else; a request for a human beats the rest.
INTENT_ORDER = ("injection", "human", "switch_en", "switch_zh", "why", "budget", "what_documents", "policy_question",
                "how_to", "upload_request", "thanks", "still_there", "greeting", "question")
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


@lru_cache(maxsize=1)
def _keywords() -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for lang in ("zh", "en"):
        for intent, words in (load("intents", lang) or {}).items():
            merged.setdefault(intent, []).extend(str(w).lower() for w in words)
    return merged


def _matches(text: str, keyword: str) -> bool:
    if CJK.search(keyword) or not keyword[:1].isalnum():
        return keyword in text
    return re.search(rf"(?<![a-z]){re.escape(keyword)}(?![a-z])", text) is not None


def detect_intent(text: str) -> str:
    lowered = text.lower().strip()
    if not lowered:
        return "small_talk"
    keywords = _keywords()
    for phrase in keywords.get("neutral_phrases", []):
        lowered = lowered.replace(phrase, " ")
    for intent in INTENT_ORDER:
        if any(_matches(lowered, word) for word in keywords.get(intent, [])):
            return "policy_question" if intent == "question" else intent
    return "small_talk"


def detect_language(text: str) -> str | None:
    """'zh' or 'en' when the message is clearly in one language, else None (keep the current one)."""
    cjk = len(CJK.findall(text))
    latin = len(LATIN_WORD.findall(text))
    if cjk >= 2 and cjk >= latin:
        return "zh"
    if latin >= 2 and cjk == 0:
        return "en"
    return None
