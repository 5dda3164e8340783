"""Copy-move: a glyph cloned from elsewhere in the same image (a digit copied over a score or number).

Printed copies of one character look alike by design, so shape alone proves nothing. What a clone carries
and a second print does not is the *same paper and sensor noise*: for every pair of glyphs of similar shape,
the fine residual on the plain paper around them is correlated (after scaling one onto the other, as the
forger's resize did). Honest pairs correlate near 0; cloned pairs far above.
"""
from __future__ import annotations

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.glyphs import page_glyphs
from credlift.tools.forensics.signals.base import boxes_from_map, scale_boxes, squash

SHAPE = 12
SHAPE_SIMILARITY = 0.9
NEIGHBOURS = 3
CLONE_NCC = 0.5
MIN_PLAIN_PIXELS = 60


class CopyMoveSignal:
    name = "copy_move"
    role = SignalRole(features=("score", "best_ncc", "clones", "pairs_checked"), localiser=True, fallback=True)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        gray = ctx.work_gray
        glyphs = page_glyphs(ctx)
        heat = np.zeros(gray.shape, np.float32)
        residual = ctx.highpass_gauss1(gray)
        gradient = ctx.gradient_l1(gray)
        plain = cv2.erode((gradient < 40).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
        pairs = candidate_pairs(gray, glyphs)
        best, clones = 0.0, 0
        for a, b in pairs:
            ncc = clone_correlation(residual, plain, glyphs[a], glyphs[b])
            best = max(best, ncc)
            if ncc >= CLONE_NCC:
                clones += 1
                for x, y, w, h in (glyphs[a], glyphs[b]):
                    pad = max(2, h // 4)
                    heat[max(0, y - pad):y + h + pad, max(0, x - pad):x + w + pad] = 1.0
        ctx.record_heatmap(self.name, heat)
        score = squash(best, 0.42, 0.05) if pairs else 0.0
        boxes = scale_boxes(boxes_from_map(heat, 0.5, min_area=16), 1.0 / ctx.work_scale) if score > 0.5 else []
        summary = ("A character appears twice with identical paper texture around it: it was copied and pasted."
                   if score > 0.5 else "No cloned characters found inside the image.")
        return SignalReport(name=self.name, score=float(score), boxes=boxes, summary=summary,
                            details={"glyphs": int(len(glyphs)), "pairs_checked": len(pairs),
                                     "best_ncc": round(float(best), 4), "clones": clones})


def candidate_pairs(gray: np.ndarray, glyphs: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of glyphs of like size and shape, apart from each other: each glyph with its closest look-alikes."""
    if len(glyphs) < 2:
        return []
    shapes = np.zeros((len(glyphs), SHAPE * SHAPE), np.float32)
    for i, (x, y, w, h) in enumerate(glyphs):
        crop = gray[y:y + h, x:x + w].astype(np.float32)
        ink = np.clip((crop.max() - crop) / max(float(np.ptp(crop)), 1.0), 0, 1)
        shapes[i] = cv2.resize(ink, (SHAPE, SHAPE), interpolation=cv2.INTER_AREA).reshape(-1)
    shapes -= shapes.mean(axis=1, keepdims=True)
    shapes /= np.linalg.norm(shapes, axis=1, keepdims=True) + 1e-6
    similarity = shapes @ shapes.T
    h = glyphs[:, 3].astype(np.float32)
    w = glyphs[:, 2].astype(np.float32)
    ratio_h = h[:, None] / h[None, :]
    ratio_w = w[:, None] / w[None, :]
    centres = glyphs[:, :2] + glyphs[:, 2:] / 2.0
    distance = np.linalg.norm(centres[:, None, :] - centres[None, :, :], axis=2)
    ok = (similarity > SHAPE_SIMILARITY) & (ratio_h > 0.78) & (ratio_h < 1.28) & (ratio_w > 0.7) & (ratio_w < 1.4) \
        & (distance > 1.2 * np.maximum(h[:, None], h[None, :]))
    np.fill_diagonal(ok, False)
    scored = np.where(ok, similarity, -1.0)
    pairs: set[tuple[int, int]] = set()
    for i in range(len(glyphs)):
        for j in np.argsort(-scored[i])[:NEIGHBOURS]:
            if scored[i, j] > 0:
                pairs.add((min(i, int(j)), max(i, int(j))))
    return sorted(pairs)


def clone_correlation(residual: np.ndarray, plain: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Best normalised correlation (over +-1 px) of the paper residual around glyph a, scaled onto glyph b."""
    ax, ay, aw, ah = (int(v) for v in a)
    bx, by, bw, bh = (int(v) for v in b)
    pad_b = max(3, bh // 3)
    pad_a = int(round(pad_b * ah / bh))
    H, W = residual.shape
    if min(ax - pad_a, ay - pad_a, bx - pad_b - 1, by - pad_b - 1) < 0 or ax + aw + pad_a > W or ay + ah + pad_a > H \
            or bx + bw + pad_b + 1 > W or by + bh + pad_b + 1 > H:
        return 0.0
    size = (bw + 2 * pad_b, bh + 2 * pad_b)
    src = residual[ay - pad_a:ay + ah + pad_a, ax - pad_a:ax + aw + pad_a]
    src_plain = plain[ay - pad_a:ay + ah + pad_a, ax - pad_a:ax + aw + pad_a]
    if src.shape != (size[1], size[0]):
        src = cv2.resize(src, size, interpolation=cv2.INTER_LINEAR)
        src_plain = cv2.resize(src_plain.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    best = 0.0
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            y0, x0 = by - pad_b + dy, bx - pad_b + dx
            dst = residual[y0:y0 + size[1], x0:x0 + size[0]]
            mask = src_plain & plain[y0:y0 + size[1], x0:x0 + size[0]]
            if mask.sum() < MIN_PLAIN_PIXELS:
                continue
            u, v = src[mask], dst[mask]
            u, v = u - u.mean(), v - v.mean()
            denominator = float(np.sqrt((u * u).sum() * (v * v).sum()))
            if denominator < 1e-3 or (u * u).mean() < 0.05:
                continue  # paper without texture cannot testify
            best = max(best, float((u * v).sum() / denominator))
    return best
