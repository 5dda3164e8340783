"""Glyph-sized ink components of the page, found once per upload and shared by the signals that read text."""
from __future__ import annotations

import cv2
import numpy as np

from credlift.tools.forensics.context import AnalysisContext

MAX_GLYPHS = 1500


def page_glyphs(ctx: AnalysisContext) -> np.ndarray:
    """(N, 4) int array of x, y, w, h on the work image: dark components of glyph size (not rules, seals, photos)."""
    if "glyphs" not in ctx.memo:
        ctx.memo["glyphs"] = glyph_boxes(ctx.work_gray, ctx.dark_components(ctx.work_gray))
    return ctx.memo["glyphs"]


def dark_components(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(labels, stats) of the 8-connected dark components of a grey page (adaptive mean threshold, 31 px, 18 under
    the mean): where the glyph boxes and the layout's text lines (signals/document.find_text_lines) both start."""
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 18)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    return labels, stats


def glyph_boxes(gray: np.ndarray, components: tuple[np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """The dark components of glyph size on a grey page, at most MAX_GLYPHS (the largest); `components`: the
    page's `dark_components`, when already found."""
    h, w = gray.shape
    _, stats = components if components is not None else dark_components(gray)
    stats = stats[1:]
    heights, widths, areas = stats[:, 3], stats[:, 2], stats[:, 4]
    keep = (heights >= 7) & (heights <= max(12, h // 14)) & (widths >= 2) & (widths <= 2.5 * heights) \
        & (areas >= 12) & (areas <= 0.8 * heights * widths)
    glyphs = stats[keep][:, :4].astype(np.int32)
    if len(glyphs) > MAX_GLYPHS:
        glyphs = glyphs[np.argsort(-stats[keep][:, 4])[:MAX_GLYPHS]]
    return glyphs
