"""Percentiles the way the reports state them (nearest rank on the sorted sample)."""
from __future__ import annotations

import math


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) by nearest rank; None for an empty sample."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100.0 * len(ordered)))
    return round(float(ordered[rank - 1]), 4)


def describe(values: list[float]) -> dict[str, float | int | None]:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "mean": round(sum(values) / len(values), 4) if values else None,
            "max": round(max(values), 4) if values else None}
