"""Text normalisation for what OCR reads: full-width to half-width, dates to ISO, scores to numbers, digit fixes."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

_CHINESE_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "o": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
                   "六": 6, "七": 7, "八": 8, "九": 9, "两": 2}
# characters OCR reads in place of digits inside a field known to be numeric
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1",
                                   "Z": "2", "z": "2", "S": "5", "s": "5", "B": "8", "b": "6", "G": "6", "g": "9",
                                   "q": "9", "T": "7", "A": "4"})
_SPACES = re.compile(r"\s+")


def to_halfwidth(text: str) -> str:
    """Full-width letters, digits and punctuation to their ASCII forms (NFKC); ideographs unchanged."""
    text = unicodedata.normalize("NFKC", text)
    return text.replace("。", ".").replace("，", ",").replace("、", ",")


def clean(text: str) -> str:
    """Half-width, without spaces (OCR inserts spaces between CJK characters at random)."""
    return _SPACES.sub("", to_halfwidth(text))


def strip_label_punctuation(text: str) -> str:
    return text.strip(" :：;；,，.。·-_|'\"“”‘’()（）[]【】")


def fix_digits(text: str) -> str:
    """Digit look-alike letters mapped to digits, for a field that holds only digits."""
    return clean(text).translate(_DIGIT_LOOKALIKES)


def digits_in(text: str) -> str:
    return re.sub(r"\D", "", fix_digits(text))


def _chinese_number(text: str) -> int | None:
    """二〇二〇 -> 2020 (digit by digit), 十二 -> 12, 二十三 -> 23, 三十 -> 30."""
    if not text:
        return None
    if "十" in text:
        tens, _, ones = text.partition("十")
        tens_value = 1 if tens == "" else _CHINESE_DIGITS.get(tens)
        ones_value = 0 if ones == "" else _CHINESE_DIGITS.get(ones)
        if tens_value is None or ones_value is None:
            return None
        return tens_value * 10 + ones_value
    value = 0
    for character in text:
        digit = _CHINESE_DIGITS.get(character)
        if digit is None:
            if character.isdigit():
                digit = int(character)
            else:
                return None
        value = value * 10 + digit
    return value


_NUMERAL = r"[0-9〇○零一二三四五六七八九十两Oo]"
_DATE_PATTERNS = (
    re.compile(rf"(?P<y>{_NUMERAL}{{4}})\s*年\s*(?P<m>{_NUMERAL}{{1,3}})\s*月\s*(?:(?P<d>{_NUMERAL}{{1,3}})\s*日)?"),
    re.compile(r"(?P<y>(?:19|20)\d{2})\s*[-./]\s*(?P<m>\d{1,2})(?:\s*[-./]\s*(?P<d>\d{1,2}))?"),
    re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)"),
)


#: a speck OCR reads between the numerals of a date printed in Chinese (seal ink, a dot of the paper's pattern)
_SPECK_IN_NUMERALS = re.compile(r"(?<=[〇○零一二三四五六七八九十两年月])[A-NP-Za-np-z|!'`^~_=-]{1,2}(?=[〇○零一二三四五六七八九十两月日])")


def parse_dates(text: str) -> list[str]:
    """Every date in the text, as ISO strings (YYYY-MM-DD, or YYYY-MM when no day is written), in order."""
    text = _SPECK_IN_NUMERALS.sub("", clean(text))
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(start < match.end() and match.start() < end for start, end in taken):
                continue
            iso = _iso(match.group("y"), match.group("m"), match.groupdict().get("d"))
            if iso:
                found.append((match.start(), iso))
                taken.append((match.start(), match.end()))
    return [iso for _, iso in sorted(found)]


def parse_date(text: str) -> str | None:
    dates = parse_dates(text)
    return dates[0] if dates else None


def _iso(year_text: str, month_text: str, day_text: str | None) -> str | None:
    year, month = _chinese_number(year_text), _chinese_number(month_text)
    if year is None or month is None or not (1900 <= year <= 2100 and 1 <= month <= 12):
        return None
    if not day_text:
        return f"{year:04d}-{month:02d}"
    day = _chinese_number(day_text)
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return f"{year:04d}-{month:02d}"


def parse_score(text: str) -> int | float | None:
    """'532' -> 532, '180.5' -> 180.5, '１８０．５' -> 180.5; None when there is no number."""
    match = re.search(r"\d+(?:\.\d)?", fix_digits(text).replace(",", "."))
    if not match:
        return None
    value = float(match.group(0))
    return int(value) if value.is_integer() else value


def as_int(value: int | float | str | None) -> int | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(round(number))
