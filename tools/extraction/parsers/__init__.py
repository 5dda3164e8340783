"""One layout-aware parser per credential type, listed in one registry (adding a type: one file, one line)."""
from __future__ import annotations

from credlift.tools.extraction.parsers.award import AwardParser
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.cet import CetParser
from credlift.tools.extraction.parsers.degree import DegreeParser
from credlift.tools.extraction.parsers.graduation import GraduationParser
from credlift.tools.extraction.parsers.qualification import QualificationParser
from credlift.tools.extraction.parsers.vocational import VocationalParser

PARSERS: dict[str, CredentialParser] = {
    "cet4": CetParser(),
    "cet6": CetParser(),
    "graduation": GraduationParser(),
    "degree": DegreeParser(),
    "vocational": VocationalParser(),
    "award": AwardParser(),
    "qualification": QualificationParser(),
}


def parser_for(credential_type: str) -> CredentialParser | None:
    return PARSERS.get(credential_type)


__all__ = ["PARSERS", "CredentialParser", "PageLayout", "ParsedCredential", "parser_for"]
