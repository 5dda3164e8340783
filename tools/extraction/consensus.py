"""OCR as a second opinion on a vision model's reading: fields that disagree lose confidence and are named."""
from __future__ import annotations

from credlift.domain.applicant import mask_id_number
from credlift.domain.credential import CredentialRecord, FieldValue
from credlift.tools.extraction.messages import warning_text
from credlift.tools.extraction.normalise import clean

#: how much confidence a field keeps when the second opinion reads it differently
DISAGREEMENT_FACTOR = 0.5
#: agreement of two independent readers is stronger evidence than either alone
AGREEMENT_BONUS = 0.05


def with_second_opinion(primary: CredentialRecord, second: CredentialRecord) -> CredentialRecord:
    """The primary record, its confidences adjusted by the second reading; missing fields filled from it."""
    merged = primary.model_copy(deep=True)
    merged.backend = f"{primary.backend}+{second.backend}"
    merged.text_lines = second.text_lines or primary.text_lines
    if second.type not in ("other", "unknown") and primary.type != second.type:
        merged.type_confidence = round(primary.type_confidence * DISAGREEMENT_FACTOR, 3)
        _warn(merged, "SECOND_OPINION_TYPE", warning_text("SECOND_OPINION_TYPE", primary=primary.type, ocr=second.type))
        return merged
    for key, value in primary.fields.items():
        other = second.fields.get(key)
        if other in (None, ""):
            continue
        if _same(value, other):
            merged.confidence[key] = round(min(1.0, primary.confidence.get(key, 0.9) + AGREEMENT_BONUS), 3)
        else:
            merged.confidence[key] = round(primary.confidence.get(key, 0.9) * DISAGREEMENT_FACTOR, 3)
            _warn(merged, "SECOND_OPINION_DISAGREES", warning_text(
                "SECOND_OPINION_DISAGREES", field=key, primary=_shown(key, value), ocr=_shown(key, other)))
    for key, value in second.fields.items():
        if key not in merged.fields and value not in (None, ""):
            merged.fields[key] = value
            merged.confidence[key] = round(second.confidence.get(key, 0.8) * 0.9, 3)
    for sentence, code in zip(second.warnings, second.warning_codes):
        if code.startswith("PHOTO_") or code in ("NO_TEXT", "PAGE_ROTATED"):
            _warn(merged, code, sentence)
    return merged


def disagreeing_fields(record: CredentialRecord) -> list[str]:
    return [code for code in record.warning_codes if code == "SECOND_OPINION_DISAGREES"]


def _same(left: FieldValue, right: FieldValue) -> bool:
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return abs(float(left) - float(right)) < 0.01
    return clean(str(left)).upper() == clean(str(right)).upper()


def _shown(key: str, value: FieldValue) -> str:
    return mask_id_number(str(value)) if key == "id_number" else str(value)


def _warn(record: CredentialRecord, code: str, sentence: str) -> None:
    if sentence not in record.warnings:
        record.warnings.append(sentence)
        record.warning_codes.append(code)
