"""Authenticity (forensics): is the uploaded credential real? Signals, calibrated fusion, verdict, heatmap.

Public API: `assess_authenticity(upload, ...) -> AuthenticityReport` and
`evaluate_authenticity(data_dir) -> AuthenticityEvaluation` (imported lazily: evaluation pulls in the generator).
"""
from __future__ import annotations

from credlift.tools.forensics.assess import assess_authenticity

__all__ = ["assess_authenticity", "evaluate_authenticity", "AuthenticityEvaluation"]


def __getattr__(name: str):
    if name in ("evaluate_authenticity", "AuthenticityEvaluation"):
        from credlift.tools.forensics import evaluation

        return getattr(evaluation, name)
    raise AttributeError(name)
