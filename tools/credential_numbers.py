"""Number formats of Chinese credentials, in ONE table (knowledge/reference/credential-numbers.md).

None of these layouts is published by the issuing authorities in a form we could check: a mismatch is a
signal to weigh, not proof of forgery. To correct a rule, edit `NUMBER_LAYOUTS` or a code table below;
`parse_*` (validators) and `make_*` (the synthetic generator) both read from here.

Award certificate numbers and the accounting qualification number have no public layout at all: the
layouts below for them are INVENTED (documented, plausible) so that synthetic data and validators agree.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumValidationError

from credlift.errors import CredliftError

# --------------------------------------------------------------------------------------------------
# Code tables (easy to correct)
# --------------------------------------------------------------------------------------------------

#: graduation certificate, 2-digit level code -> canonical level
GRADUATION_LEVELS: dict[str, str] = {
    "01": "doctorate",
    "02": "master",
    "04": "second_bachelor",
    "05": "bachelor",
    "06": "junior_college",
}
GRADUATION_LEVEL_CODES: dict[str, str] = {level: code for code, level in GRADUATION_LEVELS.items()}
GRADUATION_LEVEL_ZH: dict[str, str] = {
    "doctorate": "博士研究生", "master": "硕士研究生", "second_bachelor": "第二学士学位",
    "bachelor": "本科", "junior_college": "专科",
}

#: graduation certificate, 1-digit type of schooling
SCHOOLING_TYPES: dict[str, str] = {
    "1": "regular",        # 普通高等教育
    "5": "adult",          # 成人高等教育
    "6": "self_study",     # 高等教育自学考试
    "7": "online",         # 网络教育
}
SCHOOLING_TYPE_CODES: dict[str, str] = {name: code for code, name in SCHOOLING_TYPES.items()}

#: degree certificate, 1-digit level code -> canonical degree level
DEGREE_LEVELS: dict[str, str] = {"2": "doctor", "3": "master", "4": "bachelor"}
DEGREE_LEVEL_CODES: dict[str, str] = {level: code for code, level in DEGREE_LEVELS.items()}
DEGREE_LEVEL_ZH: dict[str, str] = {"doctor": "博士", "master": "硕士", "bachelor": "学士"}

#: degree certificate, letter at position 11 (1-based); other letters are professional-degree letters
DEGREE_VARIANT_LETTERS: dict[str, str] = {"S": "double_degree", "E": "second_degree", "Z": "self_study"}
#: degree certificate, leading letter that makes 17 characters
DEGREE_PREFIX_LETTERS: dict[str, str] = {"C": "adult_education", "Q": "prefix_q", "T": "prefix_t", "L": "prefix_l"}

#: vocational skill level certificate, skill level digit (the canonical field keeps the digit itself)
VOCATIONAL_LEVELS: dict[str, str] = {
    "1": "senior_technician",   # 一级/高级技师
    "2": "technician",          # 二级/技师
    "3": "senior_worker",       # 三级/高级工
    "4": "intermediate",        # 四级/中级工
    "5": "junior",              # 五级/初级工
}
VOCATIONAL_LEVEL_ZH: dict[str, str] = {
    "1": "一级/高级技师", "2": "二级/技师", "3": "三级/高级工", "4": "四级/中级工", "5": "五级/初级工",
}
#: vocational certificate, leading letter -> who issued it
VOCATIONAL_ISSUER_KINDS: dict[str, str] = {"Y": "employer", "S": "assessment_organisation"}

#: two-digit province codes (GB/T 2260), used by the vocational number and ID numbers
PROVINCE_CODES: dict[str, str] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省", "31": "上海市", "32": "江苏省", "33": "浙江省",
    "34": "安徽省", "35": "福建省", "36": "江西省", "37": "山东省", "41": "河南省", "42": "湖北省",
    "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省", "50": "重庆市", "51": "四川省",
    "52": "贵州省", "53": "云南省", "54": "西藏自治区", "61": "陕西省", "62": "甘肃省", "63": "青海省",
    "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
}

#: CET report number, sitting digit -> exam month; level digit -> credential type
CET_SITTINGS: dict[str, int] = {"1": 6, "2": 12}
CET_LEVELS: dict[str, str] = {"1": "cet4", "2": "cet6"}
CET_LEVEL_CODES: dict[str, str] = {level: code for code, level in CET_LEVELS.items()}
#: CET score limits (maxima per part; parts add up to the total, rounding aside)
CET_MAX_TOTAL = 710
CET_MAX_LISTENING = 248.5
CET_MAX_READING = 248.5
CET_MAX_WRITING_TRANSLATION = 213.0
CET_CUSTOMARY_PASS = 425

#: award certificates (INVENTED layout): competition code -> competition name as printed
#: (the mathematics competition and ICPC/CCPC are their own types since issue 25: tools/credentials/math_competition.py,
#: icpc.py)
AWARD_COMPETITIONS: dict[str, str] = {
    "MCM": "全国大学生数学建模竞赛",
    "TZB": "挑战杯全国大学生课外学术科技作品竞赛",
    "LQB": "蓝桥杯全国软件和信息技术专业人才大赛",
    "IGEM": "国际遗传工程机器大赛",
}
AWARD_SCOPES: dict[str, str] = {"I": "international", "N": "national", "P": "provincial"}
AWARD_SCOPE_CODES: dict[str, str] = {scope: code for code, scope in AWARD_SCOPES.items()}
AWARD_LEVELS: dict[str, str] = {"1": "first", "2": "second", "3": "third", "G": "gold", "S": "silver", "B": "bronze"}
AWARD_LEVEL_CODES: dict[str, str] = {level: code for code, level in AWARD_LEVELS.items()}

#: accounting qualification (INVENTED layout): level digit -> qualification level
QUALIFICATION_LEVELS: dict[str, str] = {"1": "junior", "2": "intermediate"}
QUALIFICATION_LEVEL_CODES: dict[str, str] = {level: code for code, level in QUALIFICATION_LEVELS.items()}
QUALIFICATION_LEVEL_ZH: dict[str, str] = {"junior": "初级", "intermediate": "中级"}

#: earliest plausible year printed in a number (graduation and degree registration began long before the
#: electronic registry; older documents use other layouts we do not model)
EARLIEST_YEAR = 1980
LATEST_YEAR_AHEAD = 1  # numbers may carry next year's date for certificates issued in advance


# --------------------------------------------------------------------------------------------------
# The layout table
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    """One run of characters inside a number: its name, its width and a regular expression for it."""
    name: str
    width: int
    pattern: str


@dataclass(frozen=True)
class NumberLayout:
    kind: str
    variant: str
    segments: tuple[Segment, ...]
    note: str = ""

    @property
    def length(self) -> int:
        return sum(segment.width for segment in self.segments)

    @property
    def regex(self) -> re.Pattern[str]:
        return _compiled("".join(f"(?P<{s.name}>{s.pattern})" for s in self.segments))

    def match(self, number: str) -> dict[str, str] | None:
        found = self.regex.fullmatch(number)
        return found.groupdict() if found else None


def _seg(name: str, pattern: str) -> Segment:
    """A segment whose width is read from its pattern: \\d{5} -> 5, [A-Z] -> 1, [A-Z]{3,4} -> 3..4 (max kept)."""
    width = sum(int(m.group(2) or m.group(1)) if m.group(1) else 1
                for m in re.finditer(r"(?:\\d|\\w|\[[^\]]*\]|[0-9A-Z])(?:\{(\d+)(?:,(\d+))?\})?", pattern))
    return Segment(name, width, pattern)


def seg(name: str, pattern: str) -> Segment:
    return _seg(name, pattern)


class _Layouts(Mapping):
    """kind -> layouts: each credential type's own (its spec's `number_layouts`, tools/credentials), live."""

    def _table(self) -> dict[str, tuple[NumberLayout, ...]]:
        from credlift.tools.credentials import NUMBER_LAYOUTS as registered

        return registered

    def __getitem__(self, kind: str) -> tuple[NumberLayout, ...]:
        return self._table()[kind]

    def __iter__(self):
        return iter(self._table())

    def __len__(self) -> int:
        return len(self._table())


#: the number layouts of every registered credential type (declared in its module, tools/credentials/<type>.py)
NUMBER_LAYOUTS: Mapping[str, tuple[NumberLayout, ...]] = _Layouts()


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --------------------------------------------------------------------------------------------------
# Errors and parsed components
# --------------------------------------------------------------------------------------------------

class NumberFormatError(CredliftError, ValueError):
    """A credential number that does not follow its layout. `code` is stable (e.g. GRAD_NUMBER_LEVEL)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self):  # keep code and message when pickled (multiprocessing)
        return (type(self), (self.code, self.message))


@dataclass(frozen=True)
class GraduationNumber:
    number: str
    variant: str
    school_code: str
    schooling_type: str        # regular | adult | self_study | online
    year: int
    level_code: str
    level: str                 # doctorate | master | second_bachelor | bachelor | junior_college
    serial: str
    school_name: str | None = None   # from schools.csv when the code is listed


@dataclass(frozen=True)
class DegreeNumber:
    number: str
    variant: str
    unit_code: str
    level_code: str
    degree_level: str          # doctor | master | bachelor
    year: int
    serial: str
    variant_letter: str | None = None
    variant_kind: str | None = None     # double_degree | second_degree | self_study | professional
    prefix_letter: str | None = None
    school_name: str | None = None


@dataclass(frozen=True)
class CetReportNumber:
    number: str
    year: int
    sitting: str
    exam_month: int
    exam_session: str          # YYYY-MM
    level: str                 # cet4 | cet6
    site_code: str
    serial: str


@dataclass(frozen=True)
class CetAdmissionNumber:
    number: str
    site_code: str
    year: int
    exam_session: str
    level: str
    room: str
    seat: str


@dataclass(frozen=True)
class VocationalNumber:
    number: str
    issuer_kind: str           # employer | assessment_organisation
    assessor_code: str
    province_code: str
    province: str
    site_code: str
    year: int
    skill_level: str           # "1".."5", as in the number
    skill_level_name: str
    serial: str


@dataclass(frozen=True)
class AwardNumber:
    number: str
    competition_code: str
    competition: str
    year: int
    award_scope: str
    award_level: str
    serial: str


@dataclass(frozen=True)
class QualificationNumber:
    number: str
    province_code: str
    province: str
    year: int
    qualification_level: str   # junior | intermediate
    site_code: str
    serial: str


@dataclass(frozen=True)
class ResidentId:
    number: str
    area_code: str
    birth_date: date
    gender: str                # male | female
    province: str | None = field(default=None)


# --------------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------------

def normalise_number(text: str) -> str:
    """Strips spaces, dashes and full-width forms that OCR and people add; upper-cases letters."""
    text = text.translate(_FULLWIDTH).upper()
    return re.sub(r"[\s\-_.:：]", "", text)


_FULLWIDTH = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF21 + i: ord("A") + i for i in range(26)}


def _match_layouts(kind: str, number: str, code_prefix: str, label: str) -> tuple[NumberLayout, dict[str, str]]:
    layouts = NUMBER_LAYOUTS[kind]
    for layout in layouts:
        parts = layout.match(number)
        if parts is not None:
            return layout, parts
    lengths = sorted({layout.length for layout in layouts})
    if len(number) not in lengths:
        raise NumberFormatError(f"{code_prefix}_LENGTH",
                                f"A {label} has {' or '.join(map(str, lengths))} characters; this one has {len(number)}.")
    raise NumberFormatError(f"{code_prefix}_FORMAT", f"The {label} {number!r} does not follow any known layout.")


def _check_year(year: int, code_prefix: str, label: str, today: date | None = None) -> None:
    latest = (today or date.today()).year + LATEST_YEAR_AHEAD
    if not EARLIEST_YEAR <= year <= latest:
        raise NumberFormatError(f"{code_prefix}_YEAR", f"The year {year} in the {label} is not plausible.")


def _two_digit_year(yy: str) -> int:
    return 2000 + int(yy)


def parse_graduation_number(text: str, today: date | None = None) -> GraduationNumber:
    number = normalise_number(text)
    label = "graduation certificate number"
    layout, parts = _match_layouts("graduation", number, "GRAD_NUMBER", label)
    if parts["schooling_type"] not in SCHOOLING_TYPES:
        raise NumberFormatError("GRAD_NUMBER_SCHOOLING_TYPE",
                                f"Digit 6 of the {label} ({parts['schooling_type']}) is not a known type of schooling.")
    if parts["level_code"] not in GRADUATION_LEVELS:
        raise NumberFormatError("GRAD_NUMBER_LEVEL",
                                f"Digits 11-12 of the {label} ({parts['level_code']}) are not a known level.")
    year = int(parts["year"])
    _check_year(year, "GRAD_NUMBER", label, today)
    school = schools_by_code().get(parts["school_code"])
    return GraduationNumber(
        number=number, variant=layout.variant, school_code=parts["school_code"],
        schooling_type=SCHOOLING_TYPES[parts["schooling_type"]], year=year, level_code=parts["level_code"],
        level=GRADUATION_LEVELS[parts["level_code"]], serial=parts["serial"] + parts.get("check", ""),
        school_name=school.name if school else None,
    )


def parse_degree_number(text: str, today: date | None = None) -> DegreeNumber:
    number = normalise_number(text)
    label = "degree certificate number"
    layout, parts = _match_layouts("degree", number, "DEGREE_NUMBER", label)
    if parts["level_code"] not in DEGREE_LEVELS:
        raise NumberFormatError("DEGREE_NUMBER_LEVEL",
                                f"The level digit of the {label} ({parts['level_code']}) is not 2, 3 or 4.")
    year = int(parts["year"])
    _check_year(year, "DEGREE_NUMBER", label, today)
    letter = parts.get("variant_letter")
    if letter is None and layout.variant == "prefixed" and parts["serial"][0].isalpha():
        letter = parts["serial"][0]
    school = schools_by_code().get(parts["unit_code"])
    return DegreeNumber(
        number=number, variant=layout.variant, unit_code=parts["unit_code"], level_code=parts["level_code"],
        degree_level=DEGREE_LEVELS[parts["level_code"]], year=year, serial=parts["serial"],
        variant_letter=letter, variant_kind=DEGREE_VARIANT_LETTERS.get(letter, "professional") if letter else None,
        prefix_letter=parts.get("prefix_letter"), school_name=school.name if school else None,
    )


def parse_cet_report_number(text: str) -> CetReportNumber:
    number = normalise_number(text)
    label = "CET score report number"
    _, parts = _match_layouts("cet", number, "CET_NUMBER", label)
    if parts["sitting"] not in CET_SITTINGS:
        raise NumberFormatError("CET_NUMBER_SITTING",
                                f"Digit 3 of the {label} ({parts['sitting']}) must be 1 (June) or 2 (December).")
    if parts["level_code"] not in CET_LEVELS:
        raise NumberFormatError("CET_NUMBER_LEVEL",
                                f"Digit 4 of the {label} ({parts['level_code']}) must be 1 (CET-4) or 2 (CET-6).")
    year = _two_digit_year(parts["year"])
    month = CET_SITTINGS[parts["sitting"]]
    return CetReportNumber(
        number=number, year=year, sitting=parts["sitting"], exam_month=month, exam_session=f"{year:04d}-{month:02d}",
        level=CET_LEVELS[parts["level_code"]], site_code=parts["site_code"], serial=parts["serial"],
    )


def parse_cet_admission_number(text: str) -> CetAdmissionNumber:
    number = normalise_number(text)
    label = "CET admission number"
    _, parts = _match_layouts("cet_admission", number, "CET_ADMISSION", label)
    if parts["sitting"] not in CET_SITTINGS:
        raise NumberFormatError("CET_ADMISSION_SITTING", f"Digit 9 of the {label} must be 1 (June) or 2 (December).")
    if parts["level_code"] not in CET_LEVELS:
        raise NumberFormatError("CET_ADMISSION_LEVEL", f"Digit 10 of the {label} must be 1 (CET-4) or 2 (CET-6).")
    year = _two_digit_year(parts["year"])
    return CetAdmissionNumber(
        number=number, site_code=parts["site_code"], year=year,
        exam_session=f"{year:04d}-{CET_SITTINGS[parts['sitting']]:02d}", level=CET_LEVELS[parts["level_code"]],
        room=parts["room"], seat=parts["seat"],
    )


def parse_vocational_number(text: str) -> VocationalNumber:
    number = normalise_number(text)
    label = "vocational skill certificate number"
    _, parts = _match_layouts("vocational", number, "VOC_NUMBER", label)
    if parts["issuer_kind"] not in VOCATIONAL_ISSUER_KINDS:
        raise NumberFormatError("VOC_NUMBER_ISSUER", f"The {label} must start with Y or S, not {parts['issuer_kind']}.")
    if parts["province_code"] not in PROVINCE_CODES:
        raise NumberFormatError("VOC_NUMBER_PROVINCE",
                                f"Characters 6-7 of the {label} ({parts['province_code']}) are not a province code.")
    if parts["skill_level"] not in VOCATIONAL_LEVELS:
        raise NumberFormatError("VOC_NUMBER_LEVEL",
                                f"Character 16 of the {label} ({parts['skill_level']}) must be a skill level 1-5.")
    return VocationalNumber(
        number=number, issuer_kind=VOCATIONAL_ISSUER_KINDS[parts["issuer_kind"]], assessor_code=parts["assessor_code"],
        province_code=parts["province_code"], province=PROVINCE_CODES[parts["province_code"]],
        site_code=parts["site_code"], year=_two_digit_year(parts["year"]), skill_level=parts["skill_level"],
        skill_level_name=VOCATIONAL_LEVELS[parts["skill_level"]], serial=parts["serial"],
    )


def parse_award_number(text: str, today: date | None = None) -> AwardNumber:
    """INVENTED layout (see the module docstring)."""
    number = normalise_number(text)
    label = "award certificate number"
    _, parts = _match_layouts("award", number, "AWARD_NUMBER", label)
    if parts["competition_code"] not in AWARD_COMPETITIONS:
        raise NumberFormatError("AWARD_NUMBER_COMPETITION",
                                f"The {label} names an unknown competition code {parts['competition_code']}.")
    if parts["scope_code"] not in AWARD_SCOPES:
        raise NumberFormatError("AWARD_NUMBER_SCOPE", f"The scope letter of the {label} must be I, N or P.")
    if parts["level_code"] not in AWARD_LEVELS:
        raise NumberFormatError("AWARD_NUMBER_LEVEL", f"The award level of the {label} must be 1, 2, 3, G, S or B.")
    year = int(parts["year"])
    _check_year(year, "AWARD_NUMBER", label, today)
    return AwardNumber(
        number=number, competition_code=parts["competition_code"],
        competition=AWARD_COMPETITIONS[parts["competition_code"]], year=year,
        award_scope=AWARD_SCOPES[parts["scope_code"]], award_level=AWARD_LEVELS[parts["level_code"]],
        serial=parts["serial"],
    )


def parse_qualification_number(text: str, today: date | None = None) -> QualificationNumber:
    """INVENTED layout (see the module docstring)."""
    number = normalise_number(text)
    label = "qualification certificate number"
    _, parts = _match_layouts("qualification", number, "QUAL_NUMBER", label)
    if parts["province_code"] not in PROVINCE_CODES:
        raise NumberFormatError("QUAL_NUMBER_PROVINCE", f"The first two digits of the {label} are not a province code.")
    if parts["level_code"] not in QUALIFICATION_LEVELS:
        raise NumberFormatError("QUAL_NUMBER_LEVEL", f"Digit 7 of the {label} must be 1 (junior) or 2 (intermediate).")
    year = int(parts["year"])
    _check_year(year, "QUAL_NUMBER", label, today)
    return QualificationNumber(
        number=number, province_code=parts["province_code"], province=PROVINCE_CODES[parts["province_code"]],
        year=year, qualification_level=QUALIFICATION_LEVELS[parts["level_code"]], site_code=parts["site_code"],
        serial=parts["serial"],
    )


def parse_resident_id(text: str) -> ResidentId:
    """GB 11643-1999 via python-stdnum (check character, birth date, area code). Personal data: never log it."""
    number = normalise_number(text)
    try:
        number = ric.validate(number)
    except StdnumValidationError as error:
        code = {"InvalidLength": "ID_NUMBER_LENGTH", "InvalidFormat": "ID_NUMBER_FORMAT",
                "InvalidChecksum": "ID_NUMBER_CHECKSUM", "InvalidComponent": "ID_NUMBER_COMPONENT"}.get(
            type(error).__name__, "ID_NUMBER_FORMAT")
        raise NumberFormatError(code, f"The resident ID number is not valid ({error.message}).") from None
    except (KeyError, ValueError):  # python-stdnum's area table lacks some old county codes and raises KeyError
        raise NumberFormatError("ID_NUMBER_COMPONENT", "The resident ID number's area code is not in the national list.") from None
    return ResidentId(
        number=number, area_code=number[:6], birth_date=ric.get_birth_date(number),
        gender="male" if int(number[16]) % 2 == 1 else "female", province=PROVINCE_CODES.get(number[:2]),
    )


def parse_certificate_number(credential_type: str, text: str, today: date | None = None):
    """The certificate number of a credential type, parsed by that type's rule (its spec's `number_parser`)."""
    from credlift.tools.credentials import spec_for

    spec = spec_for(credential_type)
    if spec is None or not spec.number_parser:
        raise NumberFormatError("NUMBER_TYPE_UNKNOWN", f"No number rule for credential type {credential_type!r}.")
    return spec.parse_number(text, today=today)


# --------------------------------------------------------------------------------------------------
# Making numbers (the synthetic generator); every make_* result passes its parse_* counterpart
# --------------------------------------------------------------------------------------------------

def _digits(value: int | str, width: int, name: str) -> str:
    text = str(value)
    if not text.isdigit() or len(text) > width:
        raise NumberFormatError("MAKE_ARGUMENT", f"{name} must be at most {width} digits, got {value!r}.")
    return text.zfill(width)


def make_graduation_number(school_code: str, year: int, level: str, serial: int,
                           schooling_type: str = "regular") -> str:
    level_code = GRADUATION_LEVEL_CODES.get(level, level)
    type_code = SCHOOLING_TYPE_CODES.get(schooling_type, schooling_type)
    serial_width = 5 if year in (2001,) else 6
    number = (_digits(school_code, 5, "school_code") + type_code + _digits(year, 4, "year")
              + _digits(level_code, 2, "level") + _digits(serial, serial_width, "serial"))
    parse_graduation_number(number, today=date(max(year, 2000) + 1, 1, 1))
    return number


def make_degree_number(unit_code: str, year: int, degree_level: str, serial: int,
                       variant_letter: str | None = None, prefix_letter: str | None = None) -> str:
    level_code = DEGREE_LEVEL_CODES.get(degree_level, degree_level)
    body = _digits(unit_code, 5, "unit_code") + _digits(level_code, 1, "degree_level") + _digits(year, 4, "year")
    body += (variant_letter + _digits(serial, 5, "serial")) if variant_letter else _digits(serial, 6, "serial")
    number = (prefix_letter or "") + body
    parse_degree_number(number, today=date(year + 1, 1, 1))
    return number


def make_cet_report_number(year: int, month: int, level: str, site_code: str, serial: int) -> str:
    sitting = {m: s for s, m in CET_SITTINGS.items()}[month]
    number = (_digits(year % 100, 2, "year") + sitting + CET_LEVEL_CODES[level] + _digits(site_code, 6, "site_code")
              + _digits(serial, 5, "serial"))
    parse_cet_report_number(number)
    return number


def make_cet_admission_number(site_code: str, year: int, month: int, level: str, room: int, seat: int) -> str:
    sitting = {m: s for s, m in CET_SITTINGS.items()}[month]
    number = (_digits(site_code, 6, "site_code") + _digits(year % 100, 2, "year") + sitting + CET_LEVEL_CODES[level]
              + _digits(room, 3, "room") + _digits(seat, 2, "seat"))
    parse_cet_admission_number(number)
    return number


def make_vocational_number(issuer_kind: str, assessor_code: str, province_code: str, site_code: str,
                           year: int, skill_level: str, serial: int) -> str:
    letter = {v: k for k, v in VOCATIONAL_ISSUER_KINDS.items()}.get(issuer_kind, issuer_kind)
    number = (letter + _digits(assessor_code, 4, "assessor_code") + _digits(province_code, 2, "province_code")
              + _digits(site_code, 6, "site_code") + _digits(year % 100, 2, "year")
              + _digits(skill_level, 1, "skill_level") + _digits(serial, 6, "serial"))
    parse_vocational_number(number)
    return number


def make_award_number(competition_code: str, year: int, award_scope: str, award_level: str, serial: int) -> str:
    number = (competition_code + _digits(year, 4, "year") + AWARD_SCOPE_CODES.get(award_scope, award_scope)
              + AWARD_LEVEL_CODES.get(award_level, award_level) + _digits(serial, 5, "serial"))
    parse_award_number(number, today=date(year + 1, 1, 1))
    return number


def make_qualification_number(province_code: str, year: int, qualification_level: str, site_code: str,
                              serial: int) -> str:
    number = (_digits(province_code, 2, "province_code") + _digits(year, 4, "year")
              + QUALIFICATION_LEVEL_CODES.get(qualification_level, qualification_level)
              + _digits(site_code, 4, "site_code") + _digits(serial, 6, "serial"))
    parse_qualification_number(number, today=date(year + 1, 1, 1))
    return number


#: county-level area codes that python-stdnum's table knows for every birth year we generate (1970-2008);
#: a test checks each one, so a wrong entry fails loudly
RESIDENT_AREA_CODES: tuple[str, ...] = (
    "110101", "110102", "120101", "120102", "140121", "140122", "150122", "150222", "210224", "210321",
    "222401", "222402", "230722", "232721", "310101", "310104", "330122", "330127", "340121", "340421",
    "350121", "360121", "422822", "422823", "430121", "430321", "510121", "510321", "520203", "522323",
    "530124", "532322", "540121", "540122", "610323", "610324", "620121", "620122", "632221", "632222",
    "640121", "640122", "650121", "652323",
)


def make_resident_id(area_code: str, birth_date: date, sequence: int, gender: str | None = None) -> str:
    """A GB 11643 number; `gender` forces the parity of the sequence (odd male, even female)."""
    seq = sequence % 1000
    if gender == "male" and seq % 2 == 0:
        seq = (seq + 1) % 1000
    elif gender == "female" and seq % 2 == 1:
        seq = (seq + 1) % 1000
    body = _digits(area_code, 6, "area_code") + birth_date.strftime("%Y%m%d") + f"{seq:03d}"
    number = body + ric.calc_check_digit(body + "0")
    parse_resident_id(number)
    return number


# --------------------------------------------------------------------------------------------------
# Schools (MoE 全国普通高等学校名单, knowledge/reference/schools.csv)
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class School:
    code: str          # 5-digit national code used in certificate numbers
    identifier: str    # 10-digit 学校标识码
    name: str
    province: str
    city: str
    level: str         # 本科 | 专科
    authority: str
    private: bool


@lru_cache(maxsize=1)
def load_schools() -> tuple[School, ...]:
    from credlift.settings import reference_dir

    path = reference_dir() / "schools.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            School(code=row["code"], identifier=row["identifier"], name=row["name"], province=row["province"],
                   city=row["city"], level=row["level"], authority=row["authority"], private=row["private"] == "1")
            for row in csv.DictReader(handle)
        )


@lru_cache(maxsize=1)
def schools_by_code() -> dict[str, School]:
    return {school.code: school for school in load_schools()}


@lru_cache(maxsize=1)
def schools_by_name() -> dict[str, School]:
    return {school.name: school for school in load_schools()}
