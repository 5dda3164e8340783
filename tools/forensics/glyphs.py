"""Glyph-sized ink components of the page, found once per upload and shared by the signals that read text."""
from __future__ import annotations

import cv2
import numpy as np

from credlift.tools.forensics.context import AnalysisContext

MAX_GLYPHS = 1500


def page_glyphs(ctx: AnalysisContext) -> np.ndarray:
    """(N, 4) int array of x, y, w, h on the work image: dark components of glyph size (not rules, seals, photos)."""
    if "glyphs" not in ctx.memo:
        ctx.memo["glyphs"] = glyph_boxes(ctx.work_gray)
    return ctx.memo["glyphs"]


def glyph_boxes(gray: np.ndarray) -> np.ndarray:
    """The dark components of glyph size on a grey page, at most MAX_GLYPHS (the largest)."""
    h, w = gray.shape
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 18)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    stats = stats[1:]
    heights, widths, areas = stats[:, 3], stats[:, 2], stats[:, 4]
    keep = (heights >= 7) & (heights <= max(12, h // 14)) & (widths >= 2) & (widths <= 2.5 * heights) \
        & (areas >= 12) & (areas <= 0.8 * heights * widths)
    glyphs = stats[keep][:, :4].astype(np.int32)
    if len(glyphs) > MAX_GLYPHS:
        glyphs = glyphs[np.argsort(-stats[keep][:, 4])[:MAX_GLYPHS]]
    return glyphs
