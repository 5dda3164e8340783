"""Rendering consistency of a phone screenshot (an app's page: a rider profile, a creator's account page).

An app draws every number with one text engine, in a few type styles, on a layout grid: numbers of one style share
their digit height, stroke and ink; numbers on one row share their baseline; every number's left edge, centre or
right edge lines up with another text on the page (its caption, the values above and below it). Someone who edits a
screenshot paints over a number and types another with an image editor: close, but rarely the same size to the
pixel, on the same baseline, in the same weight, or placed on the app's grid. None of this depends on compression:
the measures are geometric (ink boxes, stroke width from area and outline) and hold on PNGs and JPEGs alike
(`tests/forensics/test_forensics_screen_render.py` compares edited and untouched pages saved through the same chain).

For each text the page's OCR found holding digits (outside the status bar), the signal finds its ink inside the OCR
box and measures its digit height, baseline, edges and stroke-to-height ratio; then, against its peers:
- size: the relative height difference to the nearest-sized number on its row or in its column,
- baseline: the offset, in digit heights, to the numbers on its row,
- grid: the distance, in digit heights, from its left, centre or right edge to the nearest such edge of any other
  text within a few lines above or below (the layout grid),
- stroke: the relative stroke difference to numbers of its height (another font or weight).
The worst text's deviations, each over its own tolerance, make the measure; at the cut (set on generated honest
screenshots, `CUT`) the finding is decisive evidence and the number is marked on the staff map.

It also reports the status bar (the system clock's digit height against the width: the UI scale) as detail.
Abstains (score 0) on pages that are no phone screenshot (not tall and narrow, no flat app background) or without
OCR lines.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from credlift.domain.authenticity import Box, SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole, an_app_page, boxes_map, reported_score

# a phone screenshot: height at least this many times the width, and this share of the page one flat colour
MIN_ASPECT = 1.6
MIN_FLAT_SHARE = 0.35
STATUS_BAR_SHARE = 0.045  # the top of the page the system draws (clock, battery)
# peers: on one row when their centres lie within ROW_REACH digit heights; in one column when within COLUMN_REACH
# digit heights above or below; of one style when their heights differ by less than SAME_STYLE
ROW_REACH = 0.6
COLUMN_REACH = 10.0
SAME_STYLE = 0.3
# what an honest render varies by: a pixel of anti-aliasing (SLACK_PX, 1.5 on edges), then a share of the height
SLACK_PX = 1.0
TOLERANCE = {"size": 0.035, "baseline": 0.05, "grid": 0.07, "stroke": 0.12}
# the worst deviation over its tolerance at which an edit is decisive (honest generated screenshots: at most 0.9 on
# the calibration set, see tests) and where the score tops out
CUT = 1.5
TOP = 4.0
MIN_DIGIT_PX = 8


@dataclass(frozen=True)
class InkText:
    """One text's ink on the page: box (x, y, w, h of the ink), its digit height and baseline, stroke / height, and
    whether it holds digits."""
    x: int
    y: int
    w: int
    h: int
    digit_top: float
    baseline: float
    stroke: float
    numeric: bool

    @property
    def digit_height(self) -> float:
        return max(1.0, self.baseline - self.digit_top)

    @property
    def edges(self) -> tuple[float, float, float]:
        return (self.x, self.x + self.w / 2.0, self.x + self.w)


def looks_like_screenshot(gray: np.ndarray) -> bool:
    """Tall and narrow, with a large share of one flat colour (an app's background or card)."""
    h, w = gray.shape
    if h < MIN_ASPECT * w:
        return False
    small = cv2.resize(gray, (max(1, w // 4), max(1, h // 4)), interpolation=cv2.INTER_NEAREST)
    counts = np.bincount((small // 4).ravel(), minlength=64)
    return float(counts.max()) / small.size >= MIN_FLAT_SHARE


def ink_text(gray: np.ndarray, box: tuple[int, int, int, int], numeric: bool) -> InkText | None:
    """The ink inside an OCR box (a little grown): Otsu split, the minority side is ink; digit-sized components
    give the digit top and the baseline (medians), all components the edges."""
    x, y, w, h = (int(v) for v in box)
    pad = max(2, int(0.15 * h))
    H, W = gray.shape
    x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(W, x + w + pad), min(H, y + h + pad)
    crop = gray[y0:y1, x0:x1]
    if crop.size == 0 or int(crop.max()) - int(crop.min()) < 40:
        return None
    _, split = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    ink = split == 0 if (split == 0).mean() < 0.5 else split > 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    comps = stats[1:]
    comps = comps[comps[:, 4] >= 3]
    if len(comps) == 0:
        return None
    # components touching the grown border belong to neighbours (a card's edge, the next line)
    inside = (comps[:, 0] > 0) & (comps[:, 1] > 0) & (comps[:, 0] + comps[:, 2] < crop.shape[1]) & \
             (comps[:, 1] + comps[:, 3] < crop.shape[0])
    comps = comps[inside]
    if len(comps) == 0:
        return None
    tall = comps[comps[:, 3] >= 0.6 * comps[:, 3].max()]
    narrow = tall[tall[:, 2] < 0.8 * tall[:, 3]]  # digits are narrow; a CJK character (万, 元) is square
    if len(narrow):
        tall = narrow
    if float(np.median(tall[:, 3])) < MIN_DIGIT_PX:
        return None
    left, top = int(comps[:, 0].min()), int(comps[:, 1].min())
    right, bottom = int((comps[:, 0] + comps[:, 2]).max()), int((comps[:, 1] + comps[:, 3]).max())
    mask = np.zeros(crop.shape, np.uint8)
    for cx, cy, cw, ch, _ in tall:
        mask[cy:cy + ch, cx:cx + cw] = ink[cy:cy + ch, cx:cx + cw]
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    area = float(mask.sum())
    # a thin digit (1) loses a pixel of anti-aliasing at each end: the fuller digits set the top and the baseline
    digit_top, baseline = float(np.percentile(tall[:, 1], 25)), float(np.percentile(tall[:, 1] + tall[:, 3], 75))
    stroke = (2.0 * area / perimeter) / max(1.0, baseline - digit_top) if perimeter > 0 else 0.0
    return InkText(x0 + left, y0 + top, right - left, bottom - top, y0 + digit_top, y0 + baseline, stroke, numeric)


def deviations(texts: list[InkText]) -> list[dict[str, float]]:
    """Per numeric text, how far it departs from its peers (size, baseline, grid, stroke; 0 when it has none)."""
    found = []
    for i, text in enumerate(texts):
        if not text.numeric:
            continue
        h = text.digit_height
        centre = text.y + text.h / 2.0
        row, column, same_style = [], [], []
        for j, other in enumerate(texts):
            if j == i:
                continue
            other_centre = other.y + other.h / 2.0
            if abs(other_centre - centre) < ROW_REACH * max(h, other.digit_height):
                row.append(other)
            elif abs(other_centre - centre) < COLUMN_REACH * h:
                column.append(other)
            if other.numeric and abs(other.digit_height - h) / h < SAME_STYLE:
                same_style.append(other)
        numeric_peers = [o for o in row + column if o.numeric and abs(o.digit_height - h) / h < SAME_STYLE]
        size = min((_beyond(abs(h - o.digit_height), SLACK_PX) / o.digit_height for o in numeric_peers), default=0.0)
        row_numbers = [o for o in row if o.numeric and abs(o.digit_height - h) / h < SAME_STYLE]
        baseline = min((_beyond(abs(text.baseline - o.baseline), SLACK_PX) / h for o in row_numbers), default=0.0)
        grid = min((_beyond(min(abs(a - b) for a, b in zip(text.edges, o.edges)), 1.5 * SLACK_PX) / h
                    for o in column), default=0.0)
        stroke = min((abs(text.stroke - o.stroke) / max(o.stroke, 1e-6) for o in same_style), default=0.0)
        found.append({"size": size, "baseline": baseline, "grid": grid, "stroke": stroke, "index": i})
    return found


def _beyond(value: float, slack: float) -> float:
    return max(0.0, value - slack)


def status_bar_scale(texts: list[InkText], width: int, height: int) -> float | None:
    """The clock's digit height over the page width (the UI scale the system drew it at), or None."""
    bar = [t for t in texts if t.numeric and t.y + t.h < STATUS_BAR_SHARE * height]
    return round(bar[0].digit_height / width, 4) if bar else None


class ScreenRenderSignal:
    name = "screen_render"
    role = SignalRole(decisive_at=0.85, localiser=True, reads_text=True)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        gray = ctx.gray
        height, width = gray.shape
        if not ctx.ocr_lines or not an_app_page(ctx) or not looks_like_screenshot(gray):
            ctx.record_heatmap(self.name, np.zeros(ctx.work_gray.shape, np.float32))
            return SignalReport(name=self.name, score=0.0, summary="Not a phone screenshot: rendering not checked.",
                                details={"screenshot": False})
        texts: list[InkText] = []
        for line in ctx.ocr_lines:
            digits = sum(ch.isdigit() for ch in line.text)
            measured = ink_text(gray, tuple(line.box), digits >= 2)
            if measured is not None:
                texts.append(measured)
        body = [t for t in texts if t.y > STATUS_BAR_SHARE * height]
        found = deviations(body)
        worst, worst_text, parts = 0.0, None, {}
        for item in found:
            over = {key: item[key] / TOLERANCE[key] for key in TOLERANCE}
            value = max(over.values())
            if value > worst:
                worst, worst_text, parts = value, body[item["index"]], over
        score = reported_score(worst, CUT, TOP)
        flagged = score >= 0.85
        boxes: list[Box] = []
        if flagged and worst_text is not None:
            pad = 3
            boxes = [Box(x=max(0, worst_text.x - pad), y=max(0, worst_text.y - pad), w=worst_text.w + 2 * pad,
                         h=worst_text.h + 2 * pad)]
            kind = max(parts, key=parts.get)
            summary = {"size": "A number is drawn at another size than the app's numbers of its style, as a retyped "
                               "number is.",
                       "baseline": "A number sits off the baseline of the numbers on its row, as a pasted one does.",
                       "grid": "A number is off the app's layout grid (lined up with nothing around it), as a "
                               "pasted one is.",
                       "stroke": "A number is drawn in another weight or font than the app's numbers of its size."}[kind]
        else:
            summary = "The numbers are rendered consistently (size, baseline, layout grid, font)."
        ctx.record_heatmap(self.name, boxes_map(ctx, boxes))
        details = {"screenshot": True, "numbers": len(found), "worst": round(worst, 2),
                   "status_bar_scale": status_bar_scale(texts, width, height), "flagged": flagged}
        details.update({f"worst_{key}": round(value, 2) for key, value in parts.items()})
        return SignalReport(name=self.name, score=float(score), boxes=boxes, summary=summary, details=details)
