"""The fusion model's inputs: a fixed, ordered vector of numbers read from the image signals' reports."""
from __future__ import annotations

import math

import numpy as np

from credlift.domain.authenticity import SignalReport

# (signal, detail key); "score" is the signal's own score. Order is part of the trained model: append only.
FEATURE_SPEC: tuple[tuple[str, str], ...] = (
    ("metadata", "score"), ("metadata", "editor"), ("metadata", "generator"),
    ("ela", "score"), ("ela", "peak_z"), ("ela", "outlier_frac"), ("ela", "plain_ela"), ("ela", "mean_error"),
    ("compression", "score"), ("compression", "ghost_peak"), ("compression", "ghost_blocks"),
    ("compression", "grid_misaligned_frac"), ("compression", "grid_strength"), ("compression", "jpeg_quality"),
    ("noise", "score"), ("noise", "peak_dev"), ("noise", "region_blocks"), ("noise", "global_sigma"),
    ("noise", "low_noise_frac"),
    ("copy_move", "score"), ("copy_move", "best_ncc"), ("copy_move", "clones"), ("copy_move", "pairs_checked"),
    ("document", "score"), ("document", "peak_z"), ("document", "glyph_tone_step_z"),
    ("document", "glyph_chroma_step_z"), ("document", "glyph_noise_ratio_z"), ("document", "glyph_sharpness_ratio_z"),
    ("document", "line_tone_step_z"), ("document", "line_chroma_step_z"), ("document", "line_noise_ratio_z"),
    ("document", "line_sharpness_ratio_z"),
    ("ai_generation", "score"), ("ai_generation", "spectral_peak"), ("ai_generation", "hf_falloff"),
    ("local", "score"), ("local", "top_mean"), ("local", "area"),
    ("grid", "score"), ("grid", "max_prob"), ("grid", "top_mean"), ("grid", "area"),
    ("trace", "score"), ("trace", "max_prob"), ("trace", "top_mean"), ("trace", "area"), ("trace", "mean_prob"),
)
FEATURE_NAMES: tuple[str, ...] = tuple(f"{signal}.{key}" for signal, key in FEATURE_SPEC)


def feature_vector(signals: list[SignalReport]) -> np.ndarray:
    """Missing signals or details read as 0 (a signal that did not run found nothing)."""
    by_name = {s.name: s for s in signals}
    values = []
    for signal, key in FEATURE_SPEC:
        report = by_name.get(signal)
        if report is None:
            values.append(0.0)
            continue
        raw = report.score if key == "score" else report.details.get(key, 0.0)
        value = float(raw) if isinstance(raw, (int, float, bool)) else 0.0
        values.append(value if math.isfinite(value) else 0.0)
    return np.asarray(values, dtype=np.float64)
