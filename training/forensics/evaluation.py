"""Measuring authenticity honestly on a generated set: image-level ROC-AUC, false positives at the shipped
threshold, recall per tamper kind and per capture, the equal-JPEG-quality subset, pixel-level F1 of the
heatmap, a plain error-level-analysis baseline side by side, and time per image."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from sklearn.metrics import roc_auc_score

from credlift.training.forensics.dataset import ImageAnalysis, LabelledImage, analyse_image, read_labels
from credlift.tools.forensics.fusion import FusionModel, default_fusion_model, fused_scores
from credlift.tools.forensics.heatmap import MARK_THRESHOLD

# signals that read what the page says rather than how its pixels were made (left out of the `pixels_only` slice)
CONTENT_SIGNALS = ("consistency",)


class SliceMetrics(BaseModel):
    """Figures on one subset of images at a fixed threshold."""
    images: int
    authentic: int
    manipulated: int
    roc_auc: float | None = None
    false_positive_rate: float | None = Field(default=None, description="authentic images flagged")
    recall: float | None = None
    recall_by_kind: dict[str, float] = Field(default_factory=dict)
    count_by_kind: dict[str, int] = Field(default_factory=dict)


class AuthenticityEvaluation(BaseModel):
    data_dir: str
    model_version: str
    threshold: float
    overall: SliceMetrics
    by_capture: dict[str, SliceMetrics]
    equal_quality: SliceMetrics
    pixels_only: SliceMetrics | None = Field(default=None, description="the same threshold without the content "
                                             "consistency check: what the pixels and metadata alone catch")
    as_reported: SliceMetrics | None = Field(default=None, description="the score assess_authenticity reports: "
                                             "capped below the threshold outside the detectors' domain")
    verdicts: dict[str, dict[str, int]] = Field(default_factory=dict, description="verdicts on untouched and on "
                                                "edited images, as the app gives them")
    pixel_f1: float | None = Field(default=None, description="mean per-image F1 of the thresholded heatmap vs tamper boxes")
    pixel_f1_by_kind: dict[str, float] = Field(default_factory=dict)
    ela_baseline: SliceMetrics
    ela_baseline_threshold: float
    ela_baseline_pixel_f1: float | None = None
    seconds_p50: float
    seconds_p95: float
    ocr_seconds_p50: float = Field(default=0.0, description="reading the page, which extraction shares in the app")
    failed_images: int = 0
    cascade_skipped_images: int = 0  # images on which the cascade did not run every check (run with cascade)
    # cascade reports read from the cache were analysed under the model of that day: pages where this model's own
    # bound would have run a deferred check that was skipped (its figures read that check as not run there)
    skipped_checks_model_would_run: int = 0

    def table(self) -> str:
        """The figures as plain-text tables for a terminal or a report."""
        lines = [f"authenticity evaluation on {self.data_dir} (model {self.model_version}, threshold {self.threshold:.3f})",
                 ""]
        header = f"{'slice':<22}{'n':>5}{'auth':>6}{'manip':>6}{'ROC-AUC':>9}{'FPR':>8}{'recall':>8}"
        lines.append(header)
        lines.append("-" * len(header))

        def row(name: str, m: SliceMetrics) -> str:
            def fmt(v):
                return f"{v:.3f}" if v is not None else "  -  "
            return (f"{name:<22}{m.images:>5}{m.authentic:>6}{m.manipulated:>6}{fmt(m.roc_auc):>9}"
                    f"{fmt(m.false_positive_rate):>8}{fmt(m.recall):>8}")

        lines.append(row("all (fusion)", self.overall))
        if self.pixels_only is not None:
            lines.append(row("all (pixels only)", self.pixels_only))
        if self.as_reported is not None:
            lines.append(row("all (as reported)", self.as_reported))
        lines.append(row("all (plain ELA)", self.ela_baseline))
        lines.append(row("equal JPEG quality", self.equal_quality))
        for capture, metrics in sorted(self.by_capture.items()):
            lines.append(row(f"capture={capture}", metrics))
        lines += ["", f"{'recall per tamper kind':<24}{'n':>5}{'fusion':>9}{'pixels':>9}{'plain ELA':>11}"
                      f"{'equal-q':>9}"]
        for kind in sorted(self.overall.recall_by_kind):
            eq = self.equal_quality.recall_by_kind.get(kind)
            pixels = self.pixels_only.recall_by_kind.get(kind) if self.pixels_only is not None else None
            lines.append(f"{kind:<24}{self.overall.count_by_kind.get(kind, 0):>5}{self.overall.recall_by_kind[kind]:>9.3f}"
                         f"{(f'{pixels:.3f}' if pixels is not None else '-'):>9}"
                         f"{self.ela_baseline.recall_by_kind.get(kind, 0.0):>11.3f}"
                         f"{(f'{eq:.3f}' if eq is not None else '-'):>9}")
        lines += ["", "recall per kind and capture:"]
        for capture, metrics in sorted(self.by_capture.items()):
            parts = ", ".join(f"{k} {v:.2f} (n={metrics.count_by_kind.get(k, 0)})" for k, v in sorted(metrics.recall_by_kind.items()))
            lines.append(f"  {capture}: {parts}")
        for group, counts in sorted(self.verdicts.items()):
            lines.append(f"verdicts on {group} images: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        pf = f"{self.pixel_f1:.3f}" if self.pixel_f1 is not None else "-"
        bf = f"{self.ela_baseline_pixel_f1:.3f}" if self.ela_baseline_pixel_f1 is not None else "-"
        lines += ["", f"pixel-level F1 of the heatmap: {pf} (plain ELA map: {bf})"]
        if self.pixel_f1_by_kind:
            lines.append("  by kind: " + ", ".join(f"{k} {v:.3f}" for k, v in sorted(self.pixel_f1_by_kind.items())))
        lines.append(f"time per image (intake + all signals): p50 {self.seconds_p50:.3f} s, "
                     f"p95 {self.seconds_p95:.3f} s; reading the page first (OCR, shared with extraction): "
                     f"p50 {self.ocr_seconds_p50:.3f} s")
        lines.append(f"plain ELA baseline threshold (set for the same FPR on this set, favouring it): "
                     f"{self.ela_baseline_threshold:.4f}")
        if self.failed_images:
            lines.append(f"images intake refused: {self.failed_images}")
        if self.cascade_skipped_images:
            lines.append(f"images on which the cascade skipped checks that could not change the verdict: "
                         f"{self.cascade_skipped_images}")
        if self.skipped_checks_model_would_run:
            lines.append(f"images analysed under another model's bound on which this model would have run a skipped "
                         f"check (read here as not run; analyse without the cache for exact figures): "
                         f"{self.skipped_checks_model_would_run}")
        return "\n".join(lines)


def slice_metrics(labels: list[LabelledImage], scores: np.ndarray, threshold: float) -> SliceMetrics:
    y = np.array([label.is_manipulated for label in labels], bool)
    flagged = scores >= threshold
    metrics = SliceMetrics(images=len(labels), authentic=int((~y).sum()), manipulated=int(y.sum()))
    if y.any() and (~y).any():
        metrics.roc_auc = round(float(roc_auc_score(y, scores)), 4)
    if (~y).any():
        metrics.false_positive_rate = round(float(flagged[~y].mean()), 4)
    if y.any():
        metrics.recall = round(float(flagged[y].mean()), 4)
    for kind in sorted({label.tamper_kind for label in labels if label.is_manipulated}):
        index = np.array([label.tamper_kind == kind for label in labels])
        metrics.recall_by_kind[kind] = round(float(flagged[index].mean()), 4)
        metrics.count_by_kind[kind] = int(index.sum())
    return metrics


def box_mask(shape: tuple[int, int], boxes: list[tuple[int, int, int, int]], scale: float) -> np.ndarray:
    mask = np.zeros(shape, bool)
    for x, y, w, h in boxes:
        x0, y0 = int(x * scale), int(y * scale)
        mask[max(0, y0):y0 + max(1, int(h * scale)), max(0, x0):x0 + max(1, int(w * scale))] = True
    return mask


def pixel_f1(predicted: np.ndarray, truth: np.ndarray) -> float:
    tp = float((predicted & truth).sum())
    if tp == 0:
        return 0.0
    precision, recall = tp / predicted.sum(), tp / truth.sum()
    return 2 * precision * recall / (precision + recall)


def evaluate_image(label: LabelledImage, model: FusionModel | None = None, cascade: bool = False) -> ImageAnalysis:
    """One image: signals, time, and the pixel F1 of the map staff see (scaled by `model`'s probability) and of
    plain ELA against the tamper boxes."""
    analysis = analyse_image(label.path, keep_maps=True, model=model, read_text=True, cascade=cascade)
    if label.is_manipulated and label.tamper_boxes and analysis.combined_heat is not None:
        truth = box_mask(analysis.analysed_shape, label.tamper_boxes, analysis.scale)
        if truth.any():
            analysis.pixel_f1 = pixel_f1(analysis.combined_heat >= MARK_THRESHOLD, truth)
            if analysis.plain_ela is not None:
                import cv2

                ela_map = analysis.plain_ela
                if ela_map.shape != truth.shape:
                    ela_map = cv2.resize(ela_map, (truth.shape[1], truth.shape[0]))
                analysis.ela_pixel_f1 = pixel_f1(ela_map > float(ela_map.mean() + 3 * ela_map.std()), truth)
    analysis.combined_heat = None  # maps stay in the worker; only figures travel back
    analysis.plain_ela = None
    return analysis


def evaluate_authenticity(data_dir: Path, model: FusionModel | None = None, progress=None,
                          workers: int = 1, cascade: bool = False,
                          cache_dir: Path | None = None) -> AuthenticityEvaluation:
    """Scores every image of a generated set with the shipped (or given) fusion model and reports the figures.

    workers=1 (default) times each image alone, as the benchmark figure should be; more workers are faster
    but each image's time then includes sharing the cores. With `cache_dir` the signal reports are read from (and
    kept in) the analysis cache (training/forensics/analysis_cache.py): no heat maps, so no pixel F1."""
    data_dir = Path(data_dir)
    labels = read_labels(data_dir)
    model = model if model is not None else default_fusion_model()
    if model is None:
        from credlift.errors import UserInputError

        raise UserInputError("no trained fusion model; run `credlift forensics train` first")
    analyses: list[ImageAnalysis] = []
    if cache_dir is not None:
        from credlift.training.forensics.analysis_cache import cached_analyses

        analyses = cached_analyses(labels, cache_dir, progress, cascade)
    elif workers <= 1:
        for index, label in enumerate(labels):
            analyses.append(evaluate_image(label, model, cascade))
            if progress is not None:
                progress(index + 1, len(labels))
    else:
        from concurrent.futures import ProcessPoolExecutor
        from functools import partial

        from credlift.training.forensics.dataset import _single_threaded

        with ProcessPoolExecutor(max_workers=workers, initializer=_single_threaded) as pool:
            for index, analysis in enumerate(pool.map(partial(evaluate_image, model=model, cascade=cascade), labels, chunksize=2)):
                analyses.append(analysis)
                if progress is not None:
                    progress(index + 1, len(labels))
    return summarise(data_dir, labels, analyses, model)


def summarise(data_dir: Path, labels: list[LabelledImage], analyses: list[ImageAnalysis],
              model: FusionModel) -> AuthenticityEvaluation:
    kept = [(label, a) for label, a in zip(labels, analyses) if not a.error]
    failed = len(labels) - len(kept)
    labels = [label for label, _ in kept]
    analyses = [a for _, a in kept]
    scores = fused_scores(model, [a.signals for a in analyses])
    pixel_scores = fused_scores(model, [a.signals for a in analyses], leave_out=CONTENT_SIGNALS)
    threshold = float(model.threshold)
    ela_scores = np.array([_signal_detail(a, "ela", "plain_ela") for a in analyses])
    y = np.array([label.is_manipulated for label in labels], bool)
    overall = slice_metrics(labels, scores, threshold)
    # the baseline gets the threshold that gives it the same false-positive rate as the fusion on this set
    target_fpr = overall.false_positive_rate or 0.0
    ela_threshold = float(np.quantile(ela_scores[~y], 1.0 - target_fpr)) + 1e-9 if (~y).any() else 0.0
    by_capture = {}
    for capture in sorted({label.capture for label in labels}):
        index = [i for i, label in enumerate(labels) if label.capture == capture]
        by_capture[capture] = slice_metrics([labels[i] for i in index], scores[index], threshold)
    equal_index = [i for i, label in enumerate(labels) if label.equal_quality]
    equal = slice_metrics([labels[i] for i in equal_index], scores[equal_index], threshold)
    f1s, f1_kind, ela_f1s = [], {}, []
    for label, analysis in zip(labels, analyses):
        if analysis.pixel_f1 is None:
            continue
        f1s.append(analysis.pixel_f1)
        f1_kind.setdefault(label.tamper_kind, []).append(analysis.pixel_f1)
        if analysis.ela_pixel_f1 is not None:
            ela_f1s.append(analysis.ela_pixel_f1)
    seconds = np.array([a.seconds for a in analyses])
    from credlift.training.forensics.real_evaluation import verdicts_and_scores

    verdicts, reported, _ = verdicts_and_scores(analyses, model)
    verdict_counts: dict[str, dict[str, int]] = {}
    for label, verdict in zip(labels, verdicts):
        group = verdict_counts.setdefault("edited" if label.is_manipulated else "untouched", {})
        group[verdict] = group.get(verdict, 0) + 1
    return AuthenticityEvaluation(
        as_reported=slice_metrics(labels, reported, threshold), verdicts=verdict_counts,
        data_dir=str(data_dir), model_version=str(getattr(model, "version_", "fusion")), threshold=threshold,
        overall=overall, by_capture=by_capture, equal_quality=equal,
        pixels_only=slice_metrics(labels, pixel_scores, threshold),
        pixel_f1=round(float(np.mean(f1s)), 4) if f1s else None,
        pixel_f1_by_kind={k: round(float(np.mean(v)), 4) for k, v in f1_kind.items()},
        ela_baseline=slice_metrics(labels, ela_scores, ela_threshold), ela_baseline_threshold=ela_threshold,
        ela_baseline_pixel_f1=round(float(np.mean(ela_f1s)), 4) if ela_f1s else None,
        seconds_p50=round(float(np.percentile(seconds, 50)), 4), seconds_p95=round(float(np.percentile(seconds, 95)), 4),
        ocr_seconds_p50=round(float(np.percentile([a.ocr_seconds for a in analyses], 50)), 4),
        failed_images=failed, cascade_skipped_images=sum(1 for a in analyses if a.skipped),
        skipped_checks_model_would_run=sum(1 for a in analyses if would_run_skipped_check(a, model)),
    )


def would_run_skipped_check(analysis: ImageAnalysis, model: FusionModel) -> bool:
    """A deferred check the cascade skipped on this page (under the model that analysed it: a cached report may be
    another model's) that `model`'s own bound would have run."""
    from credlift.tools.forensics.assess import deferred_ceiling
    from credlift.tools.forensics.signals import registry

    domain = analysis.domain
    skipped = [name for name in analysis.skipped if name in registry.DEFERRED]
    if not skipped or (domain is not None and (not domain.in_domain or domain.screen)):
        return False  # outside the domain or on an app's page every model skips them
    ceiling = deferred_ceiling(model, analysis.signals, skipped)
    return ceiling is None or ceiling >= float(model.threshold)


def _signal_detail(analysis: ImageAnalysis, signal: str, key: str) -> float:
    for report in analysis.signals:
        if report.name == signal:
            value = report.details.get(key, 0.0)
            return float(value) if isinstance(value, (int, float)) else 0.0
    return 0.0
