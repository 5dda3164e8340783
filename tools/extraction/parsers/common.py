"""Fields most certificates print (holder, ID number, school, dates) and how to recognise their values."""
from __future__ import annotations

import difflib
import re
from functools import lru_cache

from credlift.tools.credential_numbers import (NumberFormatError, load_schools, normalise_number, parse_resident_id,
                                               schools_by_code, schools_by_name)
from credlift.tools.extraction.normalise import clean, fix_digits, parse_dates
from credlift.tools.extraction.parsers.base import PageLayout, ParsedCredential, PlacedLine

NAME_LABELS = ("姓名", "持证人", "Name")
ID_LABELS = ("身份证号码", "身份证件号码", "身份证号", "证件号码", "公民身份号码", "身份证")
SCHOOL_LABELS = ("学校名称", "学校", "院校", "就读学校", "所在学校", "毕业学校", "学位授予单位", "授予单位")
NUMBER_LABELS = ("证书编号", "编号", "证号", "管理号")
DATE_LABELS = ("发证日期", "发证时间", "签发日期", "颁发日期", "批准日期", "获证日期", "日期")

#: labels that end the value of a previous label printed on the same line
STOP_LABELS = ("性别", "出生", "民族", "身份证", "证件号码", "学校", "院系", "专业", "编号", "准考证号", "日期", "级别",
               "等级", "职业", "总分", "听力", "阅读", "写作", "考试时间", "姓名", "发证", "批准", "签发", "工种")

_NAME_CHARACTERS = re.compile(r"^[\u4e00-\u9fff·]{2,5}$")
_ID_NUMBER = re.compile(r"(?<![0-9])\d{17}[0-9X](?![0-9X])")
_SCHOOL_SUFFIX = re.compile(r"[\u4e00-\u9fff()（）]{2,30}?(?:大学|学院|学校|分校)(?:[（(][\u4e00-\u9fff]{2,4}[)）])?")


def accept_name(text: str) -> str | None:
    text = re.sub(r"[—–‐\-ー]", "一", text)  # OCR reads the character 一 (yī) as a dash
    text = re.sub(r"^(?:姓名|持证人|同学|学生)", "", text)
    text = re.sub(r"(?:同学|同志|先生|女士)$", "", text)
    return text if _NAME_CHARACTERS.match(text) else None


def accept_id_number(text: str) -> str | None:
    text = fix_digits(text).upper().replace("*", "")
    match = _ID_NUMBER.search(text)
    return match.group(0) if match else None


def accept_school(text: str) -> str | None:
    """A school name in the text; where words precede it (张三同学（北京大学）), the longest listed name wins."""
    text = clean(text).replace("(", "（").replace(")", "）")
    match = _SCHOOL_SUFFIX.search(text)
    if not match:
        return None
    listed = schools_by_name()
    # the longest listed name in the text: 南京邮电大学通达学院 rather than 南京邮电大学
    ends = [m.end() for m in re.finditer(r"(?:大学|学院|学校|分校)(?:（[\u4e00-\u9fff]{2,4}）)?", text)]
    best = max((text[start:end] for end in ends for start in range(max(0, end - 30), end - 3)
                if text[start:end] in listed), key=len, default=None)
    if best:
        return best
    candidate = match.group(0)
    for marker in ("（", "同学", "学生", ":"):
        if marker in candidate[:-2]:
            candidate = candidate.split(marker)[-1] or candidate
    return candidate


def digits_of_length(*lengths: int):
    """An acceptor for a number of one of these many digits (look-alike letters fixed first)."""
    def accept(text: str) -> str | None:
        compact = re.sub(r"[^0-9]", "", fix_digits(text))
        return compact if len(compact) in lengths else None
    return accept


def pattern_acceptor(pattern: re.Pattern[str], fix=None):
    def accept(text: str) -> str | None:
        candidate = normalise_number(fix(text) if fix else clean(text))
        match = pattern.search(candidate)
        return match.group(0) if match else None
    return accept


def read_holder(page: PageLayout, parsed: ParsedCredential) -> None:
    found = page.value_after(NAME_LABELS, accept_name, STOP_LABELS)
    if found:
        parsed.set("holder_name", found[0], found[1].confidence, found[1].index)


_ADDRESSED = re.compile(r"(?:授予|^)([\u4e00-\u9fff·]{2,5}?)(?:同学|同志)")


def read_addressed_holder(page: PageLayout, parsed: ParsedCredential) -> None:
    """The holder of a certificate written as a sentence: labelled (姓名：), else the one it addresses (张三同学：)."""
    read_holder(page, parsed)
    if parsed.get("holder_name") is not None:
        return
    for row in page.row_texts():
        match = _ADDRESSED.search(row)
        if match:
            parsed.set("holder_name", match.group(1), 0.9)
            return


def read_id_number(page: PageLayout, parsed: ParsedCredential) -> None:
    # unlabelled, only a number that passes GB 11643: an 18-digit graduation certificate number is not an ID number
    found = page.labelled_or_anywhere(ID_LABELS, accept_id_number, _is_valid_resident_id)
    if found:
        parsed.set("id_number", found[0], found[1].confidence, found[1].index)


def read_school(page: PageLayout, parsed: ParsedCredential, labels=SCHOOL_LABELS) -> None:
    found = page.value_after(labels, accept_school, STOP_LABELS)
    if found is None:
        for line in page.lines:
            value = accept_school(line.text)
            # an unlabelled school name counts only when it is on the Ministry's list (not a title's 全国大学…)
            if value and snap_school(value)[1] >= 0.9:
                found = (value, line)
                break
    if found:
        name, confidence = snap_school(found[0])
        parsed.set("school", name, found[1].confidence * confidence, found[1].index)


def read_labelled_date(page: PageLayout, parsed: ParsedCredential, key: str, labels=DATE_LABELS) -> bool:
    found = page.value_after(labels, lambda text: (parse_dates(text) or [None])[0], ())
    if found:
        parsed.set(key, found[0], found[1].confidence, found[1].index)
        return True
    return False


def read_validity(page: PageLayout, parsed: ParsedCredential, labels=("有效期限", "有效期至", "有效期")) -> None:
    """有效期限 2023年05月01日至2029年04月30日 -> valid_from, valid_until (the end may wrap to the next line);
    有效期至 2026年08月31日 -> valid_until."""
    for line, end, _ in page.find_label(labels):
        position = page.lines.index(line)
        following = page.lines[position + 1:position + 2]
        text = line.text[end:] if end < len(line.text) else ""
        dates = parse_dates(text)
        if not dates and following:  # the value printed below the label
            text, line = following[0].text, following[0]
            dates = parse_dates(text)
        if len(dates) == 1 and text.rstrip().endswith(("至", "-", "—", "~")) and following:
            dates += parse_dates(following[0].text)[:1]  # 2023年05月01日至 / 2029年04月30日
        if len(dates) >= 2:
            parsed.set("valid_from", dates[0], line.confidence, line.index)
            parsed.set("valid_until", dates[1], line.confidence, line.index)
            return
        if len(dates) == 1:  # the end alone (有效期至 ...), or the start when 至 follows it
            until = "至" in line.text[:line.text.find(dates[0][:4])] or "至" in text.split(dates[0][:4])[0]
            parsed.set("valid_until" if until or "至" not in text else "valid_from", dates[0], line.confidence * 0.95,
                       line.index)
            return


def last_date(page: PageLayout) -> tuple[str, PlacedLine] | None:
    """The date printed lowest on the page (where certificates put the issue date), never one from the body text
    higher up (a study period, a birth date)."""
    if not page.lines:
        return None
    top, bottom = min(line.y for line in page.lines), max(line.bottom for line in page.lines)
    for line in reversed(page.lines):
        if line.y < top + 0.5 * (bottom - top):
            break
        dates = parse_dates(line.text)
        if (not dates or len(dates[-1]) < 10) and "年" in line.text:  # the rest of it in the next box on the row?
            joined = _with_next_on_row(page, line)
            whole = parse_dates(joined) if joined else []
            if whole and len(whole[-1]) == 10:
                dates = whole
        if dates and not line.text.endswith("生"):
            return dates[-1], line
    return None


def _with_next_on_row(page: PageLayout, line: PlacedLine) -> str | None:
    """The line's text and the next box to its right on its row (a date the detector cut in two, 二〇二三年六月 |
    十二日), when that box starts within two characters of it."""
    following = [other for other in page.lines if other is not line and other.same_row(line)
                 and line.right - 0.5 * line.h <= other.x <= line.right + 2.0 * max(line.h, other.h)]
    if not following:
        return None
    return line.text + min(following, key=lambda other: other.x).text


#: a date whose year OCR garbled (二〇 for 二〇二〇, 二O年二 for 二O二二: a stray 年 in place of a numeral)
_BROKEN_YEAR_DATE = re.compile(r"^(?P<y>[^月日]{0,5}?)年(?P<m>[0-9一二三四五六七八九十]{1,3})月(?P<d>[0-9一二三四五六七八九十]{1,3})日$")


def read_issue_date(page: PageLayout, parsed: ParsedCredential, labels=DATE_LABELS, year_hint: int | None = None) -> None:
    """The issue date: labelled, else the lowest date on the page. A year that OCR garbled (二〇二〇 read as 二〇,
    a common failure on Chinese numerals) is taken from `year_hint` (the year coded in the number or the end of
    study), with lower confidence, when the month and day are legible."""
    if read_labelled_date(page, parsed, "issue_date", labels):
        return
    found = last_date(page)
    if found:
        parsed.set("issue_date", found[0], found[1].confidence * 0.95, found[1].index)
        return
    if year_hint is None:
        return
    top, bottom = min(line.y for line in page.lines), max(line.bottom for line in page.lines)
    for line in reversed(page.lines):
        if line.y < top + 0.5 * (bottom - top):
            break
        match = _BROKEN_YEAR_DATE.match(line.text)
        if match and _could_be_year(match.group("y"), year_hint):
            completed = parse_dates(f"{year_hint}年{match.group('m')}月{match.group('d')}日")
            if completed and len(completed[0]) == 10:
                parsed.set("issue_date", completed[0], 0.6, line.index)
            return


_YEAR_NUMERALS = str.maketrans("〇○O零一二三四五六七八九", "0000123456789")


def _could_be_year(garbled: str, year: int) -> bool:
    """Whether a garbled year can be `year`: its legible numerals are the year's digits in order (二O年二 for
    2022), or too few are left to say otherwise (六五 for 二〇二五: two numerals read as others, two lost). Only a
    year that still reads whole as another (二〇一九年年 against 2024) is not taken from the number."""
    legible = [character for character in garbled.translate(_YEAR_NUMERALS) if character.isdigit()]
    digits = iter(str(year))
    return len(legible) < 3 or all(character in digits for character in legible)


@lru_cache(maxsize=1)
def _school_names_by_length() -> dict[int, list[str]]:
    by_length: dict[int, list[str]] = {}
    for school in load_schools():
        by_length.setdefault(len(school.name), []).append(school.name)
    return by_length


def snap_school(text: str, cutoff: float = 0.8) -> tuple[str, float]:
    """The listed school name nearest to what OCR read (one or two wrong characters), with a confidence factor."""
    text = clean(text).replace("(", "（").replace(")", "）")
    if text in schools_by_name():
        return text, 1.0
    by_length = _school_names_by_length()
    candidates = [name for length in range(len(text) - 2, len(text) + 3) for name in by_length.get(length, [])]
    best = difflib.get_close_matches(text, candidates, n=1, cutoff=cutoff)
    if best:
        return best[0], 0.9
    return text, 0.7


def correct_school_by_code(parsed: ParsedCredential, school_code: str | None) -> None:
    """The school name checked (and corrected, or filled in) from the national code inside the number."""
    if not school_code:
        return
    listed = schools_by_code().get(school_code)
    if listed is None:
        return
    read = parsed.fields.get("school")
    if read is None:
        parsed.set("school", listed.name, 0.75)
        parsed.warnings.append("SCHOOL_FROM_CODE")
        return
    if read.value == listed.name:
        read.confidence = min(1.0, read.confidence + 0.05)
        return
    similarity = difflib.SequenceMatcher(None, str(read.value), listed.name).ratio()
    if similarity >= 0.6:
        parsed.set("school", listed.name, min(read.confidence, 0.9), read.line_index)
    # a very different name is left as read: the validators report the mismatch


_ISSUER_WORDS = re.compile(r"(?:部|厅|局|委员会|学会|协会|中心|公司|集团|大学|学院|组委会|研究会|基金会)$")


def read_signing_issuer(page: PageLayout, parsed: ParsedCredential, known: tuple[str, ...] = ()) -> None:
    """The body that signs the certificate: printed without a label above the date at the bottom, under its seal.
    A reading one or two characters off a `known` issuer's name (seal ink over it) is snapped to that name, even
    when the garbled characters are the ones that say what kind of body it is (河南中医药关学)."""
    if parsed.get("issuer") is not None or not page.lines:
        return
    bottom = max(line.bottom for line in page.lines)
    top = min(line.y for line in page.lines)
    by_key = {clean(known_name): known_name for known_name in known}
    candidates = [line for line in page.lines
                  if line.y > top + 0.55 * (bottom - top) and not re.search(r"[0-9:]", line.text)
                  and re.fullmatch(r"[\u4e00-\u9fffA-Za-z()（）·\-]{4,30}", line.text)
                  and (_ISSUER_WORDS.search(line.text) or difflib.get_close_matches(line.text, list(by_key), n=1, cutoff=0.8))]
    if candidates:
        issuer = max(candidates, key=lambda line: line.y)
        name, confidence = issuer.text, issuer.confidence * 0.95
        close = difflib.get_close_matches(clean(name), list(by_key), n=1, cutoff=0.8)
        if close:
            name, confidence = by_key[close[0]], confidence * (1.0 if clean(name) == close[0] else 0.9)
        parsed.set("issuer", name, confidence, issuer.index)


def complete_birth_date_from_id(parsed: ParsedCredential) -> None:
    """A birth date printed to the month only, completed from the ID number when the two agree."""
    birth, id_number = parsed.get("birth_date"), parsed.get("id_number")
    if not birth or not id_number or len(str(birth)) != 7:
        return
    resident = parse_or_none(parse_resident_id, id_number)
    if resident is None:
        return
    born = resident.birth_date.isoformat()
    if born.startswith(str(birth)):
        reading = parsed.fields["birth_date"]
        parsed.set("birth_date", born, reading.confidence * 0.95, reading.line_index)


def parse_or_none(parse, text):
    """`parse(text)` for a credential or ID number, or None when the text is not such a number."""
    try:
        return parse(str(text))
    except NumberFormatError:
        return None


def number_year(parse, number) -> int | None:
    """The year coded in a certificate number, or None when the number does not parse."""
    parsed = parse_or_none(parse, number) if number else None
    return int(parsed.year) if parsed is not None else None


def _is_valid_resident_id(candidate: str) -> bool:
    return parse_or_none(parse_resident_id, candidate) is not None
