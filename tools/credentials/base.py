"""What a credential type is, in one place: `CredentialSpec`. Each type is one module in this package whose
`SPEC` the registry (tools/credentials/__init__.py) lists; every table the extraction, the validators, the
policy engine, the risk model, the vision model's answer schema and the forensic signals read per type (names,
level fields, key fields, clause ids, classifier cues, parsers, number layouts and rules, pricing, minimum ages)
is derived from it."""
from __future__ import annotations

import importlib
import inspect
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Literal

Pricing = Literal["by_level", "score_tiers", "flat"]


@dataclass(frozen=True)
class Cue:
    """Classifier evidence: any of `words` on the page (or `pattern` matching the upper-cased text) adds `weight`."""
    weight: float
    words: tuple[str, ...] = ()
    pattern: str = ""

    @cached_property
    def regex(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern) if self.pattern else None


def load(reference: str) -> Callable:
    """'module:name' -> the object."""
    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


@dataclass(frozen=True)
class CredentialSpec:
    type: str
    name_en: str
    name_zh: str
    increase_clause: str = field(metadata={"doc": "the policy clause id of its base increase (INC-*)"})
    level_field: str = field(metadata={"doc": "the field the policy's increase table is keyed by"})
    parser: str = field(metadata={"doc": "'module:Class' of its layout parser (imported on first use)"})
    key_fields: tuple[str, ...] = ("holder_name", "certificate_number")
    level_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # level code -> (en, zh), highest first
    level_aliases: dict[str, str] = field(default_factory=dict)  # printed level name -> level code
    level_field_zh: str = ""  # the level field's name in Chinese (what cannot be read, in a reason)
    level_order: tuple[str, ...] = ()  # the loan book's level codes, lowest first (default: level_names reversed)
    default_level: str = ""  # the level when the page prints none (a one-level credential)
    cues: tuple[Cue, ...] = ()
    number_cues: tuple[Cue, ...] = ()  # the shape of its numbers (scored after every type's words)
    classify_rank: int = 100  # order in which the classifier tallies (ties go to the lower rank)
    # --- pricing: read by the policy engine (tools/limits.py); the numbers live in parameters.yaml ---
    pricing: Pricing = field(default="by_level", metadata={
        "doc": "by_level: credential_increase.<type> maps level -> yuan; score_tiers: a list of {min_score, "
               "increase} on the level field; flat: one amount"})
    parameter_keys: tuple[str, ...] = field(default=(), metadata={
        "doc": "keys of knowledge/policy/parameters.yaml that price it (credential_increase.<type>, "
               "max_increase_per_type.<type>)"})
    weaker_evidence: bool = field(default=False, metadata={
        "doc": "a screenshot or self-made page, not a certificate its issuer could confirm: the policy caps it "
               "(weak_evidence_cap) and says so"})
    # --- numbers and validation: read by tools/credential_numbers.py and tools/extraction/validators.py ---
    number_layouts: tuple = ()  # credential_numbers.NumberLayout rows (by their `kind`); secondary numbers too
    number_parser: str = ""  # 'module:function(text, today=None)' parsing its certificate number
    number_checks: tuple[tuple[str, str], ...] = ()  # (printed field, attribute of the parsed number) that agree
    year_fields: tuple[str, ...] = ("issue_date",)  # the first printed one carries the number's year
    checks: tuple[str, ...] = ()  # 'module:function(record, parsed, findings)' type-specific validators
    minimum_age: int = 14  # youngest plausible holder
    minimum_age_by_level: dict[str, int] = field(default_factory=dict)
    # --- the vision model's answer (tools/extraction/schema.py) ---
    answer_fields: dict[str, str] = field(default_factory=dict)  # its own field -> description (str values)
    # --- the people who hold it ---
    trades: dict[str, str] = field(default_factory=dict)  # occupation (as accounts store it) -> its Chinese name
    # --- forensics ---
    name_style: bool = False  # the trained name-style model knows its layout (one-hot slot)

    @property
    def levels_low_to_high(self) -> tuple[str, ...]:
        return self.level_order or tuple(reversed(tuple(self.level_names)))

    def make_parser(self):
        return load(self.parser)()

    def parse_number(self, text: str, today=None):
        """Its certificate number parsed by its rule (NumberFormatError when it does not follow it)."""
        function = load(self.number_parser)
        if "today" in inspect.signature(function).parameters:
            return function(text, today=today)
        return function(text)
