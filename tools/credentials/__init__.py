"""The registry of credential types: one `CredentialSpec` per type (a module each in this package).

Every table the house keeps per credential type is derived here, and the derived tables are live: `register`
(a type from elsewhere, e.g. a test module) updates them in place, so modules that imported them see the new
type. The record's type list (credlift/domain/credential.py `CREDENTIAL_TYPES`) is the registry's too. Adding a
type: one module with a `SPEC`, one line in `_MODULES`, and its numbers in knowledge/policy/parameters.yaml.
"""
from __future__ import annotations

import importlib

from credlift.domain.credential import CREDENTIAL_TYPES as _types

from credlift.tools.credentials.base import CredentialSpec, Cue

_MODULES = ("cet4", "cet6", "graduation", "degree", "vocational", "award", "qualification", "driver_permit",
            "merit_student", "scholarship", "math_competition", "icpc",
            "rider_profile", "creator_profile", "health_certificate",
            "transport_permit")

SPECS: dict[str, CredentialSpec] = {}
# derived tables (filled by register)
TYPE_NAMES: dict[str, tuple[str, str]] = {}  # type -> (en, zh)
INCREASE_CLAUSE: dict[str, str] = {}  # type -> INC-* clause id
LEVEL_FIELDS: dict[str, str] = {}  # type -> the field its increase is keyed by
LEVEL_NAMES: dict[tuple[str, str], tuple[str, str]] = {}  # (type, level code) -> (en, zh)
LEVEL_ALIASES: dict[str, dict[str, str]] = {}  # type -> printed level name -> code
KEY_FIELDS: dict[str, tuple[str, ...]] = {}  # fields whose absence is worth telling the person about
PARSERS: dict = {}  # type -> layout parser instance (one per parser class)
NUMBER_LAYOUTS: dict[str, tuple] = {}  # number kind -> its NumberLayout rows (tools/credential_numbers.py)
MINIMUM_AGE: dict[str, int] = {}  # "type" and "type:level" -> youngest plausible holder (validators, generator)
LEVEL_ORDER: dict[str, tuple[str, ...]] = {}  # type -> level codes, lowest first (loan book, scorecard)
LEVEL_FIELD_ZH: dict[str, str] = {}  # level field -> its Chinese name


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
    for layout in spec.number_layouts:
        NUMBER_LAYOUTS[layout.kind] = tuple(row for row in spec.number_layouts if row.kind == layout.kind)
    MINIMUM_AGE[spec.type] = spec.minimum_age
    MINIMUM_AGE.update({f"{spec.type}:{level}": age for level, age in spec.minimum_age_by_level.items()})
    LEVEL_ORDER[spec.type] = spec.levels_low_to_high
    if spec.level_field_zh:
        LEVEL_FIELD_ZH.setdefault(spec.level_field, spec.level_field_zh)
    _types.register(spec.type)
    return spec


def unregister(credential_type: str) -> None:
    """Removes a type registered from elsewhere (tests) from every derived table."""
    spec = SPECS.pop(credential_type, None)
    for table in (TYPE_NAMES, INCREASE_CLAUSE, LEVEL_FIELDS, LEVEL_ALIASES, KEY_FIELDS, PARSERS, MINIMUM_AGE,
                  LEVEL_ORDER):
        table.pop(credential_type, None)
    for key in [key for key in LEVEL_NAMES if key[0] == credential_type]:
        LEVEL_NAMES.pop(key)
    for key in [key for key in MINIMUM_AGE if key.startswith(f"{credential_type}:")]:
        MINIMUM_AGE.pop(key)
    if spec is not None:
        for layout in spec.number_layouts:
            NUMBER_LAYOUTS.pop(layout.kind, None)
        if spec.level_field_zh and not any(other.level_field == spec.level_field for other in SPECS.values()):
            LEVEL_FIELD_ZH.pop(spec.level_field, None)
    _types.unregister(credential_type)


def _shared_parser(spec: CredentialSpec):
    for other in SPECS.values():
        if other.type != spec.type and other.parser == spec.parser and other.type in PARSERS:
            return PARSERS[other.type]
    return spec.make_parser()


def spec_for(credential_type: str) -> CredentialSpec | None:
    return SPECS.get(credential_type)


def name_style_types() -> tuple[str, ...]:
    """The types the trained name-style model has a one-hot slot for, in its trained (alphabetical) order."""
    return tuple(sorted(spec.type for spec in SPECS.values() if spec.name_style))


def weaker_evidence_types() -> tuple[str, ...]:
    return tuple(spec.type for spec in SPECS.values() if spec.weaker_evidence)


def classifier_cues() -> tuple[list[tuple[str, Cue]], list[tuple[str, Cue]]]:
    """(word cues, number-shape cues) as (type, cue), in the order the classifier tallies them."""
    ranked = sorted(SPECS.values(), key=lambda spec: spec.classify_rank)
    return ([(spec.type, cue) for spec in ranked for cue in spec.cues],
            [(spec.type, cue) for spec in ranked for cue in spec.number_cues])


for _name in _MODULES:
    register(importlib.import_module(f"credlift.tools.credentials.{_name}").SPEC)

__all__ = ["CredentialSpec", "Cue", "SPECS", "register", "unregister", "spec_for", "classifier_cues",
           "TYPE_NAMES", "INCREASE_CLAUSE", "LEVEL_FIELDS", "LEVEL_NAMES", "LEVEL_ALIASES", "KEY_FIELDS", "PARSERS",
           "NUMBER_LAYOUTS", "MINIMUM_AGE", "LEVEL_ORDER", "LEVEL_FIELD_ZH", "name_style_types",
           "weaker_evidence_types"]
