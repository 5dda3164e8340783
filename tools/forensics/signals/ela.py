"""Error level analysis: re-save at a known quality and look for regions whose error level does not fit their content.

Plain ELA lights up every sharp text edge; here the error is divided by the local edge energy, so only areas that
recompress differently from similar content stand out (a region pasted from another source or re-rendered).
"""
from __future__ import annotations

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext, resave_error
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.signals.base import block_reduce, boxes_from_map, robust_z, squash

RESAVE_QUALITY = 90
BLOCK = 16
MAX_PIXELS = 8_000_000


def error_level(rgb: np.ndarray, quality: int = RESAVE_QUALITY) -> np.ndarray:
    """Per-pixel absolute difference (max over channels) between the image and its JPEG re-save."""
    return resave_error(rgb, quality).astype(np.float32)


class ErrorLevelSignal:
    name = "ela"
    role = SignalRole(features=("score", "peak_z", "outlier_frac", "plain_ela", "mean_error"), fallback=True)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        grid, grid_intact = ctx.grid_rgb
        use_grid = grid.shape[0] * grid.shape[1] <= MAX_PIXELS
        image = grid if use_grid else ctx.work_rgb
        ela = ctx.resave_error(image, RESAVE_QUALITY).astype(np.float32)  # = error_level(image), shared
        edges = ctx.gradient_l1(ctx.gray_of(image))
        ela_b = block_reduce(ela, BLOCK)
        edge_b = block_reduce(edges, BLOCK)
        # error per unit of content; the constant keeps flat paper from dividing by ~0
        ratio = np.log1p(ela_b) - np.log1p(edge_b / 8.0 + 2.0)
        z = robust_z(ratio)
        z = cv2.GaussianBlur(z, (3, 3), 0)
        peak = float(z.max())
        outlier_frac = float((z > 4.0).mean())
        plain = float(np.percentile(ela_b, 99.8) / (np.mean(ela_b) + 1.0)) if ela_b.size > 1 else 0.0
        heat_blocks = np.clip((z - 2.0) / 4.0, 0.0, 1.0)
        heat = cv2.resize(heat_blocks, (ela.shape[1] // BLOCK * BLOCK, ela.shape[0] // BLOCK * BLOCK),
                          interpolation=cv2.INTER_NEAREST)
        heat = cv2.copyMakeBorder(heat, 0, ela.shape[0] - heat.shape[0], 0, ela.shape[1] - heat.shape[1],
                                  cv2.BORDER_CONSTANT, value=0)
        heat = ctx.grid_map_to_analysed(heat) if use_grid else heat
        ctx.record_heatmap(self.name, heat)
        # the baseline map is plain ELA, kept for the side-by-side evaluation
        ctx.memo["ela_plain_map"] = ela
        score = squash(peak, 5.0, 1.2)
        full = ctx.heatmaps[self.name]
        boxes = boxes_from_map(full, 0.5, min_area=BLOCK * BLOCK * 2) if score > 0.5 else []
        summary = ("Some regions recompress differently from content like them (error level analysis)."
                   if score > 0.5 else "Error levels are consistent across the image.")
        return SignalReport(name=self.name, score=score, boxes=boxes, summary=summary,
                            details={"peak_z": round(peak, 3), "outlier_frac": round(outlier_frac, 5),
                                     "plain_ela": round(plain, 4), "mean_error": round(float(ela.mean()), 4),
                                     "grid_intact": grid_intact})
