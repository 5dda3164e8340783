"""assess_authenticity: run every signal on one upload, fuse, decide, draw the overlay."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from credlift.domain.authenticity import AuthenticityReport, SignalReport
from credlift.domain.credential import OcrLine
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.domain import Domain, judge_domain
from credlift.tools.forensics.features import feature_vector
from credlift.tools.forensics.fusion import (MODEL_VERSION, FusionModel, default_fusion_model, fallback_probability,
                                             with_decisive_evidence)
from credlift.tools.forensics.heatmap import combine_heatmaps, write_overlay
from credlift.tools.forensics.report import decide_verdict, unreadable_report
from credlift.tools.forensics.signals.base import ForensicSignal
from credlift.tools.forensics.signals.registry import default_signals

log = logging.getLogger(__name__)

MIN_ANALYSABLE_SIDE = 48
FALLBACK_THRESHOLD, FALLBACK_TAMPERED = 0.6, 0.85


@dataclass
class SignalRun:
    """Everything one pass over an upload produced; the evaluation reads the maps, callers read the report."""
    signals: list[SignalReport]
    heatmaps: dict[str, np.ndarray]
    timings_ms: dict[str, float] = field(default_factory=dict)
    plain_ela: np.ndarray | None = None
    domain: Domain | None = None


def run_signals(upload, signals: list[ForensicSignal], ocr_lines: list[OcrLine] | None = None,
                certificate_number: str | None = None, account_id: str | None = None,
                data_dir: Path | None = None) -> SignalRun:
    ctx = AnalysisContext(upload=upload, ocr_lines=ocr_lines, certificate_number=certificate_number,
                          account_id=account_id, data_dir=data_dir)
    reports, timings = [], {}
    for signal in signals:
        started = time.perf_counter()
        try:
            reports.append(signal.analyse(ctx))
        except Exception as error:  # one failing detector must not sink the whole check; it reports it did not run
            log.warning("forensic signal %s failed: %s: %s", signal.name, type(error).__name__, error)
            reports.append(SignalReport(name=signal.name, score=0.0, summary="This check could not run on this image.",
                                        details={"error": type(error).__name__}))
        timings[signal.name] = (time.perf_counter() - started) * 1000.0
    started = time.perf_counter()
    domain = judge_domain(ctx)
    timings["domain"] = (time.perf_counter() - started) * 1000.0
    return SignalRun(signals=reports, heatmaps=ctx.heatmaps, timings_ms=timings,
                     plain_ela=ctx.memo.get("ela_plain_map"), domain=domain)


def unreadable_reason(rgb: np.ndarray) -> str | None:
    if rgb is None or rgb.ndim != 3 or min(rgb.shape[:2]) < MIN_ANALYSABLE_SIDE:
        return "The image is too small to check; please send a photo in which the certificate fills the frame."
    if float(rgb.std()) < 2.0:
        return "The image is blank (one flat colour); please send a photo of the certificate."
    return None


def fuse(signals: list[SignalReport], model: FusionModel | None) -> tuple[float, float, float, str]:
    """(probability, threshold, tampered threshold, model version)."""
    if model is None:
        probability = fallback_probability({s.name: s.score for s in signals})
        return probability, FALLBACK_THRESHOLD, FALLBACK_TAMPERED, f"{MODEL_VERSION}-fallback"
    probability = float(model.predict_proba(feature_vector(signals).reshape(1, -1))[0, 1])
    probability = with_decisive_evidence(probability, signals)
    return probability, float(model.threshold), float(model.tampered_threshold), MODEL_VERSION


def assess_authenticity(upload, ocr_lines: list[OcrLine] | None = None, certificate_number: str | None = None,
                        account_id: str | None = None, data_dir: Path | None = None,
                        overlay_dir: Path | None = None, *, signals: list[ForensicSignal] | None = None,
                        model: FusionModel | None = None) -> AuthenticityReport:
    """Is it real? Probability of manipulation, verdict, the signals that drove it, and an overlay for staff."""
    model = model if model is not None else default_fusion_model()
    version = MODEL_VERSION if model is not None else f"{MODEL_VERSION}-fallback"
    reason = unreadable_reason(getattr(upload, "rgb", None))
    if reason:
        return unreadable_report(reason, version)
    run = run_signals(upload, signals if signals is not None else default_signals(), ocr_lines=ocr_lines,
                      certificate_number=certificate_number, account_id=account_id, data_dir=data_dir)
    probability, threshold, tampered, version = fuse(run.signals, model)
    report = decide_verdict(probability, run.signals, threshold, tampered, version, domain=run.domain)
    if overlay_dir is not None:
        heat = combine_heatmaps(run.heatmaps, run.signals, upload.rgb.shape[:2], probability, threshold)
        path = write_overlay(upload.rgb, heat, Path(overlay_dir) / f"{upload.sha256[:16]}_authenticity.png")
        report.overlay_path = str(path)
    return report
