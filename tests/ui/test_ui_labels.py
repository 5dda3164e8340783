"""UI labels exist in both languages with the same placeholders."""
from __future__ import annotations

import string

from credlift.ui.web.i18n import labels, t


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_chinese_and_english_labels_have_the_same_keys_and_placeholders():
    zh, en = labels("zh"), labels("en")
    assert set(zh) == set(en)
    assert {k: _placeholders(v) for k, v in zh.items()} == {k: _placeholders(v) for k, v in en.items()}


def test_labels_fill_their_placeholders_in_the_chosen_language():
    assert t("en", "too_many_files", limit=3, count=10).startswith("Please send at most 3 files")
    assert t("zh", "yuan", amount=3500) == "¥3,500"
    assert t("en-GB", "sign_in") == "Sign in"
