"""The one shape every forensic signal has: a name and `analyse(ctx) -> SignalReport`."""
from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import cv2
import joblib
import numpy as np

from credlift.domain.authenticity import Box, SignalReport
from credlift.tools.forensics.context import AnalysisContext


@dataclass(frozen=True)
class SignalRole:
    """What a signal is to the rest of forensics, declared on the signal (`role = SignalRole(...)`); the tables
    fusion, the heatmap, the fallback and the calibration read are derived from it (signals/registry.py).

    features: detail keys the fusion model reads, in the trained order ("score": the signal's own score); a signal
        with features is an image signal (an input of the fusion model). Order is part of the trained model.
    decisive_at: from this score on the finding is decisive evidence on its own (noisy-OR after the model).
    localiser: its map goes on the staff heatmap when the trace network mapped the page.
    calibrator: "module:function" that sets its cut on the training sets (`credlift forensics calibrate`); its
        card is the function's output.
    fallback: counted by the noisy-OR used before a fusion model is trained.
    in_verdict: weighs in only in the verdict (reuse: other uploads).
    deferred: costly, and an image signal: run after every other check, and only where its figures can change the
        verdict (assess: the cascade bounds the fused probability over every value they could take).
    feature_ranges: per feature (in `features` order), the (lowest, highest) value it can take; "score" is always
        within [0, 1] (SignalReport), any feature not given here is unbounded. What the cascade's bound assumes.
    reads_text: reads more than the file: the page's OCR lines, the certificate number, the account or other
        uploads. A check that does not (and is not deferred) may run while the page is being read (early.py);
        tests/forensics/test_forensics_early.py holds every such check to it.
    """
    features: tuple[str, ...] = ()
    decisive_at: float | None = None
    localiser: bool = False
    calibrator: str = ""
    fallback: bool = False
    in_verdict: bool = False
    deferred: bool = False
    feature_ranges: tuple[tuple[float, float], ...] = ()
    reads_text: bool = False


@runtime_checkable
class ForensicSignal(Protocol):
    """A detector of one kind of manipulation trace. Scores are in [0, 1]; higher means more likely manipulated."""
    name: str
    role: SignalRole

    def analyse(self, ctx: AnalysisContext) -> SignalReport: ...


def squash(value: float, midpoint: float, width: float) -> float:
    """Logistic map of a raw statistic to [0, 1]; `midpoint` maps to 0.5."""
    z = (value - midpoint) / max(width, 1e-9)
    return float(1.0 / (1.0 + np.exp(-np.clip(z, -40, 40))))


def robust_z(values: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """(x - median) / (1.4826 MAD) over the masked entries; a floor on the spread avoids blow-ups on flat images."""
    sample = values[mask] if mask is not None else values.reshape(-1)
    if sample.size == 0:
        return np.zeros_like(values, dtype=np.float32)
    median = float(np.median(sample))
    mad = float(np.median(np.abs(sample - median))) * 1.4826
    spread = max(mad, 0.05 * abs(median), 1e-6)
    return ((values - median) / spread).astype(np.float32)


def block_reduce(image: np.ndarray, block: int, reducer=np.mean) -> np.ndarray:
    """Per-block statistic over non-overlapping blocks (edges cropped)."""
    h, w = image.shape[:2]
    hb, wb = h // block, w // block
    if hb == 0 or wb == 0:
        return np.zeros((1, 1), dtype=np.float32)
    cropped = image[: hb * block, : wb * block]
    tiles = cropped.reshape(hb, block, wb, block).swapaxes(1, 2).reshape(hb, wb, block * block)
    return reducer(tiles, axis=2).astype(np.float32)


def boxes_from_map(heat: np.ndarray, threshold: float, min_area: int = 64, limit: int = 8) -> list[Box]:
    """Bounding boxes of the connected regions above `threshold`, largest first."""
    mask = (heat >= threshold).astype(np.uint8)
    if not mask.any():
        return []
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    regions = [stats[i] for i in range(1, count) if stats[i][cv2.CC_STAT_AREA] >= min_area]
    regions.sort(key=lambda s: -int(s[cv2.CC_STAT_AREA]))
    return [Box(x=int(s[0]), y=int(s[1]), w=int(s[2]), h=int(s[3])) for s in regions[:limit]]


def cells_to_map(probability: np.ndarray, cell: int, shape: tuple[int, int]) -> np.ndarray:
    """A per-cell map painted onto an image of `shape` (cells from the top-left; the ragged edge stays 0)."""
    hb, wb = probability.shape
    heat = np.zeros(shape[:2], np.float32)
    heat[: hb * cell, : wb * cell] = cv2.resize(probability, (wb * cell, hb * cell), interpolation=cv2.INTER_NEAREST)
    return heat


_models: dict[tuple[str, int], Any] = {}


def load_model(path: Path, loader: Callable[[Path], Any] = joblib.load) -> Any:
    """A learned detector's artifact (joblib unless another loader is given), loaded once per process; None
    when it has not been trained."""
    key = (str(path), os.getpid())  # per process: a forked worker must not reuse its parent's runtime threads
    if key not in _models:
        _models[key] = loader(path) if path.exists() else None
    return _models[key]


def load_trees(path: Path) -> Any:
    """A joblib artifact holding a gradient-boosted classifier (itself, or under "model"), its trees evaluated by
    onnxruntime (tools/forensics/trees.py: the same probabilities, without sklearn's per-tree loop)."""
    from credlift.tools.forensics.trees import compile_trees

    artifact = joblib.load(path)
    if isinstance(artifact, dict) and "model" in artifact:
        return {**artifact, "model": compile_trees(artifact["model"])}
    return compile_trees(artifact)


def forget_model(path: Path) -> None:
    """After retraining: the next `load_model(path)` reads the new artifact."""
    for key in [key for key in _models if key[0] == str(path)]:
        _models.pop(key, None)


def read_card(path: Path) -> dict:
    """A calibration card (JSON), for `load_model(path, loader=read_card)`."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_card(path: Path, card: dict) -> dict:
    """Stamps the card with the time, writes it (the next `load_model` reads it) and returns it."""
    card["calibrated_at"] = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    forget_model(path)
    return card


def marked_box(ctx: AnalysisContext, x: int, y: int, w: int, h: int, pad: int) -> tuple[np.ndarray, list[Box]]:
    """A flagged region found on the work copy, `pad` px wider on each side: its map (1 inside) on the work grid and
    its box in the analysed image's coordinates."""
    heat = np.zeros(ctx.work_gray.shape, np.float32)
    heat[max(0, y - pad):y + h + pad, max(0, x - pad):x + w + pad] = 1.0
    box = Box(x=max(0, x - pad), y=max(0, y - pad), w=w + 2 * pad, h=h + 2 * pad)
    return heat, scale_boxes([box], 1.0 / ctx.work_scale)


def unmapped_report(ctx: AnalysisContext, name: str, summary: str, details: dict[str, Any]) -> SignalReport:
    """A learned map signal that could not run (not trained, image too small): an empty map and a zero score."""
    ctx.record_heatmap(name, np.zeros(ctx.shape, np.float32))
    return SignalReport(name=name, score=0.0, summary=summary, details=details)


def scale_boxes(boxes: list[Box], factor: float) -> list[Box]:
    """Boxes found on a work copy, brought back to the analysed image's coordinates."""
    if abs(factor - 1.0) < 1e-9:
        return boxes
    return [Box(x=int(b.x * factor), y=int(b.y * factor), w=max(1, int(b.w * factor)), h=max(1, int(b.h * factor)))
            for b in boxes]


def content_mask(gray: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Per block: (is_flat, is_textured). Flat blocks carry noise evidence; textured ones carry edge evidence."""
    lap = np.abs(cv2.Laplacian(gray.astype(np.float32), cv2.CV_32F, ksize=3))
    energy = block_reduce(lap, block)
    flat = energy < np.percentile(energy, 60) if energy.size > 1 else np.ones_like(energy, bool)
    textured = energy > np.percentile(energy, 80) if energy.size > 1 else np.zeros_like(energy, bool)
    return flat, textured


def page_record(ctx: AnalysisContext):
    """(record, field -> OCR line index) the extraction parsers read from the page's OCR lines; parsed once per
    upload and shared by the signals that read the page."""
    if "ocr_record" not in ctx.memo:
        from credlift.tools.extraction.backends.ocr_backend import record_and_sources

        ctx.memo["ocr_record"] = record_and_sources(ctx.ocr_lines or [])
    return ctx.memo["ocr_record"]


def an_app_page(ctx: AnalysisContext) -> bool:
    """The page reads as an app's own page (a screenshot type: tools/credentials `weaker_evidence`), judged by the
    screen checks; a CET report or a certificate captured as a screenshot is not one."""
    from credlift.tools.credentials import weaker_evidence_types

    return page_record(ctx)[0].type in weaker_evidence_types()


def boxes_map(ctx: AnalysisContext, boxes: list[Box]) -> np.ndarray:
    """The boxes (1) on the work-scale grid every map uses; the staff map weighs it by the score."""
    heat = np.zeros(ctx.work_gray.shape, np.float32)
    scale = ctx.work_scale
    for box in boxes:
        x0, y0 = int(box.x * scale), int(box.y * scale)
        x1, y1 = int(np.ceil((box.x + box.w) * scale)), int(np.ceil((box.y + box.h) * scale))
        heat[max(0, y0):y1, max(0, x0):x1] = 1.0
    return heat


# Signals whose finding is decisive evidence at a cut (fusion.DECISIVE) report on one scale: below the cut up to
# BELOW_CUT (weighs nothing), at or over it from DECISIVE_FROM.
BELOW_CUT = 0.6
DECISIVE_FROM = 0.85


def reported_score(value: float, cut: float, top: float = 1.0) -> float:
    """A measure on the decisive signals' scale: under `cut` below BELOW_CUT, from `cut` (up to `top`) from
    DECISIVE_FROM to 0.95."""
    if value < cut:
        return BELOW_CUT * max(value, 0.0) / max(cut, 1e-9)
    return DECISIVE_FROM + (0.95 - DECISIVE_FROM) * min(1.0, (value - cut) / max(top - cut, 1e-9))
