"""Graduation certificate (毕业证书): holder, school, level, major, study period, birth date, number."""
from __future__ import annotations

import re

from credlift.tools.credential_numbers import GRADUATION_LEVELS, parse_graduation_number
from credlift.tools.extraction.normalise import parse_dates
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (
    parse_or_none,
    NUMBER_LABELS,
    complete_birth_date_from_id,
    correct_school_by_code,
    digits_of_length,
    read_holder,
    read_id_number,
    number_year,
    read_issue_date,
    read_school,
)
from credlift.tools.extraction.parsers.prose import read_prose_person, read_major

# longest first: 第二学士学位 before 学士, 硕士研究生 before 研究生
_LEVEL_WORDS: tuple[tuple[str, str], ...] = (
    ("第二学士学位", "second_bachelor"), ("博士研究生", "doctorate"), ("硕士研究生", "master"), ("博士", "doctorate"),
    ("硕士", "master"), ("本科", "bachelor"), ("专科", "junior_college"), ("高职", "junior_college"), ("大专", "junior_college"),
)


class GraduationParser(CredentialParser):
    credential_type = "graduation"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        read_holder(page, parsed)
        read_prose_person(page, parsed)
        read_school(page, parsed, labels=("学校名称", "学校", "院校", "毕业学校"))
        read_id_number(page, parsed)
        read_major(page, parsed)
        complete_birth_date_from_id(parsed)
        self._read_level(page, parsed)
        self._read_study_period(page, parsed)
        self._read_number(page, parsed)
        if self._read_report(page, parsed):
            return parsed
        study_end = parsed.get("study_end")
        hint = int(str(study_end)[:4]) if study_end else number_year(parse_graduation_number, parsed.get("certificate_number"))
        read_issue_date(page, parsed, year_hint=hint)
        return parsed

    def _read_report(self, page: PageLayout, parsed: ParsedCredential) -> bool:
        """A CHSI online verification report (教育部学历证书电子注册备案表) of the record: its online verification
        code, and the graduation date it prints (毕（结）业日期) as the issue date and the end of study. False
        when the page is not one."""
        found = page.value_after(_CODE_LABELS, _verification_code, ())
        if found is None:
            return False
        parsed.set("verification_code", found[0], found[1].confidence, found[1].index)
        end = page.value_after(_GRADUATED_LABELS, lambda t: (parse_dates(t) or [None])[0], ())
        if end:
            parsed.set("issue_date", end[0], end[1].confidence, end[1].index)
            parsed.set("study_end", end[0][:7], end[1].confidence, end[1].index)
        return True

    def _read_level(self, page: PageLayout, parsed: ParsedCredential) -> None:
        found = page.value_after(("层次", "学历层次", "培养层次"), _level_word, ())
        if found:
            parsed.set("level", found[0], found[1].confidence, found[1].index)
            return
        for line in page.lines:
            text = _without_school_names(line.text)
            if "学制" in text or "学习" in text or "专业" in text:
                level = _level_word(text)
                if level:
                    parsed.set("level", level, line.confidence * 0.95, line.index)
                    return

    def _read_study_period(self, page: PageLayout, parsed: ParsedCredential) -> None:
        text = "".join(page.row_texts())
        match = re.search(r"于(.{4,16}?)至(.{4,16}?)(?:在|学习|就读|,)", text)
        if match:
            start, end = parse_dates(match.group(1)), parse_dates(match.group(2))
            if start:
                parsed.set("study_start", start[0][:7], 0.95)
            if end:
                parsed.set("study_end", end[0][:7], 0.95)
            return
        start = page.value_after(("入学时间", "入学日期", "入学"), lambda t: (parse_dates(t) or [None])[0], ())
        end = page.value_after(("毕业时间", "毕业日期"), lambda t: (parse_dates(t) or [None])[0], ())
        if start:
            parsed.set("study_start", start[0][:7], start[1].confidence, start[1].index)
        if end:
            parsed.set("study_end", end[0][:7], end[1].confidence, end[1].index)

    def _read_number(self, page: PageLayout, parsed: ParsedCredential) -> None:
        accept = digits_of_length(18, 17)
        found = page.labelled_or_anywhere(NUMBER_LABELS, accept, lambda candidate: candidate != parsed.get("id_number"))
        if found is None:
            return
        parsed.set("certificate_number", found[0], found[1].confidence, found[1].index)
        number = parse_or_none(parse_graduation_number, found[0])
        if number is None:
            return
        correct_school_by_code(parsed, number.school_code)
        if parsed.get("level") is None and number.level_code in GRADUATION_LEVELS:
            parsed.set("level", number.level, 0.8)


_CODE_LABELS = ("在线验证码", "验证码")
_GRADUATED_LABELS = ("毕（结）业日期", "毕(结)业日期", "毕结业日期", "毕（结)业日期", "毕(结）业日期")


def _verification_code(text: str) -> str | None:
    """16 letters and digits, as printed (OCR may space or hyphenate them)."""
    compact = re.sub(r"[\s\-—_·.]", "", text).upper()
    match = re.match(r"[A-Z0-9]{16}(?![A-Z0-9])", compact)
    return match.group(0) if match else None


def _level_word(text: str) -> str | None:
    for word, level in _LEVEL_WORDS:
        if word in text:
            return level
    return None


def _without_school_names(text: str) -> str:
    return re.sub(r"[\u4e00-\u9fff]*(?:专科学校|大学|学院)", "", text)
