"""A credential type that exists only in the tests: one module with a spec and its parser."""
from __future__ import annotations

from credlift.tools.credentials import CredentialSpec, Cue
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential


class ToyParser(CredentialParser):
    credential_type = "toy_licence"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        for index, line in enumerate(page.lines):
            if line.text.startswith("持证人"):
                parsed.set("holder_name", line.text.removeprefix("持证人").strip("：: "), line.confidence, index)
            if line.text.startswith("编号"):
                parsed.set("certificate_number", line.text.removeprefix("编号").strip("：: "), line.confidence, index)
        return parsed


SPEC = CredentialSpec(
    type="toy_licence", name_en="toy pilot licence", name_zh="玩具飞行执照", increase_clause="INC-TOY",
    level_field="licence_class", parser=f"{__name__}:ToyParser",
    level_names={"a": ("class A", "甲类")}, level_aliases={"甲类": "a"},
    cues=(Cue(5.0, ("玩具飞行执照",)),), number_cues=(Cue(2.0, pattern=r"TOY-\d{6}"),),
    classify_rank=7, parameter_keys=("credential_increase.toy_licence",),
)
