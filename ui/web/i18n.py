"""UI labels in Chinese and English, read from prompts/<lang>/ui.yaml (the app never inlines user-facing text)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml

import credlift.prompts

Lang = Literal["zh", "en"]
LANGUAGES: tuple[Lang, ...] = ("zh", "en")
LANGUAGE_CHOICES: list[tuple[str, str]] = [("中文", "zh"), ("English", "en")]


@lru_cache(maxsize=2)
def labels(lang: str) -> dict[str, str]:
    path = Path(credlift.prompts.__file__).parent / normalise(lang) / "ui.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def normalise(lang: str | None) -> Lang:
    return "en" if str(lang or "").lower().startswith("en") else "zh"


def t(lang: str, key: str, **values: object) -> str:
    """The label `key` in `lang`, with {placeholders} filled; a missing key falls back to English, then the key."""
    text = labels(normalise(lang)).get(key) or labels("en").get(key) or key
    return text.format(**values) if values else text
