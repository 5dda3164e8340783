"""Authenticity (forensics): is the uploaded credential real? Signals, calibrated fusion, verdict, heatmap.

Public API: `assess_authenticity(upload, ...) -> AuthenticityReport`, imported on first use (the signals load
OpenCV and the models). Building and measuring the models is offline work in training/forensics/ (training,
calibrations, the evaluation on generated and real sets).
"""
from __future__ import annotations

__all__ = ["assess_authenticity"]


def __getattr__(name: str):
    if name == "assess_authenticity":
        from credlift.tools.forensics.assess import assess_authenticity

        return assess_authenticity
    raise AttributeError(name)
