"""The layout every credential parser reads: OCR lines placed on the upright page, and label -> value pairing.

A certificate prints a value either after its label on the same line (姓名：张三), in the next box to the right
on the same row (姓名 | 张三), or under it. `PageLayout.value_after` tries those in that order, using box
positions, so one parser per credential type only says which labels to look for and what a value looks like.
"""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from credlift.domain.credential import FieldValue, OcrLine
from credlift.tools.extraction.normalise import clean, strip_label_punctuation

_LABEL_SEPARATORS = ":：;；"


@dataclass(frozen=True)
class PlacedLine:
    """One OCR line, cleaned (half-width, no spaces), with its box on the upright page."""
    index: int
    text: str
    raw: str
    x: int
    y: int
    w: int
    h: int
    confidence: float

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    @property
    def centre_y(self) -> float:
        return self.y + self.h / 2.0

    def same_row(self, other: PlacedLine) -> bool:
        overlap = min(self.bottom, other.bottom) - max(self.y, other.y)
        return overlap > 0.5 * min(self.h, other.h)


@dataclass
class FieldReading:
    """A value read for one field, how sure the reading is, and where it came from."""
    value: FieldValue
    confidence: float
    line_index: int | None = None


@dataclass
class ParsedCredential:
    fields: dict[str, FieldReading] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list, metadata={"doc": "codes from extraction.messages.WARNINGS"})

    def set(self, key: str, value: FieldValue, confidence: float, line_index: int | None = None) -> None:
        if value is None or value == "":
            return
        self.fields[key] = FieldReading(value, round(max(0.0, min(1.0, confidence)), 3), line_index)

    def get(self, key: str) -> FieldValue:
        reading = self.fields.get(key)
        return reading.value if reading else None


class PageLayout:
    """OCR lines of one page in reading order, with helpers to find labelled values."""

    def __init__(self, lines: Iterable[OcrLine]):
        placed = []
        for index, line in enumerate(lines):
            x, y, w, h = line.upright_box or line.box
            text = clean(line.text)
            if text:
                placed.append(PlacedLine(index, text, line.text, x, y, w, h, float(line.confidence)))
        heights = sorted(line.h for line in placed) or [20]
        self.line_height = float(heights[len(heights) // 2])
        self.lines: list[PlacedLine] = _join_split_words(sorted(placed, key=lambda item: (item.centre_y, item.x)))

    @property
    def full_text(self) -> str:
        return "".join(line.text for line in self.lines)

    def rows(self) -> list[list[PlacedLine]]:
        """Lines grouped into visual rows, left to right."""
        rows: list[list[PlacedLine]] = []
        for line in self.lines:
            for row in rows:
                if line.same_row(row[0]):
                    row.append(line)
                    break
            else:
                rows.append([line])
        for row in rows:
            row.sort(key=lambda item: item.x)
        rows.sort(key=lambda row: min(item.centre_y for item in row))
        return rows

    def row_texts(self) -> list[str]:
        return ["".join(line.text for line in row) for row in self.rows()]

    def contains(self, *keywords: str) -> bool:
        text = self.full_text
        return any(keyword in text for keyword in keywords)

    def find_label(self, labels: Iterable[str]) -> list[tuple[PlacedLine, int, str]]:
        """(line, end of the label inside the line, label) for every line holding one of the labels.

        Labels are printed letter-spaced (姓      名); OCR sometimes reads a speck between the letters, so a
        two-letter label also matches with one stray character inside it when a colon follows.
        """
        found = []
        seen: set[int] = set()
        for label in labels:
            for line in self.lines:
                position = line.text.find(label)
                if position >= 0 and line.index not in seen:
                    found.append((line, position + len(label), label))
                    seen.add(line.index)
        for label in labels:
            if len(label) != 2:
                continue
            pattern = re.compile(re.escape(label[0]) + r"[^:：]" + re.escape(label[1]) + r"(?=[:：])")
            for line in self.lines:
                match = pattern.search(line.text)
                if match and line.index not in seen:
                    found.append((line, match.end(), label))
                    seen.add(line.index)
        return found

    def labelled_or_anywhere(self, labels: Iterable[str], accept: Callable[[str], str | None],
                             anywhere: Callable[[str], bool] = lambda candidate: True) -> tuple[str, PlacedLine] | None:
        """The value after a label; failing that, the first line anywhere on the page that `accept`s and passes
        `anywhere` (the stricter test a value needs when no label vouches for it)."""
        found = self.value_after(labels, accept, ())
        if found is not None:
            return found
        for line in self.lines:
            candidate = accept(line.text)
            if candidate and anywhere(candidate):
                return candidate, line
        return None

    def value_after(self, labels: Iterable[str], accept: Callable[[str], str | None] | None = None,
                    stop_labels: Iterable[str] = ()) -> tuple[str, PlacedLine] | None:
        """The value printed after a label: same line, then the next box on the row, then the box below."""
        accept = accept or _non_empty
        stops = tuple(stop_labels)
        for line, end, _ in self.find_label(labels):
            rest = _cut_at_stop(line.text[end:].lstrip(_LABEL_SEPARATORS), stops)
            value = accept(strip_label_punctuation(rest)) if rest else None
            if value:
                return value, line
            to_the_right = sorted((other for other in self.lines if other is not line and other.same_row(line)
                                   and other.x >= line.right - 0.5 * self.line_height), key=lambda other: other.x)
            for other in to_the_right[:2]:
                if ":" in other.text:  # another label's line, not this label's value
                    break
                value = accept(strip_label_punctuation(_cut_at_stop(other.text.lstrip(_LABEL_SEPARATORS), stops)))
                if value:
                    return value, other
                if _looks_like_label(other.text, stops):
                    break
            below = sorted((other for other in self.lines if other.y > line.centre_y
                            and other.y - line.bottom < 3.0 * self.line_height
                            and min(other.right, line.right) - max(other.x, line.x) > 0), key=lambda other: other.y)
            for other in below[:2]:  # a table header may carry a second (English) line above its value
                if ":" in other.text:
                    break
                value = accept(strip_label_punctuation(_cut_at_stop(other.text, stops)))
                if value:
                    return value, other
        return None

    def search(self, pattern: re.Pattern[str], texts: Iterable[PlacedLine] | None = None) -> tuple[re.Match[str], PlacedLine] | None:
        for line in texts or self.lines:
            match = pattern.search(line.text)
            if match:
                return match, line
        return None


def _join_split_words(lines: list[PlacedLine]) -> list[PlacedLine]:
    """Boxes on one row closer than a character's height are one word the detector split (姓 | 名：方建)."""
    joined: list[PlacedLine] = []
    for line in sorted(lines, key=lambda item: item.x):
        for index, left in enumerate(joined):
            if (left.same_row(line) and -0.8 * left.h < line.x - left.right < 0.8 * min(left.h, line.h)
                    and line.x > left.x + 0.5 * left.w):
                top, bottom = min(left.y, line.y), max(left.bottom, line.bottom)
                joined[index] = PlacedLine(left.index, left.text + line.text, left.raw + line.raw, left.x, top,
                                           max(left.right, line.right) - left.x, bottom - top,
                                           min(left.confidence, line.confidence))
                break
        else:
            joined.append(line)
    return sorted(joined, key=lambda item: (item.centre_y, item.x))


def _non_empty(text: str) -> str | None:
    return text or None


def _cut_at_stop(text: str, stops: tuple[str, ...]) -> str:
    """'张三性别:男' with stop '性别' -> '张三' (two labelled values printed on one line). A stop word counts only
    as a label, i.e. followed by a colon: '职业' inside a school name is not a label."""
    cut = len(text)
    for stop in stops:
        for match in re.finditer(re.escape(stop) + r"[:：]", text):
            if 0 < match.start() < cut:
                cut = match.start()
            break
    return text[:cut]


def _looks_like_label(text: str, stops: tuple[str, ...]) -> bool:
    return any(text.startswith(stop) for stop in stops) or text.endswith((":", "："))


class CredentialParser(ABC):
    """One credential type: which labels to look for and how its values look."""
    credential_type: str = "unknown"

    @abstractmethod
    def parse(self, page: PageLayout) -> ParsedCredential:
        """The fields this credential type prints, read from the page."""
