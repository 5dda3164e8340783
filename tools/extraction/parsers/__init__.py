"""One layout-aware parser per credential type, named by the type's spec (tools/credentials: adding a type is one
module there and one line in its registry)."""
from __future__ import annotations

from credlift.tools.credentials import PARSERS
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential


def parser_for(credential_type: str) -> CredentialParser | None:
    return PARSERS.get(credential_type)


__all__ = ["PARSERS", "CredentialParser", "PageLayout", "ParsedCredential", "parser_for"]
