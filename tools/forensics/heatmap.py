"""Where: one map from the signals' maps, and an overlay PNG for staff (never shown to applicants)."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from credlift.domain.authenticity import SignalReport

OVERLAY_LONG_SIDE = 1600
# Signals whose map marks a place; below this score a signal's map is not trusted enough to show.
MIN_SIGNAL_SCORE = 0.3


def combine_heatmaps(heatmaps: dict[str, np.ndarray], signals: list[SignalReport],
                     shape: tuple[int, int]) -> np.ndarray:
    """Per pixel: the strongest map, each weighted by how sure its signal is about the image as a whole."""
    combined = np.zeros(shape, np.float32)
    scores = {s.name: s.score for s in signals}
    for name, heat in heatmaps.items():
        weight = scores.get(name, 0.0)
        if weight < MIN_SIGNAL_SCORE or heat.shape != shape:
            continue
        np.maximum(combined, heat * weight, out=combined)
    return combined


def write_overlay(rgb: np.ndarray, heat: np.ndarray, signals: list[SignalReport], path: Path) -> Path:
    """Image dimmed, heat in colour, boxes of the signals that fired outlined; written as PNG."""
    factor = min(1.0, OVERLAY_LONG_SIDE / max(rgb.shape[:2]))
    size = (max(1, round(rgb.shape[1] * factor)), max(1, round(rgb.shape[0] * factor)))
    base = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if factor < 1 else rgb.copy()
    small_heat = cv2.resize(heat, size, interpolation=cv2.INTER_LINEAR) if factor < 1 else heat
    bgr = cv2.cvtColor(base, cv2.COLOR_RGB2BGR)
    colour = cv2.applyColorMap((np.clip(small_heat, 0, 1) * 255).astype(np.uint8), cv2.COLORMAP_JET)
    alpha = (np.clip(small_heat, 0, 1) * 0.6)[..., None]
    blended = (bgr * (1 - alpha) * 0.85 + colour * alpha).astype(np.uint8)
    for signal in signals:
        if signal.score < 0.5:
            continue
        for box in signal.boxes:
            x, y = int(box.x * factor), int(box.y * factor)
            cv2.rectangle(blended, (x, y), (x + int(box.w * factor), y + int(box.h * factor)), (0, 0, 255), 2)
            cv2.putText(blended, signal.name, (x, max(12, y - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 255), 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), blended)
    return path
