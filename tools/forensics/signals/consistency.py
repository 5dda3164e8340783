"""Content consistency: what the page prints contradicts what the page itself encodes (a document-aware check).

A forger changes the value that matters (a total score, a level, a digit of a number) and leaves the rest as it
was: the parts no longer add up to the total, the level printed is not the level coded in the certificate number,
the year or school code in the number no longer fits the page, the report and admission numbers of a CET report name
different test sites, the ID number's check digit fails. The signal reads
the lines OCR found with the embedded layout parsers and runs the field validators on them; only findings that an
edit explains count. A field that could not be read, a number too short to parse (OCR drops digits), a date the
holder was too young for, the account's name: none of these says anything about the pixels, so none counts here
(the policy engine still weighs every finding).

Without OCR lines (the forensics evaluation of pixels alone, or a page OCR found nothing on) the signal abstains.
"""
from __future__ import annotations

from credlift.domain.authenticity import Box, SignalReport
from credlift.domain.credential import ValidationFinding
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.signals.base import boxes_map, page_record

#: validator findings an edited value explains: a printed value contradicts a code or sum elsewhere on the page
EDIT_FINDINGS = frozenset({
    "CET_PARTS_SUM", "CET_SCORE_RANGE", "CET_LEVEL_MISMATCH", "CET_SESSION_MISMATCH", "CET_ADMISSION_MISMATCH",
    "CET_SITE_MISMATCH", "LEVEL_MISMATCH", "SCHOOL_CODE_MISMATCH", "SCHOOL_CODE_CONTRADICTED", "YEAR_MISMATCH",
    "BIRTH_DATE_MISMATCH", "GENDER_MISMATCH", "ID_NUMBER_CHECKSUM", "ID_NUMBER_COMPONENT",
    "GRAD_NUMBER_LEVEL", "GRAD_NUMBER_SCHOOLING_TYPE", "DEGREE_NUMBER_LEVEL", "CET_NUMBER_LEVEL",
    "CET_NUMBER_SITTING", "CET_ADMISSION_LEVEL", "CET_ADMISSION_SITTING", "VOC_NUMBER_LEVEL", "VOC_NUMBER_PROVINCE",
    "VOC_NUMBER_ISSUER", "AWARD_NUMBER_LEVEL", "AWARD_NUMBER_SCOPE", "AWARD_NUMBER_COMPETITION", "AWARD_NUMBER_YEAR",
    "QUAL_NUMBER_LEVEL", "QUAL_NUMBER_PROVINCE",
})
#: a mismatch between a printed value and a code inside a number: either side may be the edited one
NUMBER_CODED = frozenset({"LEVEL_MISMATCH", "SCHOOL_CODE_MISMATCH", "SCHOOL_CODE_CONTRADICTED", "YEAR_MISMATCH",
                          "CET_LEVEL_MISMATCH", "CET_SESSION_MISMATCH", "CET_SITE_MISMATCH"})
#: findings on these fields would quote personal data in the summary staff and logs see
PERSONAL_FIELDS = frozenset({"birth_date", "gender", "id_number", "holder_name"})
ONE_CONTRADICTION = 0.85
TWO_CONTRADICTIONS = 0.95


class ConsistencySignal:
    name = "consistency"
    role = SignalRole(decisive_at=0.85, localiser=True, fallback=True, reads_text=True)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        if not ctx.ocr_lines:
            return SignalReport(name=self.name, score=0.0, summary="The page's text was not read, so it was not "
                                "checked against itself.", details={"checked": False})
        from credlift.tools.extraction.validators import validate_credential

        record, sources = page_record(ctx)
        findings = [f for f in validate_credential(record).findings
                    if f.severity == "error" and f.code in EDIT_FINDINGS]
        codes = sorted({f.code for f in findings})
        score = 0.0 if not codes else ONE_CONTRADICTION if len(codes) == 1 else TWO_CONTRADICTIONS
        lines = sorted({index for f in findings for index in _lines_of(f, sources)})
        boxes = [Box(x=int(b[0]), y=int(b[1]), w=int(b[2]), h=int(b[3])) for b in (ctx.ocr_lines[i].box for i in lines)]
        ctx.record_heatmap(self.name, boxes_map(ctx, boxes))
        if codes:
            summary = ("What the page prints contradicts what it encodes, as when a value was edited: "
                       + " ".join(_staff_sentence(f) for f in findings[:3]))
        else:
            summary = "The values printed agree with each other and with the codes in the document's numbers."
        return SignalReport(name=self.name, score=score, boxes=boxes, summary=summary,
                            details={"checked": True, "contradictions": len(codes), "codes": ",".join(codes),
                                     "credential_type": record.type})


def _staff_sentence(finding: ValidationFinding) -> str:
    """The validator's sentence, unless it would quote personal data (a birth date, gender or ID number)."""
    if finding.field == "id_number":
        return f"The ID number fails its own check digit or components ({finding.code}; value not shown)."
    if finding.field in PERSONAL_FIELDS:
        field = finding.field.replace("_", " ")
        return f"The printed {field} does not agree with the ID number ({finding.code}; values not shown)."
    return finding.message


def _lines_of(finding: ValidationFinding, sources: dict[str, int]) -> list[int]:
    """The OCR lines to look at: the field named (a total that the parts do not make is the edited side), and for a
    code inside a number, the number too (either side may have been edited)."""
    fields = {finding.field} if finding.field else set()
    if finding.code in NUMBER_CODED or finding.code.endswith(("_LEVEL", "_SITTING", "_YEAR", "_SCOPE", "_COMPETITION",
                                                               "_PROVINCE", "_ISSUER", "_SCHOOLING_TYPE")):
        fields.add("certificate_number")
    return [sources[name] for name in fields if name in sources]
