"""Measuring authenticity on real documents captured by others (the set `scripts/build_real_devset.py` builds),
apart from the generated sets: verdicts on untouched images (what an honest applicant would be told), ROC-AUC of
edited against untouched pages saved through the same final capture (JPEG quality matched), each signal's own
ROC-AUC on those pairs (a signal that only detects compression reads 0.5 there), a table per source and a
reliability diagram of the reported score, on the dev and holdout splits apart."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field
from sklearn.metrics import roc_auc_score

from credlift.training.forensics.dataset import ImageAnalysis, LabelledImage, read_labels
from credlift.tools.forensics.fusion import FusionModel, default_fusion_model, fused_scores
from credlift.tools.forensics.report import decide_verdict

FLAGGED = ("tampered", "suspicious")
RELIABILITY_BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0001)


class SourceRow(BaseModel):
    images: int
    untouched: int
    edited: int
    roc_auc: float | None = None
    flagged_share: float | None = Field(default=None, description="untouched images told tampered or suspicious")
    tampered_share: float | None = None
    undetermined_share: float | None = Field(default=None, description="untouched images sent to a person "
                                             "because the checks were not calibrated for them")
    edited_flagged: float | None = Field(default=None, description="edited images told tampered or suspicious")
    edited_undetermined: float | None = Field(default=None, description="edited images sent to a person "
                                              "without an accusation")


class ReliabilityBin(BaseModel):
    low: float
    high: float
    images: int
    mean_score: float | None = None
    edited_share: float | None = None


class RealSetEvaluation(BaseModel):
    data_dir: str
    model_version: str
    threshold: float
    split: str
    overall: SourceRow
    by_source: dict[str, SourceRow]
    by_variant: dict[str, SourceRow]
    untouched_verdicts: dict[str, int]
    matched_roc_auc: float | None = Field(default=None, description="edited vs the same page untouched, saved "
                                          "through the same capture (equal JPEG quality and grid)")
    matched_pairs: int = 0
    matched_fused_roc_auc: float | None = Field(default=None, description="the same pairs by the fused "
                                                "probability before the domain cap")
    matched_signal_roc_auc: dict[str, float] = Field(default_factory=dict)
    matched_signal_interval: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="95% bootstrap interval of each signal's matched ROC-AUC (pairs resampled)")
    reliability: list[ReliabilityBin] = Field(default_factory=list)
    expected_calibration_error: float | None = None
    seconds_p50: float = 0.0
    failed_images: int = 0
    cascade_skipped_images: int = 0  # images on which the cascade did not run every check (run with cascade)

    def table(self) -> str:
        def fmt(v, pct=False):
            if v is None:
                return "-"
            return f"{100 * v:.1f}%" if pct else f"{v:.3f}"

        lines = [f"REAL documents ({self.split} split) in {self.data_dir} (model {self.model_version}, threshold "
                 f"{self.threshold:.3f})", ""]
        header = (f"{'source':<22}{'n':>5}{'untch':>6}{'edit':>5}{'ROC-AUC':>9}{'flagged':>9}{'tampered':>9}"
                  f"{'undeterm':>9}{'edit flag':>10}{'edit undet':>11}")
        lines += [header, "-" * len(header)]

        def row(name: str, r: SourceRow) -> str:
            return (f"{name:<22}{r.images:>5}{r.untouched:>6}{r.edited:>5}{fmt(r.roc_auc):>9}"
                    f"{fmt(r.flagged_share, True):>9}{fmt(r.tampered_share, True):>9}"
                    f"{fmt(r.undetermined_share, True):>9}{fmt(r.edited_flagged, True):>10}"
                    f"{fmt(r.edited_undetermined, True):>11}")

        lines.append(row("all", self.overall))
        for name, r in sorted(self.by_source.items()):
            lines.append(row(name, r))
        lines += ["", "by capture variant:"]
        for name, r in sorted(self.by_variant.items()):
            lines.append(row(name, r))
        lines += ["", "verdicts on untouched images: " + ", ".join(f"{k} {v}" for k, v in
                                                                  sorted(self.untouched_verdicts.items())),
                  f"edited vs untouched, same final capture (JPEG quality matched), {self.matched_pairs} pairs: "
                  f"ROC-AUC {fmt(self.matched_roc_auc)} (reported score), {fmt(self.matched_fused_roc_auc)} "
                  f"(fused probability before the domain cap)"]
        if self.matched_signal_roc_auc:
            def interval(k):
                low_high = self.matched_signal_interval.get(k)
                return f" ({low_high[0]:.2f}-{low_high[1]:.2f})" if low_high else ""

            lines.append("  each signal alone on those pairs (0.5: it cannot tell them apart; 95% interval): " +
                         ", ".join(f"{k} {v:.2f}{interval(k)}" for k, v in sorted(self.matched_signal_roc_auc.items())))
        lines += ["", "reliability of the reported score (all images of the split):",
                  f"  {'score bin':<12}{'n':>5}{'mean score':>12}{'edited share':>14}"]
        for b in self.reliability:
            lines.append(f"  {b.low:.1f}-{min(b.high, 1.0):.1f}    {b.images:>5}{fmt(b.mean_score):>12}"
                         f"{fmt(b.edited_share):>14}")
        lines.append(f"  expected calibration error: {fmt(self.expected_calibration_error)}")
        lines.append(f"time per image (signals, OCR apart): p50 {self.seconds_p50:.2f} s")
        if self.cascade_skipped_images:
            lines.append(f"images on which the cascade skipped checks that could not change the verdict: "
                         f"{self.cascade_skipped_images}")
        if self.failed_images:
            lines.append(f"images intake refused: {self.failed_images}")
        return "\n".join(lines)


def verdicts_and_scores(analyses: list[ImageAnalysis], model: FusionModel) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(verdict, reported score, fused probability) of each image, as assess_authenticity decides them."""
    fused = fused_scores(model, [a.signals for a in analyses])
    verdicts, reported = [], []
    for analysis, probability in zip(analyses, fused):
        report = decide_verdict(float(probability), analysis.signals, float(model.threshold),
                                float(model.tampered_threshold), "eval", domain=analysis.domain)
        verdicts.append(report.verdict)
        reported.append(report.score)
    return verdicts, np.array(reported), fused


def _auc(y: np.ndarray, scores: np.ndarray) -> float | None:
    if y.any() and (~y).any():
        return round(float(roc_auc_score(y, scores)), 4)
    return None


def source_row(labels: list[LabelledImage], verdicts: list[str], scores: np.ndarray) -> SourceRow:
    y = np.array([label.is_manipulated for label in labels], bool)
    v = np.array(verdicts, dtype=object)
    row = SourceRow(images=len(labels), untouched=int((~y).sum()), edited=int(y.sum()), roc_auc=_auc(y, scores))
    if (~y).any():
        row.flagged_share = round(float(np.isin(v[~y], FLAGGED).mean()), 4)
        row.tampered_share = round(float((v[~y] == "tampered").mean()), 4)
        row.undetermined_share = round(float((v[~y] == "undetermined").mean()), 4)
    if y.any():
        row.edited_flagged = round(float(np.isin(v[y], FLAGGED).mean()), 4)
        row.edited_undetermined = round(float((v[y] == "undetermined").mean()), 4)
    return row


def reliability(y: np.ndarray, scores: np.ndarray) -> tuple[list[ReliabilityBin], float | None]:
    bins, error = [], 0.0
    for low, high in zip(RELIABILITY_BINS[:-1], RELIABILITY_BINS[1:]):
        inside = (scores >= low) & (scores < high)
        b = ReliabilityBin(low=low, high=high, images=int(inside.sum()))
        if inside.any():
            b.mean_score = round(float(scores[inside].mean()), 4)
            b.edited_share = round(float(y[inside].mean()), 4)
            error += inside.mean() * abs(b.mean_score - b.edited_share)
        bins.append(b)
    return bins, (round(float(error), 4) if len(scores) else None)


def summarise_real(data_dir: Path, labels: list[LabelledImage], analyses: list[ImageAnalysis], model: FusionModel,
                   split: str = "all") -> RealSetEvaluation:
    kept = [(label, a) for label, a in zip(labels, analyses) if not a.error and (split == "all" or label.split == split)]
    failed = sum(1 for label, a in zip(labels, analyses) if a.error and (split == "all" or label.split == split))
    labels = [label for label, _ in kept]
    analyses = [a for _, a in kept]
    if not labels:
        from credlift.errors import UserInputError

        raise UserInputError(f"no analysable images in {data_dir} for the {split} split")
    verdicts, scores, fused = verdicts_and_scores(analyses, model)
    y = np.array([label.is_manipulated for label in labels], bool)

    def subset(pick) -> SourceRow:
        index = [i for i, label in enumerate(labels) if pick(label)]
        return source_row([labels[i] for i in index], [verdicts[i] for i in index], scores[index])

    by_source = {name: subset(lambda l, n=name: l.source == n) for name in sorted({l.source for l in labels})}
    by_variant = {name: subset(lambda l, n=name: (l.variant or "untouched") == n)
                  for name in sorted({l.variant or "untouched" for l in labels})}
    untouched = {}
    for label, verdict in zip(labels, verdicts):
        if not label.is_manipulated:
            untouched[verdict] = untouched.get(verdict, 0) + 1
    # the quality-matched pairs: each edited page and the same page untouched through the same final save
    matched = [i for i, label in enumerate(labels) if label.variant == "matched" or
               (label.is_manipulated and label.variant.startswith("edited"))]
    ym = y[matched]
    signal_auc, signal_interval = matched_signal_aucs([labels[i] for i in matched], [analyses[i] for i in matched])
    bins, ece = reliability(y, scores)
    return RealSetEvaluation(
        data_dir=str(data_dir), model_version=str(getattr(model, "version_", "fusion")),
        threshold=float(model.threshold), split=split, overall=source_row(labels, verdicts, scores),
        by_source=by_source, by_variant=by_variant, untouched_verdicts=untouched,
        matched_roc_auc=_auc(ym, scores[matched]) if matched else None, matched_pairs=int(ym.sum()),
        matched_fused_roc_auc=_auc(ym, fused[matched]) if matched else None, matched_signal_roc_auc=signal_auc,
        matched_signal_interval=signal_interval,
        reliability=bins, expected_calibration_error=ece,
        seconds_p50=round(float(np.percentile([a.seconds for a in analyses], 50)), 3), failed_images=failed,
        cascade_skipped_images=sum(1 for a in analyses if a.skipped))


BOOTSTRAP_ROUNDS = 1000


def matched_signal_aucs(labels: list[LabelledImage], analyses: list[ImageAnalysis], rounds: int = BOOTSTRAP_ROUNDS,
                        seed: int = 0) -> tuple[dict[str, float], dict[str, tuple[float, float]]]:
    """Each signal's ROC-AUC of edited against untouched images saved through the same final capture (its score
    alone, a signal absent from an image counted 0), and a 95% interval from resampling the originals (an edit and
    its untouched twin drawn together). A signal that only detects compression or capture reads 0.5 here.
    Signals that never vary are left out."""
    y = np.array([label.is_manipulated for label in labels], bool)
    if not (y.any() and (~y).any()):
        return {}, {}
    groups: dict[str, list[int]] = {}
    for index, label in enumerate(labels):  # the pair: same original (real) or same file stem (generated)
        stem = label.path.stem.split("__")[0].rsplit("_matched", 1)[0].rsplit("_edited", 1)[0]
        groups.setdefault(f"{label.source}:{stem}", []).append(index)
    keys = list(groups)
    rng = np.random.default_rng(seed)
    draws = [np.concatenate([groups[keys[k]] for k in rng.integers(len(keys), size=len(keys))]) for _ in range(rounds)]
    aucs, intervals = {}, {}
    for name in sorted({s.name for a in analyses for s in a.signals}):
        values = np.array([next((s.score for s in a.signals if s.name == name), 0.0) for a in analyses])
        if values.std() == 0:
            continue
        aucs[name] = round(float(roc_auc_score(y, values)), 3)
        resampled = [roc_auc_score(y[d], values[d]) for d in draws if y[d].any() and (~y[d]).any()]
        if resampled:
            intervals[name] = (round(float(np.percentile(resampled, 2.5)), 3),
                               round(float(np.percentile(resampled, 97.5)), 3))
    return aucs, intervals


def evaluate_real_set(data_dir: Path, model: FusionModel | None = None, progress=None,
                      splits: tuple[str, ...] = ("dev", "holdout"), cascade: bool = False,
                      cache_dir: Path | None = None) -> list[RealSetEvaluation]:
    """Every image of a real set analysed once (OCR first, as the app does), one worker; figures per split.
    With `cache_dir` the analyses are read from (and kept in) the analysis cache."""
    from credlift.training.forensics.analysis_cache import cached_analysis

    data_dir = Path(data_dir)
    labels = read_labels(data_dir)
    model = model if model is not None else default_fusion_model()
    if model is None:
        from credlift.errors import UserInputError

        raise UserInputError("no trained fusion model; run `credlift forensics train` first")
    analyses = []
    for index, label in enumerate(labels):
        analyses.append(cached_analysis(label.path, cache_dir, cascade))
        if progress is not None:
            progress(index + 1, len(labels))
    present = {label.split for label in labels}
    return [summarise_real(data_dir, labels, analyses, model, split) for split in splits if split in present] or \
        [summarise_real(data_dir, labels, analyses, model, "all")]


def plot_reliability(evaluations: list[RealSetEvaluation], path: Path) -> Path:
    """The reliability diagram (reported score against the share of edited images per bin), one line per split."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(4.5, 4.5), dpi=120)
    axis.plot([0, 1], [0, 1], color="#999999", linewidth=1, linestyle="--", label="calibrated")
    for evaluation in evaluations:
        points = [(b.mean_score, b.edited_share, b.images) for b in evaluation.reliability if b.images]
        if points:
            xs, ys, ns = zip(*points)
            axis.plot(xs, ys, marker="o", label=f"{evaluation.split} (ECE {evaluation.expected_calibration_error})")
    axis.set_xlabel("reported score (mean in bin)")
    axis.set_ylabel("share of edited images")
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    axis.legend(loc="upper left", fontsize=8)
    axis.set_title("Real documents: reliability")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
