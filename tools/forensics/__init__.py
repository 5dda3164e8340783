"""Authenticity (forensics): is the uploaded credential real? Signals, calibrated fusion, verdict, heatmap.

Public API: `assess_authenticity(upload, ...) -> AuthenticityReport` and
`evaluate_authenticity(data_dir) -> AuthenticityEvaluation`, both imported on first use (the signals load OpenCV
and the models, evaluation pulls in the generator), so light modules here (`seeds`) cost the command line nothing.
"""
from __future__ import annotations

__all__ = ["assess_authenticity", "evaluate_authenticity", "AuthenticityEvaluation"]


def __getattr__(name: str):
    if name == "assess_authenticity":
        from credlift.tools.forensics.assess import assess_authenticity

        return assess_authenticity
    if name in ("evaluate_authenticity", "AuthenticityEvaluation"):
        from credlift.tools.forensics import evaluation

        return getattr(evaluation, name)
    raise AttributeError(name)
