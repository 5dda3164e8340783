"""How a piece of printed text looks: stroke weight, edge sharpness, contrast, ink colour and the paper around it.

One vector per box (x, y, w, h on the analysed image), comparable between the boxes of one page: a value typed in
a near-match font (bolder, serif for sans), pasted from another photo (other blur, other paper noise, other
lighting) or healed over (flat paper) differs from the text printed around it.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

STYLE_FEATURES = ("edge_sharpness", "contrast", "stroke_weight", "edge_width", "ink_chroma", "edge_curvature",
                  "paper_noise_inside", "paper_noise_around", "paper_tone_step", "block_edges", "height",
                  "ink_flatness")
HEIGHT = STYLE_FEATURES.index("height")
_RESIDUAL_CAP = 12.0


@dataclass
class PagePlanes:
    """The whole-page planes every box reads from, computed once per image."""
    gray: np.ndarray
    gradient: np.ndarray
    lab: np.ndarray
    laplacian: np.ndarray
    residual: np.ndarray
    column_steps: np.ndarray

    @classmethod
    def of(cls, rgb: np.ndarray, gray: np.ndarray, ctx=None) -> "PagePlanes":
        """With `ctx` (an AnalysisContext whose images `rgb` and `gray` are), the Lab and median it shares."""
        luma = gray.astype(np.float32)
        gx = cv2.Sobel(luma, cv2.CV_32F, 1, 0)
        gy = cv2.Sobel(luma, cv2.CV_32F, 0, 1)
        lab = ctx.lab_of(rgb) if ctx is not None else cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
        median = ctx.median3(gray) if ctx is not None else cv2.medianBlur(gray, 3)
        return cls(gray=gray, gradient=np.hypot(gx, gy) / 8,
                   lab=lab,  # 8-bit: a box's medians are taken there (style_of), not over a float copy of the page
                   laplacian=np.abs(cv2.Laplacian(luma, cv2.CV_32F)),
                   residual=np.minimum(np.abs(luma - median.astype(np.float32)), _RESIDUAL_CAP),
                   column_steps=np.abs(np.diff(luma, axis=1)))


def _ink(gray: np.ndarray) -> np.ndarray:
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 12) > 0


def _grow(mask: np.ndarray, size: int) -> np.ndarray:
    return cv2.dilate(mask.astype(np.uint8), np.ones((size, size), np.uint8)) > 0


def style_of(planes: PagePlanes, box: tuple[int, int, int, int]) -> np.ndarray:
    """The STYLE_FEATURES of the text in `box` (NaN where the box holds too little ink or paper to measure)."""
    out = np.full(len(STYLE_FEATURES), np.nan, np.float32)
    g = planes.gray
    H, W = g.shape
    x, y, w, h = (int(v) for v in box)
    x0, y0, x1, y1 = max(0, x - 2), max(0, y - 2), min(W, x + w + 2), min(H, y + h + 2)
    if x1 - x0 < 6 or y1 - y0 < 6:
        return out
    sub = g[y0:y1, x0:x1]
    ink = _ink(sub)
    if ink.sum() < 15:
        return out
    near = _grow(ink, 5)
    paper = ~near
    if paper.sum() < 15:
        return out
    paper_level = float(np.median(sub[paper]))
    ink_level = float(np.percentile(sub[ink], 10))
    contrast = max(8.0, paper_level - ink_level)
    core = cv2.erode(ink.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    edge = near & ~core
    gradient = planes.gradient[y0:y1, x0:x1]
    top_gradient = np.percentile(gradient[edge], 90) if edge.sum() > 5 else 0.0
    distance = cv2.distanceTransform(ink.astype(np.uint8), cv2.DIST_L2, 3)
    ridge = (distance >= cv2.dilate(distance, np.ones((3, 3), np.uint8))) & ink
    tone = (sub.astype(np.float32) - ink_level) / contrast
    edge_width = ((tone > 0.2) & (tone < 0.8)).sum() / max(1, ink.sum())
    lab = planes.lab[y0:y1, x0:x1]
    # medians of 8-bit values are whole or half numbers: in float32 the figures of a float32 page, bit for bit
    a_ink, a_paper, b_ink, b_paper = (np.float32(np.median(lab[..., channel][mask]))
                                      for channel in (1, 2) for mask in (ink, paper))
    chroma = float(np.hypot(a_ink - a_paper, b_ink - b_paper))
    curvature = (float(planes.laplacian[y0:y1, x0:x1][edge].mean() / (gradient[edge].mean() + 1e-3))
                 if edge.sum() > 5 else np.nan)
    # the paper inside the box against a ring of one text height around it
    X0, Y0, X1, Y1 = max(0, x - h), max(0, y - h), min(W, x + w + h), min(H, y + h + h)
    big = g[Y0:Y1, X0:X1]
    big_paper = ~_grow(_ink(big), 5)
    inner = np.zeros_like(big_paper)
    inner[y0 - Y0:y1 - Y0, x0 - X0:x1 - X0] = True
    residual = planes.residual[Y0:Y1, X0:X1]
    paper_in, paper_out = big_paper & inner, big_paper & ~inner
    noise_in = float(residual[paper_in].mean()) if paper_in.sum() > 10 else np.nan
    noise_out = float(residual[paper_out].mean()) if paper_out.sum() > 10 else np.nan
    tone_step = (float(big[paper_in].mean() - big[paper_out].mean())
                 if paper_in.sum() > 10 and paper_out.sum() > 10 else np.nan)
    # 8x8 JPEG block edges inside the box against the other columns
    columns = np.arange(x0, x1 - 1)
    steps = planes.column_steps[y0:y1][:, columns]
    on_grid = (columns % 8) == 7
    block_edges = (float(steps[:, on_grid].mean() / (steps[:, ~on_grid].mean() + 1e-3))
                   if on_grid.any() and (~on_grid).any() else 1.0)
    flatness = float(sub[core].std() / contrast) if core.sum() > 5 else np.nan
    out[:] = (top_gradient / contrast, contrast, 2 * np.median(distance[ridge]) / max(1, h), edge_width, chroma,
              curvature, noise_in, noise_out, tone_step, block_edges, h, flatness)
    return out


def page_spread(styles: np.ndarray) -> np.ndarray:
    """A robust spread of each feature over a page's boxes (median absolute deviation, floored)."""
    ok = ~np.isnan(styles).any(axis=1)
    if not ok.any():
        return np.ones(styles.shape[1], np.float32)
    median = np.median(styles[ok], axis=0)
    return np.maximum(1.4826 * np.median(np.abs(styles[ok] - median), axis=0), 1e-3 + 0.03 * np.abs(median))


def relative_to(style: np.ndarray, others: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """How far `style` is from the median of `others` (rows without NaN), in page spreads; zeros for fewer than 3."""
    usable = others[~np.isnan(others).any(axis=1)] if len(others) else others
    if len(usable) < 3:
        return np.zeros(len(style), np.float32)
    return ((style - np.median(usable, axis=0)) / spread).astype(np.float32)
