"""A credential type that exists only in the tests: one module with a spec, its layout parser and its number rule."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from credlift.tools.credential_numbers import NumberFormatError, NumberLayout, normalise_number, seg
from credlift.tools.credentials import CredentialSpec, Cue
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential

LAYOUTS = (NumberLayout("toy_licence", "standard", (seg("prefix", "TOY"), seg("year", r"\d{4}"),
                                                    seg("licence_class", r"[AB]"), seg("serial", r"\d{4}")),
                        "TOY + year 4 + class letter + serial 4"),)


@dataclass(frozen=True)
class ToyNumber:
    number: str
    year: int
    licence_class: str


def parse_toy_number(text: str, today: date | None = None) -> ToyNumber:
    number = normalise_number(text)
    parts = LAYOUTS[0].match(number)
    if parts is None:
        raise NumberFormatError("TOY_NUMBER_FORMAT", f"The toy licence number {number!r} does not follow its layout.")
    return ToyNumber(number=number, year=int(parts["year"]), licence_class=parts["licence_class"].lower())


class ToyParser(CredentialParser):
    credential_type = "toy_licence"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        for index, line in enumerate(page.lines):
            for label, key in (("持证人", "holder_name"), ("编号", "certificate_number"), ("类别", "licence_class"),
                               ("发证日期", "issue_date")):
                if line.text.startswith(label):
                    value = line.text.removeprefix(label).strip("：: ")
                    parsed.set(key, {"甲类": "a", "乙类": "b"}.get(value, value), line.confidence, index)
        return parsed


SPEC = CredentialSpec(
    type="toy_licence", name_en="toy pilot licence", name_zh="玩具飞行执照", increase_clause="INC-TOY",
    level_field="licence_class", level_field_zh="执照类别", parser=f"{__name__}:ToyParser",
    level_names={"a": ("class A", "甲类"), "b": ("class B", "乙类")}, level_aliases={"甲类": "a", "乙类": "b"},
    cues=(Cue(5.0, ("玩具飞行执照",)),), number_cues=(Cue(2.0, pattern=r"TOY-?\d{4}[AB]\d{4}"),),
    classify_rank=7, parameter_keys=("credential_increase.toy_licence", "max_increase_per_type.toy_licence"),
    number_layouts=LAYOUTS, number_parser=f"{__name__}:parse_toy_number",
    number_checks=(("licence_class", "licence_class"),), minimum_age=16,
    answer_fields={"licence_class": "a or b"},
)
