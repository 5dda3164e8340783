"""Document-aware checks: each printed character and each text line is compared with the paper right around it.

Where forgers work (a digit cloned over a score, a name pasted from another certificate, a number retyped
over a healed patch), the patch carries another place's paper tone and noise, and the new strokes another
sharpness. Untouched text shares its surroundings' tone and noise, because it was printed and photographed
in one pass. Each unit's inner statistics are compared with a ring around it, then against all units of the
page (robust z), so lighting that varies smoothly over the page does not count.
Units come from the page's glyph components and from text lines found by layout (the same as in training).
"""
from __future__ import annotations

import cv2
import numpy as np

from credlift.domain.authenticity import Box, SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.glyphs import dark_components, page_glyphs
from credlift.tools.forensics.signals.base import scale_boxes, squash

FEATURES = ("tone_step", "chroma_step", "noise_ratio", "sharpness_ratio")
MAX_LINES = 120


def find_text_lines(gray: np.ndarray, components: tuple[np.ndarray, np.ndarray] | None = None
                    ) -> list[tuple[int, int, int, int]]:
    """Text line boxes (x, y, w, h) by adaptive threshold and horizontal closing; `components`: the page's
    glyphs.dark_components, when already found."""
    h, w = gray.shape
    labels, stats = components if components is not None else dark_components(gray)
    count = len(stats)
    keep = np.zeros(count, np.uint8)
    heights, widths = stats[:, cv2.CC_STAT_HEIGHT], stats[:, cv2.CC_STAT_WIDTH]
    keep[(heights >= 5) & (heights <= max(12, h // 12)) & (widths <= max(12, w // 4))] = 1
    keep[0] = 0
    glyphs = np.take(keep * np.uint8(255), labels)  # 255 on the kept components: one look-up per pixel
    joined = cv2.morphologyEx(glyphs, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (15, 3)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(joined, connectivity=8)
    lines = []
    for i in range(1, count):
        x, y, bw, bh, _ = stats[i]
        if 8 <= bh <= max(14, h // 10) and bw >= 1.2 * bh:
            lines.append((int(x), int(y), int(bw), int(bh)))
    lines.sort(key=lambda b: (b[1], b[0]))
    return lines[:MAX_LINES]


class _Integrals:
    """Rectangle sums in O(1) for the paper-only statistics."""

    def __init__(self, planes: dict[str, np.ndarray]) -> None:
        # every plane holds whole numbers (masks, 8-bit Lab, clipped residuals of 8-bit grey, Sobel sums of it), so
        # any exact sum is the same: 8-bit planes are summed in int32 when no total can reach 2**31 (a third of the
        # time of float64 sums), the others in float64 (exact below 2**53); a multi-channel plane is summed at once
        self.sums: dict[str, np.ndarray] = {}
        for name, plane in planes.items():
            small = plane.dtype == np.uint8 and plane.shape[0] * plane.shape[1] * 255 < 2**31
            total = cv2.integral(plane, sdepth=cv2.CV_32S if small else cv2.CV_64F)
            if total.ndim == 3:
                for channel, part in enumerate(name.split(",")):
                    self.sums[part] = total[..., channel]
            else:
                self.sums[name] = total
        self.h, self.w = next(iter(planes.values())).shape[:2]

    def totals(self, name: str, x0: np.ndarray, y0: np.ndarray, x1: np.ndarray, y1: np.ndarray) -> np.ndarray:
        """The sums over many rectangles (x0, y0)-(x1, y1), clipped to the page (0 where nothing is left)."""
        x0, y0 = np.maximum(0, x0), np.maximum(0, y0)
        x1, y1 = np.minimum(self.w, x1), np.minimum(self.h, y1)
        s = self.sums[name]
        sums = s[y1, x1] - s[y0, x1] - s[y1, x0] + s[y0, x0]  # whole numbers, so float64 of them is exact
        return np.where((x1 <= x0) | (y1 <= y0), 0.0, sums.astype(np.float64))


def unit_planes(rgb: np.ndarray, gray: np.ndarray, ctx: AnalysisContext | None = None) -> _Integrals:
    """The page's paper, ink-edge, tone, chroma, noise and gradient planes as integral images, computed once per
    page for every unit (glyphs and lines). With `ctx` (whose images `rgb` and `gray` are), the Lab, gradient and
    median it shares with other signals."""
    if ctx is not None:
        lab = ctx.lab_of(rgb)
        gradient, median = ctx.gradient_l1(gray), ctx.median3(gray)
    else:
        lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
        g = gray.astype(np.float32)
        gradient = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1))
        median = cv2.medianBlur(gray, 3)
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 12) > 0
    near_ink = cv2.dilate(ink.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    paper = ((~near_ink) & (gradient < 40)).astype(np.uint8)
    residual = np.minimum(cv2.absdiff(gray, median), 12)  # |grey - its 3x3 median|, at most 12: whole numbers
    edges = near_ink & ~cv2.erode(ink.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    # Lab where paper (a 0/1 mask), else 0: OpenCV's masked copy is numpy's broadcast product, a tenth of its time
    return _Integrals({
        "paper": paper, "L,a,b": cv2.bitwise_and(lab, lab, mask=paper), "noise": residual * paper,
        "edge": edges.astype(np.uint8),
        "grad": gradient * edges.astype(np.float32),
    })


def unit_features(rgb: np.ndarray, gray: np.ndarray, units: np.ndarray,
                  integrals: _Integrals | None = None) -> np.ndarray:
    """Per unit (x, y, w, h): inner-vs-ring paper tone and chroma steps, noise ratio and edge sharpness ratio
    (`integrals`: the page's `unit_planes`, when already computed). All units at once, in float64 as one by one."""
    integrals = integrals if integrals is not None else unit_planes(rgb, gray)
    out = np.zeros((len(units), len(FEATURES)), np.float32)
    if len(units) == 0:
        return out
    x, y, w, h = (np.asarray(units, np.int64)[:, k] for k in range(4))
    pad = np.maximum(2, h // 4)
    ring = np.maximum(6, h // 2)
    inner = (x - pad, y - pad, x + w + pad, y + h + pad)
    outer = (x - pad - ring, y - pad - ring, x + w + pad + ring, y + h + pad + ring)

    def stats(name: str) -> tuple[np.ndarray, np.ndarray]:
        inside = integrals.totals(name, *inner)
        return inside, integrals.totals(name, *outer) - inside

    n_in, n_ring = stats("paper")
    ok = ~((n_in < 12) | (n_ring < 24))
    if not ok.any():
        return out
    n_in, n_ring = n_in[ok], n_ring[ok]
    means = {}
    for channel in ("L", "a", "b", "noise"):
        s_in, s_ring = stats(channel)
        means[channel] = (s_in[ok] / n_in, s_ring[ok] / n_ring)
    e_in, e_ring = (v[ok] for v in stats("edge"))
    g_in, g_ring = (v[ok] for v in stats("grad"))
    out[ok, 0] = means["L"][0] - means["L"][1]
    out[ok, 1] = np.hypot(means["a"][0] - means["a"][1], means["b"][0] - means["b"][1])
    out[ok, 2] = np.log((means["noise"][0] + 0.3) / (means["noise"][1] + 0.3))
    with np.errstate(divide="ignore", invalid="ignore"):
        sharpness = np.log((g_in / np.maximum(e_in, 1.0) + 1.0) / (g_ring / np.maximum(e_ring, 1.0) + 1.0))
    out[ok, 3] = np.where(e_ring > 8, sharpness, 0.0)
    return out


def robust_abs_z(values: np.ndarray, floor: float) -> np.ndarray:
    median = np.median(values)
    spread = max(float(np.median(np.abs(values - median))) * 1.4826, floor)
    return np.abs(values - median) / spread


FLOORS = (0.6, 0.5, 0.06, 0.05)


class DocumentSignal:
    name = "document"
    role = SignalRole(features=("score", "peak_z", "glyph_tone_step_z", "glyph_chroma_step_z", "glyph_noise_ratio_z",
                                "glyph_sharpness_ratio_z", "line_tone_step_z", "line_chroma_step_z",
                                "line_noise_ratio_z", "line_sharpness_ratio_z"), fallback=True)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        gray, rgb = ctx.work_gray, ctx.work_rgb
        glyphs = page_glyphs(ctx)
        # the shipped fusion was trained on layout lines; OCR boxes (other extents) would shift the statistics
        lines = np.array(ctx.text_lines(gray), np.int32).reshape(-1, 4)
        source = "layout"
        details: dict[str, float | int | str | bool] = {"glyphs": int(len(glyphs)), "lines": int(len(lines)),
                                                        "line_source": source}
        heat = np.zeros(gray.shape, np.float32)
        flagged: list[tuple[float, tuple[int, int, int, int]]] = []
        peak = 0.0
        integrals = None  # the page's planes, computed once for glyphs and lines
        for unit_name, units in (("glyph", glyphs), ("line", lines)):
            if len(units) < 6:
                for feature in FEATURES:
                    details[f"{unit_name}_{feature}_z"] = 0.0
                continue
            integrals = integrals if integrals is not None else unit_planes(rgb, gray, ctx)
            values = unit_features(rgb, gray, units, integrals)
            zs = np.stack([robust_abs_z(values[:, k], FLOORS[k]) for k in range(len(FEATURES))], axis=1)
            zs = np.minimum(zs, 40.0)
            for k, feature in enumerate(FEATURES):
                details[f"{unit_name}_{feature}_z"] = round(float(zs[:, k].max()), 3)
            combined = zs.max(axis=1)
            peak = max(peak, float(combined.max()))
            for index in np.argsort(-combined)[:4]:
                if combined[index] > 6.0:
                    flagged.append((float(combined[index]), tuple(int(v) for v in units[index])))
        for strength, (x, y, w, h) in flagged:
            pad = max(2, h // 4)
            cv2.rectangle(heat, (x - pad, y - pad), (x + w + pad, y + h + pad), float(np.clip((strength - 4) / 6, 0, 1)), -1)
        ctx.record_heatmap(self.name, heat)
        score = squash(peak, 9.0, 1.5)
        boxes = scale_boxes([Box(x=x, y=y, w=w, h=h) for s, (x, y, w, h) in sorted(flagged, reverse=True)[:6]
                             if s > 9.0], 1.0 / ctx.work_scale)
        details.update({"peak_z": round(peak, 3), "flagged": len(flagged)})
        summary = ("Text differs from the paper around it (tone, noise or sharpness), as pasted or retyped text does."
                   if score > 0.5 else "Printed text matches the paper around it.")
        return SignalReport(name=self.name, score=score, boxes=boxes, summary=summary, details=details)
