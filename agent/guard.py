"""The reply guard: a model's reply may only state numbers found in the decision record, the retrieved clauses or
the budget, and may only cite clause ids that were retrieved. Offending sentences are replaced by the
deterministic template's answer (once) and otherwise dropped."""
from __future__ import annotations

import re
from typing import Any, Iterable

from pydantic import BaseModel, Field

from credlift.agent.grounding import CLAUSE_ID_PATTERN
from credlift.domain import LimitDecision, RetrievedClause

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Names that contain digits but state no amount (credential names, clause ids).
NAMED_DIGITS = re.compile(r"CET[-\s]?[46]|[四六]级|" + CLAUSE_ID_PATTERN.pattern, re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[。！？!?；;\n])|(?<=[.])\s+")


class GuardReport(BaseModel):
    text: str
    changed: bool = False
    notes: list[str] = Field(default_factory=list)


def _normal(number: str) -> str:
    text = number.replace(",", "")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def numbers_in(text: str) -> set[str]:
    return {_normal(n) for n in NUMBER.findall(NAMED_DIGITS.sub(" ", text))}


def allowed_numbers(decision: LimitDecision | None, retrieved: Iterable[RetrievedClause], extra: Iterable[Any] = ()) -> set[str]:
    """Every number the reply may state: from the decision record (amounts, inputs, reasons), clauses, budget."""
    sources: list[str] = []
    if decision is not None:
        sources.append(decision.model_dump_json())
    for item in retrieved:
        sources += [item.clause.text_zh, item.clause.text_en, item.clause.title_zh, item.clause.title_en]
    for value in extra:
        sources.append(value.model_dump_json() if isinstance(value, BaseModel) else str(value))
    allowed = set()
    for source in sources:
        for number in numbers_in(source):
            allowed.add(number)
            if re.fullmatch(r"0\.\d+", number):  # 0.85 may be said as 85%
                allowed.add(_normal(f"{float(number) * 100:.4g}"))
    return allowed


def split_sentences(text: str) -> list[str]:
    return [part for part in SENTENCE_END.split(text) if part and part.strip()]


def _join(sentences: list[str]) -> str:
    out = ""
    for sentence in sentences:
        sentence = sentence.strip(" ")
        if out and not out.endswith(("\n", "。", "！", "？", "；")):
            out += " "
        out += sentence
    return out.strip()


def enforce(text: str, allowed: set[str], retrieved: Iterable[RetrievedClause], replacement: str) -> GuardReport:
    known_ids = {item.clause.id for item in retrieved}
    kept: list[str] = []
    notes: list[str] = []
    replaced = False
    for sentence in split_sentences(text):
        unknown_numbers = sorted(numbers_in(sentence) - allowed)
        unknown_ids = sorted(set(CLAUSE_ID_PATTERN.findall(sentence)) - known_ids)
        if not unknown_numbers and not unknown_ids:
            kept.append(sentence)
            continue
        notes.append(f"sentence replaced: numbers not in the record {unknown_numbers}, clauses not retrieved {unknown_ids}")
        if not replaced and replacement:
            kept.append(replacement if replacement.endswith("\n") else replacement + "\n")
            replaced = True
    result = _join(kept)
    if not result:
        result, notes = replacement, notes + ["empty after the guard: deterministic reply used"]
    return GuardReport(text=result, changed=bool(notes), notes=notes)
