"""Tesseract (chi_sim) as a peer OCR engine: its words grouped into the same `OcrLine`s RapidOCR gives, so the
very same credential parsers read both."""
from __future__ import annotations

import re

import numpy as np

from credlift.domain.credential import OcrLine

CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")


def _join(words: list[str]) -> str:
    """Tesseract splits Chinese into single characters: no space between CJK neighbours, one between Latin words."""
    text = ""
    for word in words:
        if text and not (CJK.search(text[-1]) or CJK.search(word[0])):
            text += " "
        text += word
    return text


def tesseract_lines(rgb: np.ndarray, lang: str = "chi_sim") -> list[OcrLine]:
    import pytesseract

    data = pytesseract.image_to_data(rgb, lang=lang, output_type=pytesseract.Output.DICT)
    groups: dict[tuple[int, int, int], list[int]] = {}
    for i, word in enumerate(data["text"]):
        if word and word.strip() and float(data["conf"][i]) >= 0:
            groups.setdefault((data["block_num"][i], data["par_num"][i], data["line_num"][i]), []).append(i)
    lines: list[OcrLine] = []
    for indices in groups.values():
        left = min(data["left"][i] for i in indices)
        top = min(data["top"][i] for i in indices)
        right = max(data["left"][i] + data["width"][i] for i in indices)
        bottom = max(data["top"][i] + data["height"][i] for i in indices)
        confidence = float(np.mean([float(data["conf"][i]) for i in indices])) / 100.0
        lines.append(OcrLine(text=_join([data["text"][i].strip() for i in indices]),
                             box=(left, top, right - left, bottom - top),
                             polygon=[(left, top), (right, top), (right, bottom), (left, bottom)],
                             confidence=round(confidence, 4)))
    return sorted(lines, key=lambda line: (line.box[1], line.box[0]))
