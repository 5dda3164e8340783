"""Compression history: JPEG ghosts (a region that was saved at another quality) and 8x8 block-grid misalignment.

Both need the file's own block grid, so they run on the undecoded-orientation, unscaled JPEG (`ctx.grid_rgb`).
"""
from __future__ import annotations

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map
from credlift.tools.forensics.signals.base import block_reduce, boxes_from_map, robust_z, squash

BLOCK = 16
GHOST_QUALITIES = tuple(range(50, 96, 5))
MAX_PIXELS = 6_000_000
GRID_WINDOW = 64


def jpeg_ghost_map(gray: np.ndarray, file_quality: float) -> np.ndarray:
    """Per block: how much deeper a dip the block shows at some lower quality than the image as a whole (z units)."""
    g = gray.astype(np.float32)
    content = block_reduce(np.abs(cv2.Laplacian(g, cv2.CV_32F)), BLOCK)
    textured = content > max(np.percentile(content, 40), 1.0)
    curves = []
    hb, wb = gray.shape[0] // BLOCK, gray.shape[1] // BLOCK
    for quality in GHOST_QUALITIES:
        ok, encoded = cv2.imencode(".jpg", gray, [cv2.IMWRITE_JPEG_QUALITY, quality])
        resaved = cv2.imdecode(encoded, cv2.IMREAD_GRAYSCALE)
        difference = cv2.absdiff(gray, resaved)[: hb * BLOCK, : wb * BLOCK].astype(np.float32)
        squared = cv2.multiply(difference, difference)
        # each block's mean squared error: whole numbers summing to under 2**24 per block, divided by a power of
        # two, so float32 gives them exactly in any order: OpenCV's area average over whole blocks is the
        # block_reduce figure bit for bit, at a third of the time of numpy's strided sum
        curves.append(cv2.resize(squared, (wb, hb), interpolation=cv2.INTER_AREA) if hb and wb
                      else block_reduce(squared, BLOCK))
    stack = np.stack(curves)  # q x hb x wb
    # normalise each block's curve to [0, 1] across qualities, as in Farid's JPEG ghosts
    low, high = stack.min(axis=0), stack.max(axis=0)
    normalised = (stack - low) / (high - low + 1e-3)
    evidence = np.zeros(stack.shape[1:], np.float32)
    for index, quality in enumerate(GHOST_QUALITIES):
        if quality >= file_quality - 7:
            continue  # a dip at or above the file's own quality is what every block shows
        dip = -robust_z(normalised[index], textured)
        evidence = np.maximum(evidence, np.where(textured, dip, 0.0))
    return evidence


def grid_misalignment_map(gray: np.ndarray) -> tuple[np.ndarray, float]:
    """Per window: 1 where the local 8x8 blocking phase is confident and differs from the image's phase."""
    g = gray.astype(np.float32)
    dh = np.abs(2 * g[:, 1:-1] - g[:, :-2] - g[:, 2:])
    dv = np.abs(2 * g[1:-1, :] - g[:-2, :] - g[2:, :])
    h, w = gray.shape
    hw, ww = h // GRID_WINDOW, w // GRID_WINDOW
    if hw < 2 or ww < 2:
        return np.zeros((max(hw, 1), max(ww, 1)), np.float32), 0.0

    def column_phase_energy(diff: np.ndarray, rows: int, cols: int) -> np.ndarray:
        # energy per window per phase (x mod 8) of vertical block boundaries; windows start on multiples of 8
        padded = np.zeros((rows, cols), np.float32)
        padded[:, 1:-1] = diff
        wh, wwn = rows // GRID_WINDOW, cols // GRID_WINDOW
        crop = padded[: wh * GRID_WINDOW, : wwn * GRID_WINDOW]
        per_window_rows = crop.reshape(wh, GRID_WINDOW, wwn * GRID_WINDOW).sum(axis=1)
        return per_window_rows.reshape(wh, wwn, GRID_WINDOW // 8, 8).sum(axis=2)

    eh = column_phase_energy(dh, h, w)
    ev = column_phase_energy(dv.T, w, h).transpose(1, 0, 2)
    global_h, global_v = int(np.argmax(eh.sum(axis=(0, 1)))), int(np.argmax(ev.sum(axis=(0, 1))))
    strength = float(eh.sum(axis=(0, 1)).max() / (eh.sum(axis=(0, 1)).mean() + 1e-6))

    def confident_other(e: np.ndarray, global_phase: int) -> np.ndarray:
        best = np.argmax(e, axis=2)
        sorted_e = np.sort(e, axis=2)
        confidence = sorted_e[:, :, -1] / (np.median(e, axis=2) + 1e-6)
        return (best != global_phase) & (confidence > 1.6)

    misaligned = (confident_other(eh, global_h) | confident_other(ev, global_v)).astype(np.float32)
    return misaligned, strength


class CompressionSignal:
    name = "compression"
    role = SignalRole(features=("score", "ghost_peak", "ghost_blocks", "grid_misaligned_frac", "grid_strength",
                                "jpeg_quality"), fallback=True)

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        grid_rgb, grid_intact = ctx.grid_rgb
        jpeg = ctx.jpeg
        if grid_rgb.shape[0] * grid_rgb.shape[1] > MAX_PIXELS or not grid_intact:
            # without the file's own grid there is nothing to align; say so rather than guess
            ctx.record_heatmap(self.name, np.zeros(ctx.shape, np.float32))
            return SignalReport(name=self.name, score=0.0,
                                summary="Compression history not analysed (not a JPEG on its original grid).",
                                details={"ghost_peak": 0.0, "ghost_blocks": 0, "grid_misaligned_frac": 0.0,
                                         "grid_strength": 0.0, "jpeg_quality": float(jpeg.quality) if jpeg else 0.0,
                                         "analysed": False})
        gray = ctx.gray_of(grid_rgb)
        ghost = jpeg_ghost_map(gray, jpeg.quality)
        ghost_s = cv2.GaussianBlur(ghost, (3, 3), 0)
        ghost_peak = float(ghost_s.max())
        ghost_blocks = int((ghost_s > 4.0).sum())
        misaligned, grid_strength = grid_misalignment_map(gray)
        smooth_mis = cv2.blur(misaligned, (3, 3)) if min(misaligned.shape) >= 3 else misaligned
        grid_frac = float((smooth_mis > 0.6).mean()) if grid_strength > 1.3 else 0.0
        h, w = gray.shape
        ghost_heat = _upsample(np.clip((ghost_s - 2.0) / 4.0, 0, 1), BLOCK, (h, w))
        grid_heat = _upsample((smooth_mis > 0.6).astype(np.float32) if grid_strength > 1.3 else
                              np.zeros_like(smooth_mis), GRID_WINDOW, (h, w))
        heat = ctx.grid_map_to_analysed(np.maximum(ghost_heat, grid_heat))
        ctx.record_heatmap(self.name, heat)
        score = max(squash(ghost_peak, 6.0, 1.2), squash(grid_frac, 0.04, 0.01) if grid_frac > 0 else 0.0)
        full = ctx.heatmaps[self.name]
        boxes = boxes_from_map(full, 0.5, min_area=BLOCK * BLOCK * 2) if score > 0.5 else []
        summary = ("Part of the image carries a different compression history (JPEG ghost or shifted block grid)."
                   if score > 0.5 else "Compression history is uniform.")
        return SignalReport(name=self.name, score=score, boxes=boxes, summary=summary,
                            details={"ghost_peak": round(ghost_peak, 3), "ghost_blocks": ghost_blocks,
                                     "grid_misaligned_frac": round(grid_frac, 5),
                                     "grid_strength": round(grid_strength, 4),
                                     "jpeg_quality": round(float(jpeg.quality), 1), "analysed": True})


def _upsample(blocks: np.ndarray, block: int, shape: tuple[int, int]) -> np.ndarray:
    big = cv2.resize(blocks.astype(np.float32), (blocks.shape[1] * block, blocks.shape[0] * block),
                     interpolation=cv2.INTER_NEAREST)
    return cv2.copyMakeBorder(big[: shape[0], : shape[1]], 0, max(0, shape[0] - big.shape[0]), 0,
                              max(0, shape[1] - big.shape[1]), cv2.BORDER_CONSTANT, value=0)
