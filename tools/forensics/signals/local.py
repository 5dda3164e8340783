"""Local inconsistency: a learned block detector over neighbourhood-relative statistics.

Each 16x16 block of the page is described by its paper noise, tone and chroma, edge energy, sharpness and
error level, each also relative to its neighbourhood and to the whole page. A gradient-boosted classifier,
trained on generated forgeries with their boxes (`credlift forensics train`), learns which departures from
the neighbourhood are edits and which are page structure (borders, seals, photos, viewer chrome).
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext, resave_error
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.signals.base import (boxes_from_map, cells_to_map, load_model, load_trees, scale_boxes,
                                                        unmapped_report)

BLOCK = 16
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "local_blocks.joblib"
STAT_NAMES = ("noise", "L", "a", "b", "gradient", "laplacian", "ela", "paper")


def block_statistics(rgb: np.ndarray, ctx: AnalysisContext | None = None) -> np.ndarray:
    """(hb, wb, len(STAT_NAMES)) per-block means; noise and tone over plain paper pixels only. With `ctx` (whose
    image `rgb` is), the grey, gradient, median, YCrCb and JPEG re-save it shares with other signals."""
    if ctx is not None:
        gray = ctx.gray_of(rgb)
        g = gray.astype(np.float32)
        gradient, median = ctx.gradient_l1(gray), ctx.median3(gray)
        lab = ctx.ycrcb_of(rgb).astype(np.float32)
        ela = ctx.resave_error(rgb, 90)
    else:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        g = gray.astype(np.float32)
        gradient = np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1))
        median = cv2.medianBlur(gray, 3)
        lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).astype(np.float32)  # luma and two chroma planes, cheaper than Lab
        ela = resave_error(rgb, 90)
    h, w = gray.shape
    hb, wb = h // BLOCK, w // BLOCK
    laplacian = np.abs(cv2.Laplacian(g, cv2.CV_32F))
    paper = (cv2.dilate((gradient > 40).astype(np.uint8), np.ones((3, 3), np.uint8)) == 0).astype(np.float32)
    noise = np.minimum(np.abs(g - median.astype(np.float32)), 12.0)

    def means(plane: np.ndarray) -> np.ndarray:
        cropped = np.ascontiguousarray(plane[: hb * BLOCK, : wb * BLOCK], dtype=np.float32)
        return cv2.resize(cropped, (wb, hb), interpolation=cv2.INTER_AREA)

    paper_share = means(paper)
    denominator = np.maximum(paper_share, 1.0 / (BLOCK * BLOCK))

    def paper_means(plane: np.ndarray) -> np.ndarray:
        return means(plane * paper) / denominator

    stats = [paper_means(noise), paper_means(lab[..., 0]), paper_means(lab[..., 1]), paper_means(lab[..., 2]),
             means(gradient), means(laplacian), means(ela.astype(np.float32)), paper_share]
    return np.stack(stats, axis=2).astype(np.float32)


def block_features(rgb: np.ndarray, ctx: AnalysisContext | None = None) -> np.ndarray:
    """(hb, wb, F): each statistic as is, minus its 5x5 neighbourhood median, minus a wide mean, over the page median."""
    stats = block_statistics(rgb, ctx)
    hb, wb, k = stats.shape
    if hb < 5 or wb < 5:
        return np.zeros((hb, wb, k * 5), np.float32)
    planes = []
    for i in range(k):
        s = np.ascontiguousarray(stats[..., i])
        local = cv2.medianBlur(s, 5)
        ring = cv2.blur(s, (3, 3))
        wide = cv2.blur(s, (15, 15))
        page = float(np.median(s))
        planes += [s, s - local, s - wide, ring - cv2.blur(s, (7, 7)), s - page]
    return np.stack(planes, axis=2).astype(np.float32)


def feature_names() -> list[str]:
    return [f"{stat}.{variant}" for stat in STAT_NAMES for variant in ("value", "minus_local", "minus_wide",
                                                                       "ring_minus_7", "minus_page")]


class LocalInconsistencySignal:
    name = "local"
    role = SignalRole(features=("score", "top_mean", "area"), fallback=True)

    def __init__(self, model_path: Path = MODEL_PATH) -> None:
        self.model_path = model_path

    def prepare(self) -> None:
        """Loads what this check runs on, once per process (warm-up: the first upload is not the slow one)."""
        load_model(self.model_path, loader=load_trees)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        model = load_model(self.model_path, loader=load_trees)
        rgb = ctx.work_rgb
        features = block_features(rgb, ctx)
        hb, wb, k = features.shape
        if model is None or hb < 5 or wb < 5:
            return unmapped_report(ctx, self.name, "The learned block detector is not trained yet." if model is None
                                   else "The image is too small for block analysis.",
                                   {"max_prob": 0.0, "top_mean": 0.0, "area": 0, "trained": model is not None})
        probability = model.predict_proba(features.reshape(-1, k))[:, 1].reshape(hb, wb).astype(np.float32)
        smoothed = cv2.blur(probability, (2, 2))
        top = np.sort(probability.reshape(-1))[-4:]
        max_prob = float(smoothed.max())
        heat = cells_to_map(probability, BLOCK, rgb.shape[:2])
        ctx.record_heatmap(self.name, heat)
        score = max_prob
        boxes = scale_boxes(boxes_from_map(heat, 0.5, min_area=BLOCK * BLOCK), 1.0 / ctx.work_scale) if score > 0.5 else []
        summary = ("Some blocks depart from their neighbourhood the way edited areas do (learned block detector)."
                   if score > 0.5 else "No block departs from its neighbourhood like an edit.")
        return SignalReport(name=self.name, score=float(np.clip(score, 0, 1)), boxes=boxes, summary=summary,
                            details={"max_prob": round(max_prob, 4), "top_mean": round(float(top.mean()), 4),
                                     "area": int((probability > 0.5).sum()), "trained": True})
