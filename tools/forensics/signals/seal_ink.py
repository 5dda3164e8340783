"""Seal ink cut off at a character's edge (a document-aware check for a character copied from under a seal).

A forger who changes one digit of a number often copies a look-alike from the same page, where it prints exactly
like its neighbours. When the donor sits under the red seal (the issue date usually does), the copy brings a piece
of the seal with it: on the target the red ink fills part of one character's cell and stops at the cell's edge.
On an honest page red ink belongs to a seal (a ring around a star and arc text, whose ink runs on past any one
character) or to red print (titles, award names, frames: whole characters and lines).

The signal takes the page's red (CIELAB a* above the paper's), keeps the small clusters that lie inside the cell of a
dark character whose near surround is free of red and whose neighbours on the line carry none, drops those inside a
seal (circles found by a Hough transform on the red, looked for only when a cluster is left), and weighs the
strongest by its ink (the sum of a* above the threshold). The cut, set by `seal_ink_calibration` on generated
training sets (`models/seal_ink.json`), flags at most 0.2% of honest pages, as generated and re-saved as JPEGs; at
the cut the finding is decisive evidence (`fusion.DECISIVE`) and the character is marked on the staff map. Abstains
when the cut was never set.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.glyphs import page_glyphs
from credlift.tools.forensics.signals.base import (DECISIVE_FROM, load_model, marked_box, read_card, reported_score,
                                                   unmapped_report)

CARD_PATH = Path(__file__).resolve().parent.parent / "models" / "seal_ink.json"
# red: a* this far above the paper's (seal ink over white paper reaches 40-60; JPEG and lighting noise near dark
# print stays under it but for a few pixels)
RED_ABOVE_PAPER = 10
# the paper: the brightest PAPER_SHARE of the page; a colour whose b* falls under the paper's by more than a* / BLUE_LEAN
# leans to blue (a navy signature), not red (seal ink lies at b* at or above the paper's)
PAPER_SHARE = 0.4
BLUE_LEAN = 2
# a cluster counts when its box lies in a character's box grown by CELL_PAD px and the character's surround
# (SURROUND x its height further out, at least MIN_SURROUND px) holds at most SURROUND_RED red pixels
CELL_PAD = 3
SURROUND = 0.6
MIN_SURROUND = 10
SURROUND_RED = 3
MIN_PIXELS = 4
MAX_CLUSTERS = 400
# a character whose ink (INK_BELOW_PAPER grey levels under the paper) is red beyond RED_PRINT is printed red
INK_BELOW_PAPER = 25
RED_PRINT = 0.85
# the character's line: glyphs of similar height centred on its line within ROW_REACH heights, of which at least
# CLEAN_NEIGHBOURS without any red
ROW_REACH = 4.0
CLEAN_NEIGHBOURS = 2
# seals: circles of radius SEAL_RADIUS x the page's long side, looked for (a Hough transform at half size) only
# once a cluster of at least SEAL_CHECK_FROM ink is left; a cluster within SEAL_REACH radii of a centre is the seal's
SEAL_RADIUS = (0.025, 0.11)
SEAL_REACH = 1.15
SEAL_CHECK_FROM = 20.0
# the score reaches its top at TOP_OVER_CUT x the cut
TOP_OVER_CUT = 4.0


@dataclass(frozen=True)
class InkFragment:
    """A cluster of red ink inside one character's cell: its box, the character's box, and its ink."""
    box: tuple[int, int, int, int]
    glyph: tuple[int, int, int, int]
    ink: float
    pixels: int


def redness(lab: np.ndarray) -> np.ndarray:
    """CIELAB a* above the paper's (the median of the page's brightest share), per pixel of a CIELAB page; 0 where
    the colour leans to blue (navy and violet ink have a* > 0 too, with b* well under the paper's)."""
    paper = lab[..., 0] >= _quantile(lab[..., 0], 1 - PAPER_SHARE)
    a, b = (lab[..., i].astype(np.int16) for i in (1, 2))
    a = a - np.int16(_quantile(lab[..., 1][paper], 0.5))
    b = b - np.int16(_quantile(lab[..., 2][paper], 0.5))
    return np.where(BLUE_LEAN * b > -a, a, 0).astype(np.int16)


def _quantile(values: np.ndarray, q: float) -> int:
    """The q-quantile of 8-bit values, from their histogram (sorting a page's pixels costs ten times more)."""
    cumulative = np.cumsum(np.bincount(values.ravel(), minlength=256))
    return int(np.searchsorted(cumulative, q * max(int(cumulative[-1]), 1)))


def _box_sums(integral: np.ndarray, x0, y0, x1, y1) -> np.ndarray:
    """Sums of the image behind `integral` over boxes [x0, x1) x [y0, y1) (arrays), clipped to the image."""
    h, w = integral.shape[0] - 1, integral.shape[1] - 1
    x0, x1 = np.clip(x0, 0, w), np.clip(x1, 0, w)
    y0, y1 = np.clip(y0, 0, h), np.clip(y1, 0, h)
    total = integral[y1, x1] - integral[y0, x1] - integral[y1, x0] + integral[y0, x0]
    return np.where((x1 > x0) & (y1 > y0), total, 0)


def cell_fragments(rel: np.ndarray, gray: np.ndarray, glyphs: np.ndarray) -> list[InkFragment]:
    """Red clusters that lie inside one character's cell, cover part of its ink (a character printed red is red
    print), with no red just around it or on its line's other characters; strongest first, seals not yet excluded."""
    if len(glyphs) == 0:
        return []
    red = (rel > RED_ABOVE_PAPER).astype(np.uint8)
    if not red.any():
        return []
    integral = cv2.integral(red)
    paper_grey = _quantile(gray, 1 - PAPER_SHARE)
    gx, gy, gw, gh = (glyphs[:, i].astype(np.int64) for i in range(4))
    glyph_red = _box_sums(integral, gx, gy, gx + gw, gy + gh)
    centre_x, centre_y = gx + gw / 2, gy + gh / 2
    closed = cv2.morphologyEx(red, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(closed, connectivity=8)
    # clusters that could fit in a character's cell, the largest MAX_CLUSTERS of them (a page printed on red
    # guilloche has thousands of specks, none of them in a cell)
    fits = ((stats[:, 4] >= MIN_PIXELS) & (stats[:, 2] <= int(gw.max()) + 2 * CELL_PAD)
            & (stats[:, 3] <= int(gh.max()) + 2 * CELL_PAD))
    fits[0] = False
    candidates = np.flatnonzero(fits)
    candidates = candidates[np.argsort(-stats[candidates, 4], kind="stable")[:MAX_CLUSTERS]]
    fragments = []
    for component in candidates:
        x, y, w, h = (int(v) for v in stats[component, :4])
        inside = ((gx - CELL_PAD <= x) & (x + w <= gx + gw + CELL_PAD) & (gy - CELL_PAD <= y)
                  & (y + h <= gy + gh + CELL_PAD))
        if not inside.any():
            continue
        g = int(np.flatnonzero(inside)[np.argmax(gh[inside])])
        X, Y, W, H = (int(v) for v in glyphs[g])
        pixels = (labels[y:y + h, x:x + w] == component) & (red[y:y + h, x:x + w] > 0)
        if int(pixels.sum()) < MIN_PIXELS:
            continue
        ink = gray[Y:Y + H, X:X + W] < paper_grey - INK_BELOW_PAPER
        if ink.any() and float(np.mean(red[Y:Y + H, X:X + W][ink])) > RED_PRINT:
            continue
        x0, y0, x1, y1 = min(X, x) - 2, min(Y, y) - 2, max(X + W, x + w) + 2, max(Y + H, y + h) + 2
        m = max(int(round(SURROUND * H)), MIN_SURROUND)
        cell = _box_sums(integral, np.array(x0), np.array(y0), np.array(x1), np.array(y1))
        around = _box_sums(integral, np.array(x0 - m), np.array(y0 - m), np.array(x1 + m), np.array(y1 + m))
        if int(around - cell) > SURROUND_RED:
            continue
        line = ((np.abs(centre_y - (Y + H / 2)) < 0.35 * H) & (gh > 0.6 * H) & (gh < 1.6 * H)
                & (np.abs(centre_x - (X + W / 2)) < ROW_REACH * H))
        line[g] = False
        if int(np.sum(line & (glyph_red == 0))) < CLEAN_NEIGHBOURS:
            continue
        values = rel[y:y + h, x:x + w][pixels].astype(np.float32)
        fragments.append(InkFragment(box=(x, y, w, h), glyph=(X, Y, W, H),
                                     ink=float(np.sum(values - RED_ABOVE_PAPER)), pixels=int(pixels.sum())))
    return sorted(fragments, key=lambda f: -f.ink)


def seal_circles(rel: np.ndarray) -> np.ndarray:
    """(k, 3) x, y, radius of the round seals on the page (circles in its red), in the page's pixels."""
    strength = np.clip((rel.astype(np.float32) - (RED_ABOVE_PAPER - 2)) * 12, 0, 255).astype(np.uint8)
    small = cv2.GaussianBlur(cv2.resize(strength, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA), (0, 0), 1.5)
    long_side = max(rel.shape)
    r_min, r_max = (max(4, int(f * long_side / 2)) for f in SEAL_RADIUS)
    circles = cv2.HoughCircles(small, cv2.HOUGH_GRADIENT_ALT, dp=1.5, minDist=r_min, param1=150, param2=0.6,
                               minRadius=r_min, maxRadius=r_max)
    return np.zeros((0, 3), np.float32) if circles is None else circles[0] * 2.0


def stray_fragment(lab: np.ndarray, gray: np.ndarray, glyphs: np.ndarray) -> InkFragment | None:
    """The strongest red cluster cut off at a character's edge and outside every seal, on a page given in CIELAB and
    grey with its glyphs; None when there is none."""
    rel = redness(lab)
    fragments = cell_fragments(rel, gray, glyphs)
    if not fragments:
        return None
    if fragments[0].ink >= SEAL_CHECK_FROM:
        seals = seal_circles(rel)
        for fragment in fragments:
            x, y, w, h = fragment.box
            if not any(np.hypot(x + w / 2 - cx, y + h / 2 - cy) <= SEAL_REACH * r for cx, cy, r in seals):
                return fragment
        return None
    return fragments[0]


class SealInkSignal:
    name = "seal_ink"
    role = SignalRole(decisive_at=0.85, localiser=True,
                      calibrator="credlift.training.forensics.seal_ink_calibration:calibrate_seal_ink")

    def __init__(self, card_path: Path = CARD_PATH) -> None:
        self.card_path = card_path

    def prepare(self) -> None:
        """Loads what this check runs on, once per process (warm-up: the first upload is not the slow one)."""
        load_model(self.card_path, loader=read_card)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        card = load_model(self.card_path, loader=read_card)
        if card is None:
            return unmapped_report(ctx, self.name, "Red ink around the characters was not checked (not calibrated).",
                                   {"found": False})
        fragment = stray_fragment(ctx.work_lab, ctx.work_gray, page_glyphs(ctx))
        cut = float(card["cut"])
        ink = fragment.ink if fragment is not None else 0.0
        score = reported_score(ink, cut, TOP_OVER_CUT * cut)
        flagged = score >= DECISIVE_FROM
        heat, boxes = np.zeros(ctx.work_gray.shape, np.float32), []
        if flagged:
            heat, boxes = marked_box(ctx, *fragment.glyph, pad=2)
            summary = ("A character carries red ink that stops at the edge of its own cell, away from any seal, as "
                       "when a digit is copied from under the seal over another.")
        else:
            summary = "No red ink is cut off at a character's edge."
        ctx.record_heatmap(self.name, heat)
        return SignalReport(name=self.name, score=float(score), boxes=boxes, summary=summary,
                            details={"found": fragment is not None, "ink": round(ink, 1), "flagged": flagged})
