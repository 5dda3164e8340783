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
