"""What a credential type is, in one place: `CredentialSpec`. Each type is one module in this package whose
`SPEC` the registry (tools/credentials/__init__.py) lists; the tables the extraction, the policy engine and the
risk model read (names, level fields, key fields, clause ids, classifier cues, parsers) are derived from it."""
from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Cue:
    """Classifier evidence: any of `words` on the page (or `pattern` matching the upper-cased text) adds `weight`."""
    weight: float
    words: tuple[str, ...] = ()
    pattern: str = ""

    @cached_property
    def regex(self) -> re.Pattern[str] | None:
        return re.compile(self.pattern) if self.pattern else None


@dataclass(frozen=True)
class CredentialSpec:
    type: str
    name_en: str
    name_zh: str
    increase_clause: str = field(metadata={"doc": "the policy clause id of its base increase (INC-*)"})
    level_field: str = field(metadata={"doc": "the field the policy's increase table is keyed by"})
    parser: str = field(metadata={"doc": "'module:Class' of its layout parser (imported on first use)"})
    key_fields: tuple[str, ...] = ("holder_name", "certificate_number")
    level_names: dict[str, tuple[str, str]] = field(default_factory=dict)  # level code -> (en, zh)
    level_aliases: dict[str, str] = field(default_factory=dict)  # printed level name -> level code
    cues: tuple[Cue, ...] = ()
    number_cues: tuple[Cue, ...] = ()  # the shape of its numbers (scored after every type's words)
    classify_rank: int = 100  # order in which the classifier tallies (ties go to the lower rank)
    parameter_keys: tuple[str, ...] = field(default=(), metadata={
        "doc": "keys of knowledge/policy/parameters.yaml that price it (credential_increase.<type>, "
               "max_increase_per_type.<type>)"})

    def make_parser(self):
        module, _, name = self.parser.partition(":")
        return getattr(importlib.import_module(module), name)()
