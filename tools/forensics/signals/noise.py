"""Noise residual: a pasted or painted-over region rarely carries the same sensor/paper noise as its surroundings."""
from __future__ import annotations

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.signals.base import block_reduce, boxes_from_map, scale_boxes, squash

BLOCK = 16


def noise_level_map(gray: np.ndarray, block: int = BLOCK, ctx: AnalysisContext | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per block: robust noise sigma of the high-pass residual on non-edge pixels, and whether the block is usable.
    With `ctx` (whose image `gray` is), the median and gradient it shares with other signals."""
    g = gray.astype(np.float32)
    median = ctx.median3(gray) if ctx is not None else cv2.medianBlur(gray, 3)
    residual = g - median.astype(np.float32)
    gradient = (ctx.gradient_l1(gray) if ctx is not None else
                np.abs(cv2.Sobel(g, cv2.CV_32F, 1, 0)) + np.abs(cv2.Sobel(g, cv2.CV_32F, 0, 1)))
    edge = cv2.dilate((gradient > 60).astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    # trimmed mean of |residual|: the median of integer residuals is too coarse (0 or 1) on clean JPEGs
    abs_res = np.minimum(np.abs(residual), 12.0)
    abs_res[edge] = np.nan
    h, w = gray.shape
    hb, wb = h // block, w // block
    if hb < 2 or wb < 2:
        return np.zeros((max(hb, 1), max(wb, 1)), np.float32), np.zeros((max(hb, 1), max(wb, 1)), bool)
    tiles = abs_res[: hb * block, : wb * block].reshape(hb, block, wb, block).swapaxes(1, 2).reshape(hb, wb, -1)
    valid_count = np.sum(~np.isnan(tiles), axis=2)
    with np.errstate(all="ignore"):
        sigma = np.nansum(tiles, axis=2) / np.maximum(valid_count, 1) * 1.2533
    mean = block_reduce(g, block)
    usable = (valid_count > block * block * 0.5) & (mean > 8) & (mean < 247)  # clipped pixels carry no noise
    return sigma.astype(np.float32), usable


class NoiseSignal:
    name = "noise"
    role = SignalRole(features=("score", "peak_dev", "region_blocks", "global_sigma", "low_noise_frac"), fallback=True)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        gray = ctx.work_gray
        sigma, usable = noise_level_map(gray, ctx=ctx)
        if usable.sum() < 12:
            ctx.record_heatmap(self.name, np.zeros(gray.shape, np.float32))
            return SignalReport(name=self.name, score=0.0, summary="Too little plain background to compare noise.",
                                details={"usable_blocks": int(usable.sum()), "peak_dev": 0.0, "region_blocks": 0,
                                         "global_sigma": 0.0, "low_noise_frac": 0.0})
        log_sigma = np.log(sigma + 0.35)
        filled = np.where(usable, log_sigma, np.median(log_sigma[usable])).astype(np.float32)
        # compare each block with its neighbourhood, so smooth lighting/vignetting changes do not count
        local = cv2.medianBlur(filled, 5) if min(filled.shape) >= 5 else np.full_like(filled, np.median(filled))
        spread = float(np.median(np.abs(filled[usable] - local[usable]))) * 1.4826 + 0.08
        deviation = np.where(usable, (filled - local) / spread, 0.0).astype(np.float32)
        strength = np.abs(deviation)
        smoothed = cv2.blur(strength, (3, 3))
        # a forged region spans several blocks: the smoothed map rewards coherent areas over single noisy blocks
        peak = float(smoothed.max())
        region_blocks = int((smoothed > 3.0).sum())
        global_sigma = float(np.median(sigma[usable]))
        low_noise_frac = float(((deviation < -3.0) & usable).mean())
        heat_blocks = np.clip((smoothed - 1.5) / 3.0, 0.0, 1.0)
        heat = cv2.resize(heat_blocks, (heat_blocks.shape[1] * BLOCK, heat_blocks.shape[0] * BLOCK),
                          interpolation=cv2.INTER_NEAREST)
        heat = cv2.copyMakeBorder(heat, 0, gray.shape[0] - heat.shape[0], 0, gray.shape[1] - heat.shape[1],
                                  cv2.BORDER_CONSTANT, value=0)
        ctx.record_heatmap(self.name, heat)
        score = squash(peak, 4.0, 0.8)
        boxes = scale_boxes(boxes_from_map(heat, 0.5, min_area=BLOCK * BLOCK * 2), 1.0 / ctx.work_scale) if score > 0.5 else []
        summary = ("A region's noise does not match its surroundings (pasted, painted over or smoothed)."
                   if score > 0.5 else "Background noise is consistent across the image.")
        return SignalReport(name=self.name, score=score, boxes=boxes, summary=summary,
                            details={"usable_blocks": int(usable.sum()), "peak_dev": round(peak, 3),
                                     "region_blocks": region_blocks, "global_sigma": round(global_sigma, 4),
                                     "low_noise_frac": round(low_noise_frac, 5)})
