"""The registry of credential types: one `CredentialSpec` per type (a module each in this package).

Every table the house keeps per credential type is derived here, and the derived tables are live: `register`
(a type from elsewhere, e.g. a test module) updates them in place, so modules that imported them see the new
type. Adding a type: one module with a `SPEC`, one line in `_MODULES`.
"""
from __future__ import annotations

import importlib

from credlift.tools.credentials.base import CredentialSpec, Cue

_MODULES = ("cet4", "cet6", "graduation", "degree", "vocational", "award", "qualification")

SPECS: dict[str, CredentialSpec] = {}
# derived tables (filled by register)
TYPE_NAMES: dict[str, tuple[str, str]] = {}  # type -> (en, zh)
INCREASE_CLAUSE: dict[str, str] = {}  # type -> INC-* clause id
LEVEL_FIELDS: dict[str, str] = {}  # type -> the field its increase is keyed by
LEVEL_NAMES: dict[tuple[str, str], tuple[str, str]] = {}  # (type, level code) -> (en, zh)
LEVEL_ALIASES: dict[str, dict[str, str]] = {}  # type -> printed level name -> code
KEY_FIELDS: dict[str, tuple[str, ...]] = {}  # fields whose absence is worth telling the person about
PARSERS: dict = {}  # type -> layout parser instance (one per parser class)


def register(spec: CredentialSpec) -> CredentialSpec:
    """Adds (or replaces) a type and its rows in every derived table."""
    SPECS[spec.type] = spec
    TYPE_NAMES[spec.type] = (spec.name_en, spec.name_zh)
    INCREASE_CLAUSE[spec.type] = spec.increase_clause
    LEVEL_FIELDS[spec.type] = spec.level_field
    for code, names in spec.level_names.items():
        LEVEL_NAMES[(spec.type, code)] = names
    if spec.level_aliases:
        LEVEL_ALIASES[spec.type] = dict(spec.level_aliases)
    KEY_FIELDS[spec.type] = spec.key_fields
    PARSERS[spec.type] = _shared_parser(spec)
    return spec


def unregister(credential_type: str) -> None:
    """Removes a type registered from elsewhere (tests) from every derived table."""
    SPECS.pop(credential_type, None)
    for table in (TYPE_NAMES, INCREASE_CLAUSE, LEVEL_FIELDS, LEVEL_ALIASES, KEY_FIELDS, PARSERS):
        table.pop(credential_type, None)
    for key in [key for key in LEVEL_NAMES if key[0] == credential_type]:
        LEVEL_NAMES.pop(key)


def _shared_parser(spec: CredentialSpec):
    for other in SPECS.values():
        if other.type != spec.type and other.parser == spec.parser and other.type in PARSERS:
            return PARSERS[other.type]
    return spec.make_parser()


def spec_for(credential_type: str) -> CredentialSpec | None:
    return SPECS.get(credential_type)


def classifier_cues() -> tuple[list[tuple[str, Cue]], list[tuple[str, Cue]]]:
    """(word cues, number-shape cues) as (type, cue), in the order the classifier tallies them."""
    ranked = sorted(SPECS.values(), key=lambda spec: spec.classify_rank)
    return ([(spec.type, cue) for spec in ranked for cue in spec.cues],
            [(spec.type, cue) for spec in ranked for cue in spec.number_cues])


for _name in _MODULES:
    register(importlib.import_module(f"credlift.tools.credentials.{_name}").SPEC)

__all__ = ["CredentialSpec", "Cue", "SPECS", "register", "unregister", "spec_for", "classifier_cues",
           "TYPE_NAMES", "INCREASE_CLAUSE", "LEVEL_FIELDS", "LEVEL_NAMES", "LEVEL_ALIASES", "KEY_FIELDS", "PARSERS"]
