"""Copy-move: a region of the image duplicated elsewhere in it (digits cloned over a score, paper cloned over text).

SIFT keypoints are matched against the image itself with the generalised 2-nearest-neighbour test, then grouped
by displacement. Repeated glyphs of an honest document also match, so each group is checked on the paper
around the glyphs: a cloned region carries the same background noise, two printed copies of a glyph do not.
A block-matching pass finds cloned regions too plain for keypoints (paper pasted over a line of text).
"""
from __future__ import annotations

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import boxes_from_map, scale_boxes, squash

LONG_SIDE = 1280
MIN_SHIFT = 12
MAX_FEATURES = 5000
NCC_WINDOW = 11
CLONE_NCC = 0.6
MIN_CLONE_AREA = 60


class CopyMoveSignal:
    name = "copy_move"

    def __init__(self) -> None:
        self._sift = cv2.SIFT_create(nfeatures=MAX_FEATURES, contrastThreshold=0.02)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        gray = ctx.work_gray
        factor = min(1.0, LONG_SIDE / max(gray.shape))
        if factor < 1.0:
            gray = cv2.resize(gray, (round(gray.shape[1] * factor), round(gray.shape[0] * factor)),
                              interpolation=cv2.INTER_AREA)
        heat = np.zeros(gray.shape, np.float32)
        clusters = self._keypoint_clusters(gray)
        residual, plain = _paper_residual(gray)
        best_pairs, best_ncc, best_area = 0, 0.0, 0
        for source, target in clusters:
            shift = np.median(target - source, axis=0)
            agreement = _shifted_agreement(residual, plain, int(round(shift[0])), int(round(shift[1])))
            cloned = agreement > CLONE_NCC
            cloned = cv2.morphologyEx(cloned.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8)) > 0
            area = int(cloned.sum())
            if area > best_area or (area == best_area and len(source) > best_pairs):
                best_pairs, best_area = len(source), area
                best_ncc = float(agreement[cloned].mean()) if area else float(np.percentile(agreement, 99.9))
            if area >= MIN_CLONE_AREA:
                dx, dy = int(round(shift[0])), int(round(shift[1]))
                target_mask = np.zeros_like(cloned)
                h, w = cloned.shape
                ys, xs = np.nonzero(cloned)
                keep = (ys + dy >= 0) & (ys + dy < h) & (xs + dx >= 0) & (xs + dx < w)
                target_mask[ys[keep] + dy, xs[keep] + dx] = True
                heat[cloned | target_mask] = 1.0
        heat = cv2.dilate(heat, np.ones((7, 7), np.uint8))
        ctx.record_heatmap(self.name, heat)
        # cloned paper of a few hundred pixels is already conclusive: honest repeats never share their noise
        score = squash(best_area, 250.0, 80.0) if best_area else 0.0
        boxes = scale_boxes(boxes_from_map(heat, 0.5, min_area=36), 1.0 / (ctx.work_scale * factor)) if score > 0.5 else []
        summary = ("A region appears twice in the image with identical paper texture (copied and pasted)."
                   if score > 0.5 else "No duplicated regions found inside the image.")
        return SignalReport(name=self.name, score=float(score), boxes=boxes, summary=summary,
                            details={"clusters": len(clusters), "best_pairs": int(best_pairs),
                                     "best_ncc": round(float(best_ncc), 4), "cloned_area": int(best_area)})

    def _keypoint_clusters(self, gray: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        keypoints, descriptors = self._sift.detectAndCompute(gray, None)
        if descriptors is None or len(keypoints) < 8:
            return []
        points = np.array([k.pt for k in keypoints], np.float32)
        matcher = cv2.BFMatcher(cv2.NORM_L2)
        knn = matcher.knnMatch(descriptors, descriptors, k=4)
        pairs: set[tuple[int, int]] = set()
        for candidates in knn:
            # candidates[0] is the point itself; g2NN: accept neighbours much closer than the next one
            others = [m for m in candidates if m.trainIdx != m.queryIdx]
            for first, second in zip(others, others[1:]):
                if first.distance >= 0.5 * second.distance:
                    break
                a, b = first.queryIdx, first.trainIdx
                if np.linalg.norm(points[a] - points[b]) >= MIN_SHIFT:
                    pairs.add((min(a, b), max(a, b)))
                break
        if len(pairs) < 2:
            return []
        index = np.array(sorted(pairs))
        source, target = points[index[:, 0]], points[index[:, 1]]
        # orient each pair so the displacement points into the same half-plane
        flip = (target[:, 0] < source[:, 0]) | ((target[:, 0] == source[:, 0]) & (target[:, 1] < source[:, 1]))
        source[flip], target[flip] = target[flip].copy(), source[flip].copy()
        shifts = target - source
        bins = np.round(shifts / 6.0).astype(np.int32)
        clusters = []
        used = np.zeros(len(shifts), bool)
        keys, counts = np.unique(bins, axis=0, return_counts=True)
        for key in keys[np.argsort(-counts)]:
            near = (np.abs(bins - key).max(axis=1) <= 1) & ~used
            if near.sum() < 2:
                continue
            used |= near
            clusters.append((source[near], target[near]))
            if len(clusters) >= 16:
                break
        return clusters


def _paper_residual(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fine residual (noise) and a mask of plain paper pixels, where printed glyph edges cannot match by design."""
    g = gray.astype(np.float32)
    residual = g - cv2.GaussianBlur(g, (0, 0), 1.0)
    gradient = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1))
    plain = cv2.erode((gradient < 48).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    residual[~plain] = 0.0
    return residual, plain


def _shifted_agreement(residual: np.ndarray, plain: np.ndarray, dx: int, dy: int) -> np.ndarray:
    """Local normalised correlation between the residual at p and at p + (dx, dy), on plain paper only."""
    h, w = residual.shape
    agreement = np.zeros((h, w), np.float32)
    if abs(dx) >= w or abs(dy) >= h:
        return agreement
    ys, ye = max(0, -dy), min(h, h - dy)
    xs, xe = max(0, -dx), min(w, w - dx)
    a = residual[ys:ye, xs:xe]
    b = residual[ys + dy:ye + dy, xs + dx:xe + dx]
    both = (plain[ys:ye, xs:xe] & plain[ys + dy:ye + dy, xs + dx:xe + dx]).astype(np.float32)
    a, b = a * both, b * both
    window = (NCC_WINDOW, NCC_WINDOW)
    ab = cv2.boxFilter(a * b, -1, window, normalize=False)
    aa = cv2.boxFilter(a * a, -1, window, normalize=False)
    bb = cv2.boxFilter(b * b, -1, window, normalize=False)
    support = cv2.boxFilter(both, -1, window, normalize=False)
    ncc = ab / np.sqrt(aa * bb + 1e-3)
    # windows with little plain paper or almost no noise cannot testify either way
    ncc[(support < 0.3 * NCC_WINDOW * NCC_WINDOW) | (aa < support * 0.2) | (bb < support * 0.2)] = 0.0
    agreement[ys:ye, xs:xe] = ncc
    return agreement
