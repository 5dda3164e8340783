"""assess_authenticity: run the signals on one upload, fuse, decide, draw the overlay.

The cascade (`cascade=True`, the app's path): the checks whose finding holds on any page (metadata: an editor or
generator named in the file; reuse: another account's upload) run first, then the domain is judged (the capture
and, from the OCR lines, the layout; cheap). Outside the detectors' domain, with neither of those findings, the
verdict is `undetermined` at a fixed score whatever the other checks find (report.decide_verdict), so they are not
run: each is listed in the report's `skipped` with the reason. On an app's page (in the domain, `Domain.screen`) the
verdict and score read the screen checks only (report.SCREEN_CHECKS: screen_render, metadata, reuse), so the
others are not run either, each listed with that reason.

In the domain (not an app's page), the deferred checks (`role.deferred`: the grid cells, about a fifth of a page's
forensic CPU) run last, and only where their figures can change the verdict: with every other check's figures
known, the fused probability is bounded over every value the deferred checks' features could take (bounds.py); when
even the highest is under the threshold the verdict is what the full run decides whatever they find, so they are
not run, each listed in `skipped` with the reason. The score reported is then the model's with those checks
reading as finding nothing (as any check that did not run reads: features.feature_vector), a value within the
bound, so under the threshold too. Everywhere else every check runs.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from credlift.domain.authenticity import AuthenticityReport, SignalReport
from credlift.domain.credential import OcrLine
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.domain import Domain, judge_domain
from credlift.tools.forensics.early import EarlyChecks, analyse_timed
from credlift.tools.forensics.features import feature_vector
from credlift.tools.forensics.fusion import (MODEL_VERSION, FusionModel, default_fusion_model, fallback_probability,
                                             probability_ceiling, with_decisive_evidence)
from credlift.tools.forensics.heatmap import combine_heatmaps, write_overlay
from credlift.tools.forensics.report import (DOMAIN_FREE, REUSE_FLAG, SCREEN_CHECKS, decide_verdict,
                                             unreadable_report)
from credlift.tools.forensics.signals.base import ForensicSignal
from credlift.tools.forensics.signals.registry import default_signals

log = logging.getLogger(__name__)

MIN_ANALYSABLE_SIDE = 48
# called with every report assess_authenticity returns (the benchmark collects per-check times this way)
REPORT_OBSERVERS: list = []
FALLBACK_THRESHOLD, FALLBACK_TAMPERED = 0.6, 0.85


@dataclass
class SignalRun:
    """Everything one pass over an upload produced; the evaluation reads the maps, callers read the report."""
    signals: list[SignalReport]
    heatmaps: dict[str, np.ndarray]
    timings_ms: dict[str, float] = field(default_factory=dict)
    plain_ela: np.ndarray | None = None
    domain: Domain | None = None
    cpu_ms: dict[str, float] = field(default_factory=dict)  # per check, CPU of this process (all its threads)
    skipped: dict[str, str] = field(default_factory=dict)  # checks the cascade did not run, and why


# why a check is not run outside the detectors' domain (the report and the case keep it)
SKIPPED_OUT_OF_DOMAIN = "not run: outside the detectors' domain the verdict is undetermined whatever this check finds"


# why a check is not run on an app's page (report._screen_verdict reads the screen checks only)
SKIPPED_APP_PAGE = ("not run: an app's page is judged by how its numbers are rendered, its metadata and reuse; "
                    "this check's finding cannot change its verdict or score")


def skipped_under_threshold(ceiling: float, threshold: float) -> str:
    """Why a deferred check is not run in the domain (the report and the case keep it)."""
    return (f"not run: whatever this check finds, the fused score stays at most {ceiling:.3f}, under the threshold "
            f"{threshold:.3f}, so the verdict does not depend on it")


def _first_in_cascade(signal: ForensicSignal) -> bool:
    """Checks whose finding counts on any page (report.DOMAIN_FREE, and reuse in the verdict): they run first."""
    return signal.name in DOMAIN_FREE or getattr(signal.role, "in_verdict", False)


def verdict_is_settled(domain: Domain, reports: list[SignalReport]) -> bool:
    """True when the verdict is `undetermined` at its fixed score whatever the checks not yet run find: outside
    the domain, with no domain-free evidence and no reuse (report.decide_verdict and _undetermined)."""
    if domain.in_domain:
        return False
    if any(s.name in DOMAIN_FREE and s.score >= DOMAIN_FREE[s.name] for s in reports):
        return False
    return not any(s.name == "reuse" and s.score >= REUSE_FLAG for s in reports)


def run_signals(upload, signals: list[ForensicSignal], ocr_lines: list[OcrLine] | None = None,
                certificate_number: str | None = None, account_id: str | None = None,
                data_dir: Path | None = None, cascade: bool = False, model: FusionModel | None = None,
                early: EarlyChecks | None = None) -> SignalRun:
    """Every signal on one shared AnalysisContext (each view and derivation computed once), timed per check (wall
    and CPU). With `cascade`, checks that cannot change the verdict are not run (module docstring); the bound on
    the deferred checks is `model`'s (default: the shipped fusion; without one they always run). With `early`
    (the checks of the file alone, started while the page was read: early.py), their context is this one and each
    check they ran is not run again; what the cascade does not run of theirs is dropped, maps included."""
    ready = early.results() if early is not None else {}
    ctx = early.ctx if ready else AnalysisContext(upload=upload)
    ctx.ocr_lines, ctx.certificate_number, ctx.account_id, ctx.data_dir = ocr_lines, certificate_number, account_id, \
        data_dir
    by_name: dict[str, SignalReport] = {}
    timings: dict[str, float] = {}
    cpu: dict[str, float] = {}

    def run(signal: ForensicSignal) -> None:
        result = ready.get(signal.name) or analyse_timed(signal, ctx)
        by_name[signal.name] = result.report
        timings[signal.name], cpu[signal.name] = result.wall_ms, result.cpu_ms

    def judge() -> Domain:
        started, cpu_started = time.perf_counter(), time.process_time()
        judged = judge_domain(ctx)
        timings["domain"] = (time.perf_counter() - started) * 1000.0
        cpu["domain"] = (time.process_time() - cpu_started) * 1000.0
        return judged

    skipped: dict[str, str] = {}
    if cascade:
        first = [s for s in signals if _first_in_cascade(s)]
        for signal in first:
            run(signal)
        domain = judge()
        rest = [s for s in signals if not _first_in_cascade(s)]
        if verdict_is_settled(domain, list(by_name.values())):
            skipped = {s.name: SKIPPED_OUT_OF_DOMAIN for s in rest}
        elif domain.in_domain and domain.screen:  # an app's page: its verdict and score read the screen checks only
            for signal in rest:
                if signal.name in SCREEN_CHECKS:
                    run(signal)
                else:
                    skipped[signal.name] = SKIPPED_APP_PAGE
        else:
            deferred = [s for s in rest if getattr(s.role, "deferred", False)] if domain.in_domain and not domain.screen \
                else []
            for signal in rest:
                if signal not in deferred:
                    run(signal)
            model = model if model is not None else default_fusion_model()
            for index, signal in enumerate(deferred):
                left = [s.name for s in deferred[index:]]
                ceiling = deferred_ceiling(model, list(by_name.values()), left)
                if ceiling is not None and ceiling < float(model.threshold):
                    skipped = {name: skipped_under_threshold(ceiling, float(model.threshold)) for name in left}
                    break
                run(signal)
    else:
        for signal in signals:
            run(signal)
        domain = judge()
    reports = [by_name[s.name] for s in signals if s.name in by_name]  # in the registry's order
    for name in set(ready) - set(by_name):  # started early, not run by the cascade: as if never run
        ctx.heatmaps.pop(name, None)
    plain_ela = ctx.memo.get("ela_plain_map") if "ela" in by_name else None
    return SignalRun(signals=reports, heatmaps=ctx.heatmaps, timings_ms=timings,
                     plain_ela=plain_ela, domain=domain, cpu_ms=cpu, skipped=skipped)


def deferred_ceiling(model: FusionModel | None, reports: list[SignalReport], not_run: list[str]) -> float | None:
    """The highest fused score (the model's bound, then the decisive evidence) whatever the checks in `not_run`
    find; None without a model that can be bounded."""
    if model is None:
        return None
    ceiling = probability_ceiling(model, reports, not_run)
    return None if ceiling is None else with_decisive_evidence(ceiling, reports)


def unreadable_reason(rgb: np.ndarray) -> str | None:
    if rgb is None or rgb.ndim != 3 or min(rgb.shape[:2]) < MIN_ANALYSABLE_SIDE:
        return "The image is too small to check; please send a photo in which the certificate fills the frame."
    if _std(rgb) < 2.0:
        return "The image is blank (one flat colour); please send a photo of the certificate."
    return None


def _std(rgb: np.ndarray) -> float:
    """The standard deviation over every pixel and channel (cv2: a tenth of numpy's float64 pass)."""
    _, std = cv2.meanStdDev(np.ascontiguousarray(rgb).reshape(-1, 1))
    return float(std[0, 0])


def fuse(signals: list[SignalReport], model: FusionModel | None) -> tuple[float, float, float, str]:
    """(probability, threshold, tampered threshold, model version). A check that did not run reads as finding
    nothing (features.feature_vector): for a deferred check the cascade left out, a value within its bound."""
    if model is None:
        probability = fallback_probability({s.name: s.score for s in signals})
        return probability, FALLBACK_THRESHOLD, FALLBACK_TAMPERED, f"{MODEL_VERSION}-fallback"
    probability = float(model.predict_proba(feature_vector(signals).reshape(1, -1))[0, 1])
    probability = with_decisive_evidence(probability, signals)
    return probability, float(model.threshold), float(model.tampered_threshold), MODEL_VERSION


def assess_authenticity(upload, ocr_lines: list[OcrLine] | None = None, certificate_number: str | None = None,
                        account_id: str | None = None, data_dir: Path | None = None,
                        overlay_dir: Path | None = None, *, signals: list[ForensicSignal] | None = None,
                        model: FusionModel | None = None, cascade: bool = True) -> AuthenticityReport:
    """Is it real? Probability of manipulation, verdict, the signals that drove it, and an overlay for staff.
    With `cascade` (default) checks that cannot change the verdict are not run and are listed in `skipped`; the
    time of each check run is in `timings_ms` (wall and CPU)."""
    model = model if model is not None else default_fusion_model()
    version = MODEL_VERSION if model is not None else f"{MODEL_VERSION}-fallback"
    reason = unreadable_reason(getattr(upload, "rgb", None))
    if reason:
        return unreadable_report(reason, version)
    from credlift.tools.forensics import early

    started_early = early.take(upload)  # the checks of the file alone, when started while the page was read
    if signals is not None:  # the caller's own checks: the default ones started early do not stand in for them
        started_early = None
    run = run_signals(upload, signals if signals is not None else default_signals(), ocr_lines=ocr_lines,
                      certificate_number=certificate_number, account_id=account_id, data_dir=data_dir,
                      cascade=cascade, model=model, early=started_early)
    probability, threshold, tampered, version = fuse(run.signals, model)
    report = decide_verdict(probability, run.signals, threshold, tampered, version, domain=run.domain)
    report.skipped = dict(run.skipped)
    report.timings_ms = {name: {"wall": round(ms, 1), "cpu": round(run.cpu_ms.get(name, 0.0), 1)}
                         for name, ms in run.timings_ms.items()}
    if overlay_dir is not None:
        heat = combine_heatmaps(run.heatmaps, run.signals, upload.rgb.shape[:2], probability, threshold)
        path = write_overlay(upload.rgb, heat, Path(overlay_dir) / f"{upload.sha256[:16]}_authenticity.jpg")
        report.overlay_path = str(path)
    for observer in list(REPORT_OBSERVERS):
        observer(report)
    return report


def warm_up(signals: list[ForensicSignal] | None = None) -> None:
    """Loads and builds, once per process, what the checks and the fusion run on (the learned detectors' trees on
    onnxruntime, the trace network's session, the calibration cards, the fusion's folds and their bound), so that
    the first upload costs what the others do. Call it after the thread budget is applied (credlift/threads.py)."""
    from credlift.tools.forensics.bounds import fold_leaves
    from credlift.tools.forensics.fusion import _compiled_folds

    model = default_fusion_model()
    if model is not None:
        _compiled_folds(model)
        fold_leaves(model)
    for signal in signals if signals is not None else default_signals():
        prepare = getattr(signal, "prepare", None)
        if prepare is not None:
            prepare()
