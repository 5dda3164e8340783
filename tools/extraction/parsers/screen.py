"""Reading app pages (screenshots): a stat printed large above its caption, a value right-aligned on its row."""
from __future__ import annotations

import re
from datetime import date

from credlift.tools.extraction.parsers.base import PageLayout, PlacedLine

_NUMBER = re.compile(r"[¥￥]?\s*(\d[\d,，]*(?:[.．]\d+)?)\s*(万|w|W)?")


def number_of(text: str, integer: bool = False) -> float | int | None:
    """'12,345' -> 12345; '1.2万' -> 12000; '¥6,832.50' -> 6832.5; None when no number."""
    text = text.replace("O", "0").replace("o", "0").replace("l", "1").replace("I", "1")
    match = _NUMBER.search(text)
    if not match:
        return None
    value = float(match.group(1).replace(",", "").replace("，", "").replace("．", "."))
    if match.group(2):
        value *= 10_000
    return int(round(value)) if integer else round(value, 2)


def stat_above(page: PageLayout, captions: tuple[str, ...]) -> PlacedLine | None:
    """The value printed above a caption in its column (a stat cell: the number large, its caption under it)."""
    for line, _, _ in page.find_label(captions):
        centre = line.x + line.w / 2
        above = [other for other in page.lines if other.bottom <= line.y + 0.3 * line.h
                 and line.y - other.bottom < 3.0 * max(line.h, other.h)
                 and other.x <= centre <= other.right + 0.25 * other.h and any(ch.isdigit() for ch in other.text)]
        if above:
            return max(above, key=lambda other: other.bottom)
        own = line.text.replace(next(c for c in captions if c in line.text), "")
        if any(ch.isdigit() for ch in own):  # caption and value read as one line
            return line
    return None


def row_value(page: PageLayout, captions: tuple[str, ...]) -> PlacedLine | None:
    """The value on a caption's row (right-aligned in a list), or the caption's own line when read together."""
    for line, end, _ in page.find_label(captions):
        if line.text[end:].strip("：: "):
            return PlacedLine(line.index, line.text[end:].strip("：: "), line.raw, line.x, line.y, line.w, line.h,
                              line.confidence)
        right = sorted((other for other in page.lines if other is not line and other.same_row(line)
                        and other.x > line.x), key=lambda other: other.x)
        if right:
            return right[-1]
    return None


def screen_date(text: str) -> str | None:
    """'2023-05-12', '2023年05月12日', '2023.05.12' -> ISO; None otherwise."""
    match = re.search(r"(20\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})", text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3))).isoformat()
    except ValueError:
        return None
