"""The fusion model's inputs: a fixed, ordered vector of numbers read from the image signals' reports."""
from __future__ import annotations

import math

import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.signals import registry

# (signal, detail key); "score" is the signal's own score. Declared by each image signal (`role.features`) and
# derived in signals/registry.py; the order is part of the trained model (append only). A snapshot at import: a
# signal registered later joins the model's inputs only when the model is trained again.
FEATURE_SPEC: tuple[tuple[str, str], ...] = tuple(registry.FEATURE_SPEC)
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


def unknown_features(not_run) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mask, lowest, highest) over FEATURE_SPEC: the features of the signals in `not_run`, and the values they can
    take (each signal's `role.feature_ranges`; unbounded elsewhere) for the fusion's bound (bounds.py)."""
    not_run = set(not_run)
    mask = np.array([signal in not_run for signal, _ in FEATURE_SPEC], dtype=bool)
    ranges = [registry.FEATURE_RANGES.get(spec, (-math.inf, math.inf)) if signal in not_run else (-math.inf, math.inf)
              for spec in FEATURE_SPEC for signal in (spec[0],)]
    return mask, np.array([r[0] for r in ranges], np.float64), np.array([r[1] for r in ranges], np.float64)
