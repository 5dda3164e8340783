"""The ID photo and the paper just around it (a document-aware check for a photo pasted in from another page).

A forger who swaps the holder's photo cuts it out of another certificate with a few pixels of that page's paper
around it (a cut exactly on the photo's edge would leave a seam), aligns it and matches its colour to ours by the
photo's own tones. The photo then sits in a thin frame of foreign paper: the ring just outside its edge differs in
colour from the paper a little further out, on every side. On an honest page the photo is printed (or glued) on the
page's own paper, and the near and far rings match.

The signal finds the photo (a large, filled, rectangular area of colour or ink, `find_photo`), measures the paper's
mean colour (CIELAB, lightness weighted down) in a near ring (NEAR px outside the photo's hull) and a far ring (FAR
px) on each of the four sides, and takes the smallest of the four shifts: one side may touch a frame, a label or a
seal by design; a foreign margin surrounds the photo. The cut, set by `photo_margin_calibration` on generated training sets
(`models/photo_margin.json`), flags 0.5% of honest pages with a photo, as generated and as re-saved JPEGs (their
chroma bleeds into the near ring); at the cut the finding is decisive evidence (`fusion.DECISIVE`) and the photo is
marked on the staff map. Abstains when no photo is found or the cut was never set.
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.signals.base import (DECISIVE_FROM, load_model, marked_box, read_card, reported_score,
                                                   unmapped_report)

# rings outside the photo's hull, in pixels of the work image (pages of 1,200 to 1,600 px as generated; a page
# photographed much smaller shrinks a forger's margin under the near ring), on each of the SIDES
NEAR = (2, 6)
FAR = (12, 20)
SIDES = ("left", "right", "top", "bottom")
# weight of a lightness shift against a colour shift (CIELAB units): lighting and print make lightness vary more
LIGHTNESS_WEIGHT = 0.3
MIN_RING_PIXELS = 20
# the cut on the smallest shift over the sides comes from the card `photo_margin_calibration` writes (0.5% of honest
# pages with a photo flagged, as generated and re-saved); the score reaches its top at MARGIN_TOP
CARD_PATH = Path(__file__).resolve().parent.parent / "models" / "photo_margin.json"
MARGIN_TOP = 3.0
# what counts as a photo: share of the page, height over width, fill of its hull, rectangularity of the hull
PAGE_SHARE = (0.004, 0.12)
ASPECT = (1.0, 1.9)
MIN_FILL = 0.3
MIN_RECTANGULAR = 0.85
INK_BELOW_PAPER = 30
COLOURED = 25


def measure_photo(lab: np.ndarray) -> tuple[np.ndarray, float, list[float]] | None:
    """(the photo's hull, the smallest shift, the shift per side) on a CIELAB page; None when no photo is found."""
    if min(lab.shape[:2]) < 64:
        return None
    hull = find_photo(lab)
    return None if hull is None else (hull, *margin_shift(lab, hull))


def find_photo(lab: np.ndarray) -> np.ndarray | None:
    """The hull (N, 1, 2 int points) of the largest photo-like area of a CIELAB page (uint8): filled with colour
    or ink unlike the paper, rectangular, of portrait proportions and a plausible share of the page; None when
    there is none."""
    h, w = lab.shape[:2]
    lightness = lab[..., 0]
    small = cv2.resize(lightness, (max(8, w // 8), max(8, h // 8)), interpolation=cv2.INTER_AREA)
    paper = cv2.resize(cv2.medianBlur(small, 9), (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    chroma = np.hypot(lab[..., 1].astype(np.float32) - 128, lab[..., 2].astype(np.float32) - 128)
    mask = ((paper - lightness > INK_BELOW_PAPER) | (chroma > COLOURED)).astype(np.uint8)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    best, best_area = None, 0.0
    for contour in contours:
        x, y, bw, bh = cv2.boundingRect(contour)
        if not PAGE_SHARE[0] * h * w <= bw * bh <= PAGE_SHARE[1] * h * w or not ASPECT[0] <= bh / bw <= ASPECT[1]:
            continue
        if x < 3 or y < 3 or x + bw > w - 3 or y + bh > h - 3:
            continue  # cut by the image edge: its surroundings cannot be measured
        hull = cv2.convexHull(contour)
        hull_area = cv2.contourArea(hull)
        (_, _), (rw, rh), _ = cv2.minAreaRect(hull)
        if hull_area < MIN_RECTANGULAR * rw * rh or cv2.contourArea(contour) < MIN_FILL * hull_area:
            continue
        if hull_area > best_area:
            best, best_area = hull, hull_area
    return best


def margin_shift(lab: np.ndarray, hull: np.ndarray) -> tuple[float, list[float]]:
    """(smallest shift over the sides measured, the shift per side: left, right, top, bottom; NaN where a ring is
    too small) of the paper's mean colour (lightness weighted down) NEAR against FAR outside the photo's hull, on a
    CIELAB page (uint8)."""
    h, w = lab.shape[:2]
    x, y, bw, bh = cv2.boundingRect(hull)
    pad = FAR[1] + 2
    x0, y0, x1, y1 = max(0, x - pad), max(0, y - pad), min(w, x + bw + pad), min(h, y + bh + pad)
    inside = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillConvexPoly(inside, hull - np.array([x0, y0]), 1)
    distance = cv2.distanceTransform(1 - inside, cv2.DIST_L2, 5)
    crop = lab[y0:y1, x0:x1].astype(np.float32)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    side = np.argmax(np.stack([x - xx, xx - (x + bw), y - yy, yy - (y + bh)]), axis=0)
    shifts = []
    for s in range(4):
        on_side = side == s
        near = on_side & (distance >= NEAR[0]) & (distance < NEAR[1])
        far = on_side & (distance >= FAR[0]) & (distance < FAR[1])
        if near.sum() < MIN_RING_PIXELS or far.sum() < MIN_RING_PIXELS:
            shifts.append(float("nan"))
            continue
        difference = (crop[near].mean(axis=0) - crop[far].mean(axis=0)) * (LIGHTNESS_WEIGHT, 1.0, 1.0)
        shifts.append(float(np.linalg.norm(difference)))
    measured = [v for v in shifts if not np.isnan(v)]
    return (min(measured) if len(measured) >= 3 else 0.0), shifts


class PhotoMarginSignal:
    name = "photo_margin"
    role = SignalRole(decisive_at=0.85, localiser=True,
                      calibrator="credlift.training.forensics.photo_margin_calibration:calibrate_photo_margin")

    def __init__(self, card_path: Path = CARD_PATH) -> None:
        self.card_path = card_path

    def prepare(self) -> None:
        """Loads what this check runs on, once per process (warm-up: the first upload is not the slow one)."""
        load_model(self.card_path, loader=read_card)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        card = load_model(self.card_path, loader=read_card)
        if card is None:
            return unmapped_report(ctx, self.name, "The paper around the ID photo was not checked (not calibrated).",
                                   {"found": False})
        measured = measure_photo(ctx.work_lab)
        if measured is None:
            return unmapped_report(ctx, self.name, "No ID photo was found on the page.", {"found": False})
        hull, shift, sides = measured
        score = reported_score(shift, float(card["cut"]), MARGIN_TOP)
        flagged = score >= DECISIVE_FROM
        heat, boxes = np.zeros(ctx.work_gray.shape, np.float32), []
        if flagged:
            heat, boxes = marked_box(ctx, *cv2.boundingRect(hull), pad=NEAR[1])
            summary = ("The paper just around the ID photo differs in colour from the page's paper on every side, "
                       "as when a photo is cut from another page with a margin and pasted in.")
        else:
            summary = "The paper around the ID photo matches the page."
        ctx.record_heatmap(self.name, heat)
        return SignalReport(name=self.name, score=float(score), boxes=boxes, summary=summary,
                            details={"found": True, "margin_shift": round(shift, 3), "flagged": flagged,
                                     **{f"shift_{side}": round(v, 3) for side, v in zip(SIDES, sides)
                                        if not np.isnan(v)}})
