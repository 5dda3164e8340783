"""How an honour certificate (荣誉证书: a merit student, a scholarship, a competition prize) says its values, as
data its type's module declares; one parser reads them all (tools/extraction/parsers/honours.py).

An honour certificate is a sentence, not a form: "张三同学（某某大学）：在2022-2023学年中……被评为校级三好学生". Its
values are words in that sentence (`choices`), a few short patterns (`patterns`), the academic year, the
awarding body signing at the bottom (snapped to `issuers` where it is one of them) and the number (`number`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from credlift.tools.credentials.base import CredentialSpec, Cue
from credlift.tools.credentials.coded_number import CodedNumberRule


@dataclass(frozen=True)
class HonourReading:
    #: field -> ((printed words, value), ...): the first words found in the sentence give the value
    choices: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    #: field -> a regular expression whose first group is the value
    patterns: dict[str, str] = field(default_factory=dict)
    academic_year: bool = False  # prints "2022-2023学年" (academic_year: "2022-2023")
    issuers: tuple[str, ...] = ()  # awarding bodies whose names a reading is snapped to
    number: CodedNumberRule | None = None


def parser_class_name(credential_type: str) -> str:
    """merit_student -> MeritStudentParser (tools/extraction/parsers/honours.py)."""
    return credential_type.title().replace("_", "") + "Parser"


def honour_spec(module: str, reading: HonourReading, **declared) -> CredentialSpec:
    """An honour's spec with what every honour shares filled in: the sentence reader, its number rule's layouts,
    parser and shape cue (from `reading.number`; `module` has its `parse_number`), and its parameter keys."""
    credential_type = declared["type"]
    rule = reading.number
    return CredentialSpec(
        parser=f"credlift.tools.extraction.parsers.honours:{parser_class_name(credential_type)}",
        parameter_keys=(f"credential_increase.{credential_type}", f"max_increase_per_type.{credential_type}"),
        number_layouts=rule.layouts, number_parser=f"{module}:parse_number",
        number_cues=(Cue(2.0, pattern=rule.pattern),), **declared)
