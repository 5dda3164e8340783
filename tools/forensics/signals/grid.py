"""Compression-history cells: a learned detector over 16x16 cells on the file's own JPEG grid, at full resolution.

An untouched area of a re-saved photo went through two JPEG compressions; pasted, cloned or retyped content
through one. Recompressing the luma plane at a ladder of qualities (JPEG ghosts) shows the first quality as a
dip that edited cells lack; blockiness across the 8x8 grid, paper and ink noise (Immerkaer's operator), edge
sharpness and ink chroma describe the content. Each cell statistic is also given relative to its neighbourhood
and to the page, and a gradient-boosted classifier, trained on generated forgeries with their boxes
(`credlift forensics train`), turns them into a per-cell probability of an edit.
"""
from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.signals.base import boxes_from_map, cells_to_map, load_model, load_trees, unmapped_report

CELL = 16
GHOST_QUALITIES = (55, 65, 72, 78, 84, 90, 95)
MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "grid_cells.joblib"
IMMERKAER = np.float32([[1, -2, 1], [-2, 4, -2], [1, -2, 1]])
# statistics also given relative to the neighbourhood and the page
CONTEXTUAL = ("lap", "noise_flat", "noise_all", "median_residual", "edge_sharpness", "cb", "cr", "cb_ink", "cr_ink",
              "paper_tone", "chroma_noise", "blockiness", *(f"ghost{q}" for q in GHOST_QUALITIES))


def _cell_mean(plane: np.ndarray, hb: int, wb: int, weight: np.ndarray | None = None):
    # views where the planes are float32 already (a weight used more than once comes converted): copies of the
    # page were a third of this check's time, and the means over the same values are the same
    p = plane[: hb * CELL, : wb * CELL].astype(np.float32, copy=False)
    if weight is None:
        return p.reshape(hb, CELL, wb, CELL).mean(axis=(1, 3))
    w = weight[: hb * CELL, : wb * CELL].astype(np.float32, copy=False)
    total = (p * w).reshape(hb, CELL, wb, CELL).sum(axis=(1, 3))
    count = w.reshape(hb, CELL, wb, CELL).sum(axis=(1, 3))
    return total / np.maximum(count, 1), count / (CELL * CELL)


def _recompressed(luma: np.ndarray, quality: int) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(luma).save(buffer, "JPEG", quality=int(quality))
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())))


def _grid_steps(yf: np.ndarray, offset: int) -> np.ndarray:
    """|step| between columns offset and offset+1 of every 8-pixel block, and the same for rows, as a map."""
    out = np.zeros_like(yf)
    cols = np.arange(offset, yf.shape[1] - 1, 8)
    rows = np.arange(offset, yf.shape[0] - 1, 8)
    out[:, cols] += np.abs(yf[:, cols + 1] - yf[:, cols])  # the steps read, not the whole page's differences
    out[rows, :] += np.abs(yf[rows + 1, :] - yf[rows, :])
    return out


def cell_statistics(ycbcr: np.ndarray) -> dict[str, np.ndarray]:
    """Per-cell statistics of a YCbCr image whose (0, 0) is the JPEG grid origin."""
    luma = np.ascontiguousarray(ycbcr[..., 0])
    yf = luma.astype(np.float32)
    hb, wb = luma.shape[0] // CELL, luma.shape[1] // CELL
    gradient = np.abs(cv2.Sobel(yf, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(yf, cv2.CV_32F, 0, 1))
    edge = cv2.dilate((gradient > 48).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    flat = (~edge).astype(np.float32)  # a weight of four means
    stats: dict[str, np.ndarray] = {}
    stats["lap"] = np.log1p(_cell_mean(np.abs(cv2.Laplacian(yf, cv2.CV_32F)), hb, wb))
    stats["gradient"] = np.log1p(_cell_mean(gradient, hb, wb))
    high_pass = np.abs(cv2.filter2D(yf, -1, IMMERKAER))
    noise_flat, flat_share = _cell_mean(np.minimum(high_pass, 40), hb, wb, flat)
    stats["noise_flat"] = np.log(noise_flat + 0.3)
    stats["flat_share"] = flat_share
    stats["noise_all"] = np.log(_cell_mean(np.minimum(high_pass, 60), hb, wb) + 0.3)
    median = cv2.medianBlur(luma, 3).astype(np.float32)
    stats["median_residual"] = np.log(_cell_mean(np.minimum(np.abs(yf - median), 20), hb, wb, flat)[0] + 0.3)
    paper = cv2.dilate(luma, np.ones((7, 7), np.uint8)).astype(np.float32)
    ink = ((paper - yf) > 40).astype(np.float32)  # a weight of three means
    stats["ink_share"] = _cell_mean(ink, hb, wb)
    contrast = np.maximum(paper - cv2.erode(luma, np.ones((7, 7), np.uint8)).astype(np.float32), 1)
    stats["edge_sharpness"] = _cell_mean(gradient / contrast, hb, wb, edge)[0]
    cb, cr = ycbcr[..., 1].astype(np.float32), ycbcr[..., 2].astype(np.float32)
    stats["cb"], stats["cr"] = _cell_mean(cb, hb, wb), _cell_mean(cr, hb, wb)
    stats["cb_ink"], stats["cr_ink"] = _cell_mean(cb, hb, wb, ink)[0], _cell_mean(cr, hb, wb, ink)[0]
    stats["paper_tone"] = _cell_mean(yf, hb, wb, flat)[0]
    chroma_noise = np.minimum(np.abs(cv2.filter2D(cr, -1, IMMERKAER)), 40)
    stats["chroma_noise"] = np.log(_cell_mean(chroma_noise, hb, wb, flat)[0] + 0.3)
    for quality in GHOST_QUALITIES:
        difference = np.abs(_recompressed(luma, quality).astype(np.float32) - yf)
        stats[f"ghost{quality}"] = np.log(_cell_mean(difference, hb, wb) + 0.05)
    across, inside = _grid_steps(yf, 7), _grid_steps(yf, 3)
    stats["blockiness"] = np.log((_cell_mean(across, hb, wb) + 0.05) / (_cell_mean(inside, hb, wb) + 0.05))
    return stats


def cell_features(ycbcr: np.ndarray, jpeg_quality: float | None) -> np.ndarray:
    """(hb, wb, F): the statistics, the contextual ones also minus their 5x5 median, a 9x9 mean and the page
    median, plus the page's format, quality and ghost curve."""
    stats = cell_statistics(ycbcr)
    hb, wb = stats["lap"].shape
    usable = stats["flat_share"] > 0.3
    planes = []
    for name, values in stats.items():
        values = values.astype(np.float32)
        planes.append(values)
        if name in CONTEXTUAL:
            page = float(np.median(values[usable])) if usable.sum() > 10 else float(np.median(values))
            planes += [values - cv2.medianBlur(values, 5), values - cv2.blur(values, (9, 9)), values - page]
    planes.append(np.full((hb, wb), float(jpeg_quality is not None), np.float32))
    planes.append(np.full((hb, wb), float(jpeg_quality or 0.0), np.float32))
    for quality in GHOST_QUALITIES:
        planes.append(np.full((hb, wb), float(np.median(stats[f"ghost{quality}"])), np.float32))
    return np.stack(planes, axis=2)


def analysed_cells(ctx: AnalysisContext) -> np.ndarray | None:
    """The cell features of an upload, on its JPEG grid when it has one; None when too small for cells."""
    grid, _ = ctx.grid_rgb
    if min(grid.shape[:2]) < 5 * CELL:
        return None
    ycrcb = ctx.ycrcb_of(grid)
    ycbcr = ycrcb[..., [0, 2, 1]]
    return cell_features(ycbcr, ctx.jpeg.quality if ctx.jpeg is not None else None)


class GridCellSignal:
    name = "grid"
    # deferred: about a fifth of a page's forensic CPU, and on most honest pages the other checks already put the fused
    # score under the threshold whatever it finds (assess: the cascade)
    role = SignalRole(features=("score", "max_prob", "top_mean", "area"), deferred=True,
                      feature_ranges=((0.0, 1.0), (0.0, 1.0), (0.0, 1.0), (0.0, float("inf"))))

    def __init__(self, model_path: Path = MODEL_PATH) -> None:
        self.model_path = model_path

    def prepare(self) -> None:
        """Loads what this check runs on, once per process (warm-up: the first upload is not the slow one)."""
        load_model(self.model_path, loader=load_trees)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        model = load_model(self.model_path, loader=load_trees)
        features = analysed_cells(ctx) if model is not None else None
        if features is None:
            return unmapped_report(ctx, self.name, "The compression-history detector is not trained yet."
                                   if model is None else "The image is too small for cell analysis.",
                                   {"max_prob": 0.0, "top_mean": 0.0, "area": 0, "trained": model is not None})
        hb, wb, k = features.shape
        probability = model.predict_proba(features.reshape(-1, k))[:, 1].reshape(hb, wb).astype(np.float32)
        score = float(cv2.blur(probability, (2, 2)).max())
        top = np.sort(probability.reshape(-1))[-3:]
        heat = ctx.grid_map_to_analysed(cells_to_map(probability, CELL, ctx.grid_rgb[0].shape))
        ctx.record_heatmap(self.name, heat)
        boxes = boxes_from_map(heat, 0.5, min_area=CELL * CELL) if score > 0.5 else []
        summary = ("Some areas carry a different compression history or texture than the page around them."
                   if score > 0.5 else "Compression history and texture are consistent across the page.")
        return SignalReport(name=self.name, score=float(np.clip(score, 0, 1)), boxes=boxes, summary=summary,
                            details={"max_prob": round(float(probability.max()), 4),
                                     "top_mean": round(float(top.mean()), 4),
                                     "area": int((probability > 0.5).sum()), "trained": True})
