"""A certificate number of the INVENTED shape most honour certificates get here: a prefix, the year, one code
letter per coded field, a serial (e.g. ICPC2023G00042: competition ICPC, 2023, gold, serial 42).

Issuers of honours (merit-student certificates, scholarships, competitions) publish no number layout; these rules
are INVENTED (documented, plausible) so that the generator, the parsers and the validators agree, and each
type declares its rule in its own module as data (`CodedNumberRule`), not as another parse function.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from credlift.tools.credential_numbers import NumberFormatError, NumberLayout, _check_year, normalise_number, seg


@dataclass(frozen=True)
class CodedField:
    """One code letter of the number: the field it codes and its code -> value table."""
    name: str
    codes: dict[str, str]

    @property
    def letters(self) -> dict[str, str]:
        return {value: code for code, value in self.codes.items()}


@dataclass(frozen=True)
class CodedNumber:
    """A parsed number: its prefix, year, serial and one value per coded field (attributes, for `number_checks`)."""
    number: str
    prefix: str
    year: int
    serial: str
    values: dict[str, str] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        values = self.__dict__.get("values") or {}
        if name in values:
            return values[name]
        raise AttributeError(name)


@dataclass(frozen=True)
class CodedNumberRule:
    kind: str  # the number kind (credential_numbers.NUMBER_LAYOUTS key), usually the type
    error_prefix: str  # NumberFormatError codes: <prefix>_FORMAT, <prefix>_YEAR, <prefix>_<FIELD>
    label: str  # how a sentence names it: "merit-student certificate number"
    prefixes: dict[str, str]  # printed prefix -> the value it stands for (the competition), or "" when fixed
    coded: tuple[CodedField, ...] = ()
    serial_digits: int = 5
    prefix_field: str = ""  # the attribute the prefix's value is given as (e.g. "competition")

    @property
    def pattern(self) -> str:
        """The number as a regular expression (classifier cues, parsers finding it anywhere on a page)."""
        prefixes = "|".join(sorted(self.prefixes, key=len, reverse=True))
        codes = "".join(f"[{''.join(sorted(coded.codes))}]" for coded in self.coded)
        return rf"(?<![A-Z])(?:{prefixes})\d{{4}}{codes}\d{{{self.serial_digits}}}"

    @property
    def layouts(self) -> tuple[NumberLayout, ...]:
        prefixes = "|".join(sorted(self.prefixes, key=len, reverse=True))
        described = " + ".join(f"{coded.name} ({'/'.join(sorted(coded.codes))})" for coded in self.coded)
        return (NumberLayout(self.kind, "invented", (
            seg("prefix", f"(?:{prefixes})"), seg("year", r"\d{4}"),
            *(seg(coded.name, f"[{''.join(sorted(coded.codes))}]") for coded in self.coded),
            seg("serial", rf"\d{{{self.serial_digits}}}")),
            f"INVENTED: {'/'.join(self.prefixes)} + year 4 + {described} + serial {self.serial_digits}"),)

    def parse(self, text: str, today: date | None = None) -> CodedNumber:
        number = normalise_number(text)
        parts = self.layouts[0].match(number)
        if parts is None:
            raise NumberFormatError(f"{self.error_prefix}_FORMAT", f"The {self.label} {number!r} does not follow "
                                    f"its layout ({self.layouts[0].note.removeprefix('INVENTED: ')}).")
        year = int(parts["year"])
        _check_year(year, self.error_prefix, self.label, today)
        values = {coded.name: coded.codes[parts[coded.name]] for coded in self.coded}
        if self.prefix_field:
            values[self.prefix_field] = self.prefixes[parts["prefix"]]
        return CodedNumber(number=number, prefix=parts["prefix"], year=year, serial=parts["serial"], values=values)

    def make(self, year: int, serial: int, prefix: str | None = None, **values: str) -> str:
        """A number for the generator; `values` by field name (their codes are looked up)."""
        prefix = prefix if prefix is not None else next(iter(self.prefixes))
        codes = "".join(coded.letters[values[coded.name]] for coded in self.coded)
        number = f"{prefix}{year:04d}{codes}{serial:0{self.serial_digits}d}"
        self.parse(number, today=date(year + 1, 1, 1))
        return number

    def fix_ocr(self, text: str) -> str:
        """A reading of the number with OCR's look-alikes put right (O for 0 in the digits, spaces, dashes)."""
        from credlift.tools.extraction.normalise import fix_digits

        compact = re.sub(r"[\s\-_.:：]", "", text).upper()
        prefixes = "|".join(sorted(self.prefixes, key=len, reverse=True))
        codes = "([0-9A-Z])" * len(self.coded)
        match = re.search(rf"({prefixes})([0-9OIlSBZ]{{4}}){codes}([0-9OIlSBZ]{{{self.serial_digits}}})", compact)
        if not match:
            return compact
        groups = match.groups()
        letters = "".join(_LOOK_ALIKES.get(char, char) if char not in coded.codes else char
                          for char, coded in zip(groups[2:-1], self.coded))
        return groups[0] + fix_digits(groups[1]) + letters + fix_digits(groups[-1])


#: a code letter OCR read as the digit or letter it looks like
_LOOK_ALIKES = {"5": "S", "8": "B", "6": "G", "0": "O", "2": "Z", "1": "I", "P": "P", "D": "B"}
