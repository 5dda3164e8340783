"""Peers side by side in the same run: Tesseract (chi_sim) against RapidOCR for reading, plain ELA against the
fused detector for authenticity, keyword-only against hybrid (and dense) retrieval, and the policy engine."""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from credlift.evals.bench.datasets import labelled_images
from credlift.evals.bench.stats import describe

#: fields scored for the reading peers (where a credential prints them)
READ_FIELDS = ("holder_name", "certificate_number", "school", "issue_date", "total_score", "major", "level",
               "degree_level", "occupation", "skill_level", "competition", "award_level", "qualification_level")


class ReaderScores(BaseModel):
    engine: str
    images: int
    type_accuracy: float
    field_accuracy: dict[str, float]
    field_counts: dict[str, int]
    all_fields_accuracy: float = Field(description="share of every labelled field read exactly, pooled")
    seconds: dict = Field(description="OCR + parsing time per image")
    cpu_seconds: dict = Field(default_factory=dict, description="OCR + parsing CPU seconds per image (this process)")


def _rapidocr(rgb):
    from credlift.tools.extraction.ocr import run_ocr

    return run_ocr(rgb)


def _tesseract(rgb):
    from credlift.evals.bench.tesseract_reader import tesseract_lines

    return tesseract_lines(rgb)


READERS = {"rapidocr": _rapidocr, "tesseract_chi_sim": _tesseract}


def compare_readers(dataset: Path, limit: int, progress=None) -> dict[str, ReaderScores]:
    """Each engine's lines go through the same `extract_credential` parsers; exact match per field."""
    from credlift.tools.extraction import extract_credential
    from credlift.tools.extraction.evaluation import values_match
    from credlift.tools.intake import load_upload

    rows = [(p, r) for p, r in labelled_images(dataset) if not r.get("tampered")][:limit]
    uploads = [(load_upload(path), row) for path, row in rows]
    scores: dict[str, ReaderScores] = {}
    for engine, read in READERS.items():
        seconds, cpu_seconds, type_hits, totals, hits = [], [], 0, {}, {}
        for index, (upload, row) in enumerate(uploads):
            started, cpu_started = time.perf_counter(), time.process_time()
            record = extract_credential(upload, ocr_lines=read(upload.rgb))
            seconds.append(time.perf_counter() - started)
            cpu_seconds.append(time.process_time() - cpu_started)
            type_hits += int(record.type == row.get("type"))
            for key in READ_FIELDS:
                expected = row.get("fields", {}).get(key)
                if expected in (None, ""):
                    continue
                totals[key] = totals.get(key, 0) + 1
                hits[key] = hits.get(key, 0) + int(values_match(expected, record.fields.get(key)))
            if progress:
                progress(f"reading {engine} {index + 1}/{len(uploads)}")
        count = max(1, len(uploads))
        scores[engine] = ReaderScores(
            engine=engine, images=len(uploads), type_accuracy=round(type_hits / count, 4),
            field_accuracy={k: round(hits[k] / totals[k], 4) for k in sorted(totals)}, field_counts=dict(sorted(totals.items())),
            all_fields_accuracy=round(sum(hits.values()) / max(1, sum(totals.values())), 4), seconds=describe(seconds),
            cpu_seconds=describe(cpu_seconds))
    return scores


class RocCurve(BaseModel):
    detector: str
    auc: float | None
    fpr: list[float]
    tpr: list[float]


class AuthenticityPeers(BaseModel):
    images: int
    manipulated: int
    fused: dict = Field(description="the forensics evaluation of the fused detector (shipped threshold)")
    plain_ela: dict = Field(description="plain ELA at the threshold giving it the fused detector's false-positive rate")
    roc: list[RocCurve]
    seconds_per_image: dict = Field(description="intake and every signal, the page already read")
    ocr_seconds_per_image: dict = Field(default_factory=dict, description="reading the page (shared with extraction)")


def _plain_ela_score(analysis) -> float:
    for report in analysis.signals:
        if report.name == "ela":
            value = report.details.get("plain_ela", 0.0)
            return float(value) if isinstance(value, (int, float)) else 0.0
    return 0.0


def _roc(name: str, y: np.ndarray, scores: np.ndarray) -> RocCurve:
    from sklearn.metrics import roc_auc_score, roc_curve

    if y.all() or (~y).all():
        return RocCurve(detector=name, auc=None, fpr=[], tpr=[])
    fpr, tpr, _ = roc_curve(y, scores)
    return RocCurve(detector=name, auc=round(float(roc_auc_score(y, scores)), 4),
                    fpr=[round(float(v), 4) for v in fpr], tpr=[round(float(v), 4) for v in tpr])


def compare_authenticity(dataset: Path, workers: int | None = None) -> AuthenticityPeers:
    """Every image analysed once; the fused detector and plain ELA scored on the same analyses.

    The fused detector is the shipped fusion model, or the app's own rule-based fallback (noisy-OR of the signal
    scores) when no model is shipped; the report names which one ran.
    """
    from credlift.training.forensics.dataset import analyse_many, read_labels
    from credlift.training.forensics.evaluation import slice_metrics
    from credlift.tools.forensics.fusion import default_fusion_model, fallback_probability, fused_scores
    from credlift.tools.policy_parameters import load_policy_parameters

    labels = read_labels(dataset)
    # one process: forking a parent that already runs ONNX Runtime and OpenCV thread pools can kill the children
    # the page is read first, as the app does, so the content check runs
    analyses = analyse_many([label.path for label in labels], keep_maps=False, workers=workers or 1, read_text=True)
    kept = [(label, a) for label, a in zip(labels, analyses) if not a.error]
    kept_labels = [label for label, _ in kept]
    y = np.array([label.is_manipulated for label in kept_labels], bool)
    model = default_fusion_model()
    if model is not None:
        fused = fused_scores(model, [a.signals for _, a in kept])
        threshold, version = float(model.threshold), str(getattr(model, "version_", "fusion"))
    else:
        fused = np.array([fallback_probability({r.name: r.score for r in a.signals}) for _, a in kept])
        threshold, version = float(load_policy_parameters().authenticity_refer_score), "rule-based fallback (no shipped model)"
    ela = np.array([_plain_ela_score(a) for _, a in kept])
    fused_metrics = slice_metrics(kept_labels, fused, threshold)
    # plain ELA gets the threshold that gives it the fused detector's false-positive rate on this set (favouring it)
    target_fpr = fused_metrics.false_positive_rate or 0.0
    ela_threshold = float(np.quantile(ela[~y], 1.0 - target_fpr)) + 1e-9 if (~y).any() else 0.0
    return AuthenticityPeers(
        images=len(kept), manipulated=int(y.sum()),
        fused=fused_metrics.model_dump() | {"threshold": round(threshold, 4), "model_version": version},
        plain_ela=slice_metrics(kept_labels, ela, ela_threshold).model_dump() | {"threshold": round(ela_threshold, 6)},
        roc=[_roc("fused", y, fused), _roc("plain_ela", y, ela)],
        seconds_per_image=describe([a.seconds for _, a in kept]),
        ocr_seconds_per_image=describe([a.ocr_seconds for _, a in kept]))


def compare_retrieval() -> dict:
    """Recall@1/@3, MRR and latency per retrieval mode on the labelled policy questions."""
    from credlift.evals.retrieval import evaluate_retrieval

    evaluation = evaluate_retrieval()
    return {"queries": evaluation.queries, "clauses": evaluation.clauses, "embedding_backend": evaluation.embedding_backend,
            "modes": {mode: scores.model_dump(exclude={"misses_at_3"}) for mode, scores in evaluation.modes.items()}}


def decision_engine(n: int) -> dict:
    """The policy engine's own benchmark (decisions per second and outcome mix on a synthetic loan book)."""
    from credlift.training.risk.bench import benchmark_decisions

    return benchmark_decisions(n=n)
