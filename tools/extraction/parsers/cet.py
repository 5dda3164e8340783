"""CET-4/6 score report (成绩报告单): holder, school, scores, exam session, report and admission numbers."""
from __future__ import annotations

import re

from credlift.tools.credential_numbers import parse_cet_report_number
from credlift.tools.extraction.normalise import parse_dates, parse_score
from credlift.tools.extraction.parsers.base import CredentialParser, PageLayout, ParsedCredential
from credlift.tools.extraction.parsers.common import (
    parse_or_none,
    STOP_LABELS,
    digits_of_length,
    read_holder,
    read_id_number,
    read_school,
)

_SCORE_LABELS = {
    "total_score": ("总分", "总成绩"),
    "listening": ("听力",),
    "reading": ("阅读",),
    "writing_translation": ("写作和翻译", "写作与翻译", "写作翻译", "写作"),
}
_ORAL_GRADE = re.compile(r"(?:^|等级|成绩)(A\+|A|B\+|B|C\+|C|D)$")


class CetParser(CredentialParser):
    credential_type = "cet4"

    def parse(self, page: PageLayout) -> ParsedCredential:
        parsed = ParsedCredential()
        read_holder(page, parsed)
        read_school(page, parsed)
        read_id_number(page, parsed)
        self._read_numbers(page, parsed)
        self._read_scores(page, parsed)
        self._read_session(page, parsed)
        found = page.value_after(("口试等级", "口试成绩", "等级"), lambda t: t if t in ("A+", "A", "B+", "B", "C+", "C", "D") else None, ())
        if found:
            parsed.set("oral_grade", found[0], found[1].confidence, found[1].index)
        return parsed

    def _read_numbers(self, page: PageLayout, parsed: ParsedCredential) -> None:
        accept15 = digits_of_length(15)
        report = page.value_after(("成绩报告单编号", "报告单编号", "报告编号", "证书编号", "编号"), accept15, ())
        if report:
            parsed.set("certificate_number", report[0], report[1].confidence, report[1].index)
        admission = page.value_after(("笔试准考证号", "准考证号"), accept15, ("口试",))
        if admission and admission[0] != parsed.get("certificate_number"):
            parsed.set("admission_number", admission[0], admission[1].confidence, admission[1].index)
        if parsed.get("certificate_number") is None:
            # an unlabelled 15-digit number whose layout is a report number
            for line in page.lines:
                candidate = accept15(line.text)
                if candidate and candidate != parsed.get("admission_number"):
                    if parse_or_none(parse_cet_report_number, candidate) is None:
                        continue
                    parsed.set("certificate_number", candidate, line.confidence * 0.9, line.index)
                    break

    def _read_scores(self, page: PageLayout, parsed: ParsedCredential) -> None:
        for key, labels in _SCORE_LABELS.items():
            found = page.value_after(labels, _accept_score, STOP_LABELS)
            if found:
                value = found[0]
                if key == "total_score":
                    value = int(round(value))
                parsed.set(key, value, found[1].confidence, found[1].index)

    def _read_session(self, page: PageLayout, parsed: ParsedCredential) -> None:
        found = page.value_after(("考试时间", "考试日期", "考次", "考试年月"), lambda t: (parse_dates(t) or [None])[0], ())
        session = found[0][:7] if found else None
        confidence = found[1].confidence if found else 0.0
        number = parsed.get("certificate_number")
        if number:
            report = parse_or_none(parse_cet_report_number, number)
            from_number = report.exam_session if report is not None else None
            if session is None and from_number:
                session, confidence = from_number, 0.8
        if session:
            parsed.set("exam_session", session, confidence, found[1].index if found else None)
            parsed.set("issue_date", session, confidence, found[1].index if found else None)


def _accept_score(text: str) -> float | int | None:
    if not re.match(r"^[0-9OolIS.．]+", text):
        return None
    return parse_score(text)


def level_from_number(number: str | None) -> str | None:
    """cet4 or cet6 as coded in the report number (digit 4)."""
    if not number:
        return None
    report = parse_or_none(parse_cet_report_number, number)
    return report.level if report is not None else None
