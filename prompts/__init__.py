"""Prompt and reply templates, one file per name and language (prompts/<lang>/<name>.yaml|txt), loaded by name.

`load(name, lang)` returns the text of a .txt file or the mapping of a .yaml file; `reply(key, lang, **values)`
formats one reply template from `replies.yaml`; `field_name(key, lang)` names a credential field (`fields.yaml`).
The conversation's sentences live here. Two other homes keep
their own zh/en sentences beside the code that uses them: the policy engine's reason codes (tools/limits.py
`REASONS`, part of the auditable decision) and the web app's labels (ui/web/i18n.py).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PROMPTS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("zh", "en")


class PromptNotFoundError(KeyError):
    """A prompt file or a template key that does not exist (a programming error, not a user error)."""


def _normalise(lang: str) -> str:
    return lang if lang in LANGUAGES else "zh"


def accepted_types(lang: str = "zh") -> str:
    """The accepted credential types' names, from the registry of specs (tools/credentials), in `lang`."""
    from credlift.tools.credentials import TYPE_NAMES

    names = [zh if _normalise(lang) == "zh" else en for en, zh in TYPE_NAMES.values()]
    if _normalise(lang) == "zh":
        return "、".join(names)
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def _with_types(node: Any, lang: str) -> Any:
    """`{accepted_types}` filled in every string of a prompt (the registry's list, read at each use)."""
    if isinstance(node, str):
        if "{accepted_types}" in node:
            node = node.replace("{accepted_types}", accepted_types(lang))
        if "{type_choices}" in node:  # the vision model's answer: a registered type or other
            from credlift.tools.credentials import SPECS

            node = node.replace("{type_choices}", " | ".join([*SPECS, "other"]))
        return node
    if isinstance(node, dict):
        return {key: _with_types(value, lang) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_types(value, lang) for value in node]
    return node


def load(name: str, lang: str = "zh") -> Any:
    """The prompt `name` in `lang`: str for .txt, dict/list for .yaml; `{accepted_types}` filled from the registry."""
    return _with_types(_load(name, lang), lang)


@lru_cache(maxsize=128)
def _load(name: str, lang: str = "zh") -> Any:
    folder = PROMPTS_DIR / _normalise(lang)
    for suffix in (".yaml", ".yml", ".txt", ".md"):
        path = folder / f"{name}{suffix}"
        if path.exists():
            text = path.read_text(encoding="utf-8")
            return yaml.safe_load(text) if suffix in (".yaml", ".yml") else text
    raise PromptNotFoundError(f"no prompt '{name}' for language '{lang}' in {folder}")


def field_name(key: str, lang: str = "zh") -> str:
    """A credential field's name as people read it (prompts/<lang>/fields.yaml); the key, spaced, when unnamed."""
    return _with_types((_load("fields", lang) or {}).get(key), lang) or key.replace("_", " ")


def reply(key: str, lang: str = "zh", **values: Any) -> str:
    """One reply template from prompts/<lang>/replies.yaml, formatted with `values` (dotted keys for nesting)."""
    node: Any = _load("replies", lang)  # the template found first, then filled: not the whole file at every reply
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise PromptNotFoundError(f"no reply template '{key}' for language '{lang}'")
        node = node[part]
    node = _with_types(node, lang)
    if isinstance(node, list):
        node = "\n".join(str(item) for item in node)
    return str(node).strip().format(**values) if values else str(node).strip()


def refusal(key: str, lang: str = "zh", **values: Any) -> str:
    """Why an upload was refused (prompts/<lang>/refusals.yaml), in `lang`."""
    sentences = _load("refusals", lang)
    if key not in sentences:
        raise PromptNotFoundError(f"no refusal '{key}' for language '{lang}'")
    return str(_with_types(sentences[key], lang)).strip().format(**values)


def has_reply(key: str, lang: str = "zh") -> bool:
    try:
        reply(key, lang)
    except (PromptNotFoundError, KeyError, IndexError):
        return False
    return True
