"""The embedded backend: RapidOCR lines -> credential type -> that type's layout parser -> CredentialRecord."""
from __future__ import annotations

import numpy as np

from credlift.domain.credential import CredentialRecord, OcrLine
from credlift.tools.credentials import KEY_FIELDS as CREDENTIAL_KEY_FIELDS
from credlift.tools.extraction.classify import TypeGuess, classify_page
from credlift.tools.extraction.messages import warning_text
from credlift.tools.extraction.parsers import PageLayout, parser_for
from credlift.tools.extraction.parsers.cet import level_from_number
from credlift.tools.extraction.preprocess import PhotoQuality, assess_quality

#: fields whose absence is worth telling the person about, per type (tools/credentials)
KEY_FIELDS = CREDENTIAL_KEY_FIELDS


class OcrBackend:
    name = "ocr"

    def extract(self, rgb: np.ndarray, lines: list[OcrLine] | None = None, quality: PhotoQuality | None = None,
                rotation_degrees: int = 0) -> CredentialRecord:
        if lines is None:
            from credlift.tools.extraction.ocr import read_page

            page_read = read_page(rgb)
            lines, quality, rotation_degrees = page_read.lines, page_read.quality, page_read.rotation_degrees
        else:
            rotation_degrees = rotation_degrees or rotation_from_lines(lines)
        quality = quality or assess_quality(rgb)
        return record_from_lines(lines, quality, rotation_degrees)


def rotation_from_lines(lines: list[OcrLine]) -> int:
    """How far the photo was turned, from lines read elsewhere (box in the photo vs box on the upright page)."""
    pairs = [(line.box, line.upright_box) for line in lines
             if line.upright_box and max(line.box[2], line.box[3]) > 2 * min(line.box[2], line.box[3])]
    if len(pairs) < 3:
        return 0
    swapped = sum((box[2] > box[3]) != (upright[2] > upright[3]) for box, upright in pairs)
    box_x = np.array([box[0] + box[2] / 2 for box, _ in pairs])
    box_y = np.array([box[1] + box[3] / 2 for box, _ in pairs])
    upright_y = np.array([upright[1] + upright[3] / 2 for _, upright in pairs])
    if np.ptp(upright_y) == 0:
        return 0
    if swapped > len(pairs) / 2:
        return 90 if np.corrcoef(box_x, upright_y)[0, 1] < 0 else 270
    return 180 if np.ptp(box_y) and np.corrcoef(box_y, upright_y)[0, 1] < -0.5 else 0


def record_from_lines(lines: list[OcrLine], quality: PhotoQuality | None = None, rotation_degrees: int = 0) -> CredentialRecord:
    return record_and_sources(lines, quality, rotation_degrees)[0]


def record_and_sources(lines: list[OcrLine], quality: PhotoQuality | None = None,
                       rotation_degrees: int = 0) -> tuple[CredentialRecord, dict[str, int]]:
    """The record, and for each field read the index (in `lines`) of the OCR line it was read from."""
    sources: dict[str, int] = {}
    page = PageLayout(lines)
    guess = classify_page(page)
    if guess.credential_type not in ("unknown", "other"):
        from credlift.tools.extraction.generic import named_by_title

        if named_by_title(page):  # a kind the taxonomy names, not one of the registered types
            guess = TypeGuess("other", guess.confidence, guess.scores)
    record = CredentialRecord(type=guess.credential_type, backend="ocr", type_confidence=guess.confidence,
                              text_lines=[line.raw for line in page.lines])
    parser = parser_for(guess.credential_type)
    if parser is None and guess.credential_type == "other":  # none of the registered types: the common schema
        from credlift.tools.extraction.generic import GenericParser

        parser = GenericParser()
    if parser is not None:
        parsed = parser.parse(page)
        for key, reading in parsed.fields.items():
            record.fields[key] = reading.value
            record.confidence[key] = reading.confidence
            if reading.line_index is not None:
                sources[key] = reading.line_index
        for code in parsed.warnings:
            _warn(record, code, warning_text(code))
        if record.type in ("cet4", "cet6"):
            # the level printed in the title can be hidden by glare; the report number codes it too
            coded = level_from_number(record.fields.get("certificate_number"))
            if coded and coded != record.type and not _title_says_level(page):
                record.type = coded
    if record.type == "other":
        from credlift.tools.extraction.generic import place_in_taxonomy

        place_in_taxonomy(record)
    _add_quality_warnings(record, quality, page, rotation_degrees)
    return record, sources


def _title_says_level(page: PageLayout) -> bool:
    text = page.full_text.upper()
    return any(word in text for word in ("四级", "六级", "CET-4", "CET-6", "CET4", "CET6"))


def _warn(record: CredentialRecord, code: str, sentence: str) -> None:
    if sentence not in record.warnings:
        record.warnings.append(sentence)
        record.warning_codes.append(code)


def _add_quality_warnings(record: CredentialRecord, quality: PhotoQuality | None, page: PageLayout,
                          rotation_degrees: int) -> None:
    problems = quality.problems if quality else []
    blurry = quality is not None and quality.blurry
    if "blank" in problems and not page.lines:
        _warn(record, "PHOTO_BLANK", warning_text("PHOTO_BLANK"))
        return
    if "too_small" in problems:
        _warn(record, "PHOTO_TOO_SMALL", warning_text("PHOTO_TOO_SMALL", width=quality.width, height=quality.height))
    if not page.lines:
        if blurry and quality.looks_like_paper:
            _warn(record, "PHOTO_TOO_BLURRY", warning_text("PHOTO_TOO_BLURRY"))
        else:
            _warn(record, "NO_TEXT", warning_text("NO_TEXT"))
        return
    if rotation_degrees:
        _warn(record, "PAGE_ROTATED", warning_text("PAGE_ROTATED", degrees=rotation_degrees))
    if record.type in ("other", "unknown"):
        if not record.fields.get("credential_kind"):  # an unknown credential placed in the taxonomy is one
            _warn(record, "NOT_A_CREDENTIAL", warning_text("NOT_A_CREDENTIAL"))
        return
    if blurry and not record.fields.get("certificate_number"):
        _warn(record, "PHOTO_BLURRY_NUMBER", warning_text("PHOTO_BLURRY_NUMBER"))
    elif blurry:
        _warn(record, "PHOTO_BLURRY", warning_text("PHOTO_BLURRY"))
    if "too_dark" in problems:
        _warn(record, "PHOTO_DARK", warning_text("PHOTO_DARK"))
    for key in KEY_FIELDS.get(record.type, ()):
        if record.fields.get(key) in (None, "") and not (blurry and key == "certificate_number"):
            _warn(record, "FIELD_MISSING", warning_text("FIELD_MISSING", field=key))
