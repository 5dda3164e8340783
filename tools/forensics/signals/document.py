"""Document-aware checks: on each text line, compare every run of glyphs with its neighbours.

A retyped score or number is drawn by a different hand: its glyph height, stroke width, baseline, ink tone,
edge sharpness and the paper under it rarely match the untouched glyphs printed in the same pass.
Text lines come from OCR when the caller has them, otherwise from a fast morphological line finder.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from credlift.domain.authenticity import Box, SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import squash

FEATURES = ("height", "baseline", "stroke", "ink", "sharpness", "paper_noise")
# Floors on the spread of each feature within a line, in its own units, so near-identical glyphs do not explode z.
SPREAD_FLOOR = {"height": 0.06, "baseline": 0.05, "stroke": 0.08, "ink": 6.0, "sharpness": 0.08, "paper_noise": 0.5}
MAX_LINES = 80


@dataclass
class GlyphRun:
    """A run of glyphs (a word or number) on one line, with median features."""
    box: tuple[int, int, int, int]
    values: dict[str, float]
    glyphs: int


def find_text_lines(gray: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Text line boxes (x, y, w, h) by adaptive threshold and horizontal closing."""
    h, w = gray.shape
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 18)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    keep = np.zeros(count, np.uint8)
    heights, widths = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    keep[(heights >= 5) & (heights <= max(12, h // 12)) & (widths <= max(12, w // 4))] = 1
    keep[0] = 0
    glyphs = (keep[labels] * 255).astype(np.uint8)
    joined = cv2.morphologyEx(glyphs, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (17, 3)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    lines = []
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        if 8 <= bh <= max(14, h // 10) and bw >= 1.5 * bh:
            lines.append((int(x), int(y), int(bw), int(bh)))
    lines.sort(key=lambda b: (b[1], b[0]))
    return lines[:MAX_LINES]


def glyph_runs(gray: np.ndarray, line: tuple[int, int, int, int]) -> list[GlyphRun]:
    """Split one line into runs of glyphs and measure each run."""
    x, y, w, h = line
    pad = max(2, h // 4)
    x0, y0 = max(0, x - pad), max(0, y - pad)
    x1, y1 = min(gray.shape[1], x + w + pad), min(gray.shape[0], y + h + pad)
    crop = gray[y0:y1, x0:x1]
    if crop.size < 64 or crop.std() < 8:
        return []
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count < 3:
        return []
    paper_level = float(np.median(crop[ink == 0])) if (ink == 0).any() else 255.0
    g = crop.astype(np.float32)
    gradient = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    residual = np.abs(g - cv2.medianBlur(crop, 3).astype(np.float32))
    distance = cv2.distanceTransform(ink, cv2.DIST_L2, 3)
    components = []
    for i in range(1, count):
        cx, cy, cw, ch, area = stats[i]
        if area < 6 or ch < 4 or ch > 3 * h:
            continue
        mask = labels[cy:cy + ch, cx:cx + cw] == i
        components.append((cx, cy, cw, ch, mask))
    if len(components) < 3:
        return []
    components.sort(key=lambda c: c[0])
    typical_h = float(np.median([c[3] for c in components]))
    # group components into runs: a gap wider than ~0.7 glyph heights separates words
    runs: list[list[tuple]] = [[components[0]]]
    for comp in components[1:]:
        previous_end = max(c[0] + c[2] for c in runs[-1])
        if comp[0] - previous_end > 0.7 * typical_h:
            runs.append([comp])
        else:
            runs[-1].append(comp)
    measured = []
    for run in runs:
        rx0 = min(c[0] for c in run)
        ry0 = min(c[1] for c in run)
        rx1 = max(c[0] + c[2] for c in run)
        ry1 = max(c[1] + c[3] for c in run)
        run_ink = np.zeros(ink.shape, bool)
        for cx, cy, cw, ch, mask in run:
            run_ink[cy:cy + ch, cx:cx + cw] |= mask
        edge = run_ink & ~cv2.erode(run_ink.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
        ink_level = float(np.median(crop[run_ink]))
        contrast = max(paper_level - ink_level, 8.0)
        ridge = distance[run_ink]
        stroke = float(2.0 * np.percentile(ridge, 90)) if ridge.size else 0.0
        region = (slice(max(0, ry0 - 2), ry1 + 2), slice(max(0, rx0 - 2), rx1 + 2))
        paper = (ink[region] == 0) & (gradient[region] < 0.25 * contrast)
        paper_noise = float(np.median(residual[region][paper])) if paper.sum() > 10 else 0.0
        measured.append(GlyphRun(
            box=(x0 + rx0, y0 + ry0, rx1 - rx0, ry1 - ry0),
            values={
                "height": float(np.log(max(ry1 - ry0, 1) / typical_h)),
                "baseline": float((ry1 - np.median([c[1] + c[3] for c in components])) / typical_h),
                "stroke": float(np.log(max(stroke, 0.5) / typical_h)),
                "ink": ink_level,
                "sharpness": float(np.percentile(gradient[edge], 75) / contrast) if edge.any() else 0.0,
                "paper_noise": paper_noise,
            },
            glyphs=len(run),
        ))
    return measured


DOCUMENT_FEATURES = ("stroke", "ink", "sharpness", "paper_noise")  # printed in one pass: same across the page
LINE_FEATURES = ("height", "baseline")  # legitimately vary between lines, so compared within a line only


def run_outliers(lines_runs: list[list[GlyphRun]]) -> list[tuple[GlyphRun, dict[str, float]]]:
    """|z| of each run's features: print features against every run on the page, geometry against its line."""
    every = [run for runs in lines_runs for run in runs]
    if len(every) < 4:
        return []
    page_stats = {}
    for feature in DOCUMENT_FEATURES:
        values = np.array([r.values[feature] for r in every])
        median = float(np.median(values))
        page_stats[feature] = (median, max(float(np.median(np.abs(values - median))) * 1.4826, SPREAD_FLOOR[feature]))
    scored = []
    for runs in lines_runs:
        for index, run in enumerate(runs):
            zs = {f: abs(run.values[f] - page_stats[f][0]) / page_stats[f][1] for f in DOCUMENT_FEATURES}
            others = [r for j, r in enumerate(runs) if j != index]
            for feature in LINE_FEATURES:
                if not others:
                    zs[feature] = 0.0
                    continue
                values = np.array([r.values[feature] for r in others])
                median = float(np.median(values))
                spread = max(float(np.median(np.abs(values - median))) * 1.4826, SPREAD_FLOOR[feature])
                zs[feature] = abs(run.values[feature] - median) / spread
            scored.append((run, zs))
    return scored


class DocumentSignal:
    name = "document"

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        gray = ctx.gray
        if ctx.ocr_lines:
            lines = [tuple(int(v) for v in line.box) for line in ctx.ocr_lines if line.box[2] > 0 and line.box[3] > 0]
            source = "ocr"
        else:
            factor = 1.0 / ctx.work_scale
            lines = [tuple(int(round(v * factor)) for v in box) for box in find_text_lines(ctx.work_gray)]
            source = "layout"
        best = {feature: 0.0 for feature in FEATURES}
        flagged: list[tuple[float, GlyphRun]] = []
        combined_peak = 0.0
        lines_runs = [glyph_runs(gray, line) for line in lines[:MAX_LINES]]
        runs_seen = sum(len(runs) for runs in lines_runs)
        for run, zs in run_outliers(lines_runs):
            for feature, value in zs.items():
                best[feature] = max(best[feature], min(value, 50.0))
            # agreement of several features is what a retyped run shows; one odd feature is common
            ordered = sorted(zs.values(), reverse=True)
            combined = float(np.sqrt(ordered[0] * ordered[1]))
            combined_peak = max(combined_peak, min(combined, 50.0))
            if combined > 3.0:
                flagged.append((combined, run))
        heat = np.zeros(gray.shape, np.float32)
        flagged.sort(key=lambda item: -item[0])
        for combined, run in flagged[:6]:
            x, y, w, h = run.box
            cv2.rectangle(heat, (x, y), (x + w, y + h), float(np.clip((combined - 2.0) / 4.0, 0, 1)), -1)
        ctx.record_heatmap(self.name, heat)
        score = squash(combined_peak, 5.0, 1.0) if runs_seen else 0.0
        boxes = [Box(x=r.box[0], y=r.box[1], w=r.box[2], h=r.box[3]) for c, r in flagged[:6] if c > 5.0]
        summary = ("Glyphs in a text run differ from their neighbours (size, stroke, baseline, ink or sharpness),"
                   " as retyped text does." if score > 0.5 else "Text runs are typographically consistent.")
        details: dict[str, float | int | str | bool] = {f"max_{k}_z": round(v, 3) for k, v in best.items()}
        details.update({"combined_peak": round(combined_peak, 3), "lines": len(lines), "runs": runs_seen,
                        "flagged_runs": len(flagged), "line_source": source})
        return SignalReport(name=self.name, score=score, boxes=boxes, summary=summary, details=details)
