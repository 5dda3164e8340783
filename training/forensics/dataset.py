"""Reading a generated (synth) set: labels.jsonl rows and the signal features of each image."""
from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from credlift.domain.authenticity import SignalReport


@dataclass
class LabelledImage:
    """One row of labels.jsonl, the parts authenticity needs."""
    path: Path
    tamper_kind: str  # none | copy_move | splice | retype | erase | metadata | ai_generated
    tamper_boxes: list[tuple[int, int, int, int]]
    capture: str
    jpeg_quality: int | None
    equal_quality: bool  # tampered content and host saved at the same JPEG quality (or no tamper)
    field_boxes: dict[str, tuple[int, int, int, int]] = field(default_factory=dict)  # where each value is printed
    tampered_fields: tuple[str, ...] = ()  # the printed values the forgery changed
    source: str = ""  # real sets: where the original came from (evals/realset/manifest.json)
    split: str = ""  # real sets: dev (for calibration) or holdout (for reporting)
    variant: str = ""  # real sets: untouched | messaging | recompressed | screenshot | matched | edited_<kind>

    @property
    def is_manipulated(self) -> bool:
        return self.tamper_kind != "none"


def _box(value) -> tuple[int, int, int, int]:
    if isinstance(value, dict):
        return int(value["x"]), int(value["y"]), int(value["w"]), int(value["h"])
    x, y, w, h = value
    return int(x), int(y), int(w), int(h)


def read_labels(data_dir: Path) -> list[LabelledImage]:
    labels_path = Path(data_dir) / "labels.jsonl"
    if not labels_path.exists():
        from credlift.errors import UserInputError

        raise UserInputError(f"{labels_path} does not exist; generate a set with `credlift synth --out {data_dir}`")
    rows = []
    for line in labels_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        tamper = row.get("tamper") if isinstance(row.get("tamper"), dict) else {}
        kind = row.get("tamper_kind") or tamper.get("kind") or "none"
        boxes = row.get("tamper_boxes") or tamper.get("boxes") or []
        quality = row.get("jpeg_quality")
        source_quality = row.get("source_jpeg_quality", tamper.get("source_jpeg_quality"))
        equal = row.get("same_quality_as_pristine", row.get("equal_quality"))
        if equal is None:
            equal = source_quality is None or quality is None or int(source_quality) == int(quality)
        rows.append(LabelledImage(
            path=Path(data_dir) / (row.get("file") or row.get("image") or row["path"]),
            tamper_kind=str(kind or "none"),
            tamper_boxes=[_box(b) for b in boxes],
            capture=str(row.get("capture", "unknown")),
            jpeg_quality=int(quality) if quality is not None else None,
            equal_quality=bool(equal),
            field_boxes={name: _box(b) for name, b in (row.get("field_boxes") or {}).items() if len(b) == 4},
            tampered_fields=tuple(row.get("tampered_fields") or ()),
            source=str(row.get("source", "")), split=str(row.get("split", "")), variant=str(row.get("variant", "")),
        ))
    return rows


@dataclass
class ImageAnalysis:
    """What the signals said about one labelled image (heat maps kept only when asked for)."""
    signals: list[SignalReport]
    seconds: float
    combined_heat: np.ndarray | None = None
    plain_ela: np.ndarray | None = None
    analysed_shape: tuple[int, int] = (0, 0)
    scale: float = 1.0
    error: str = ""
    ocr_seconds: float = 0.0  # reading the text (shared with extraction in the app), apart from `seconds`
    pixel_f1: float | None = None
    ela_pixel_f1: float | None = None
    domain: Any = None  # domain.Domain: the layout read and the capture issues (for the verdict)
    skipped: list[str] = field(default_factory=list)  # checks the cascade did not run


def analyse_image(path: Path, keep_maps: bool = False, model=None, read_text: bool = False,
                  cascade: bool = False) -> ImageAnalysis:
    """Intake plus every image signal (no reuse: each generated image stands alone), timed. With `keep_maps`,
    the combined map staff would see: scaled by the fused probability when a fusion `model` is given. With
    `read_text`, OCR reads the page first, as the app does, so the consistency check runs (its time is kept apart:
    in the app the same reading serves extraction). With `cascade`, as the app runs them: checks that cannot change
    the verdict are not run (assess.run_signals; `skipped` lists them)."""
    from credlift.errors import UnsupportedFileError
    from credlift.tools.forensics.assess import fuse, run_signals
    from credlift.tools.forensics.heatmap import combine_heatmaps
    from credlift.tools.intake import load_upload

    started = time.perf_counter()
    try:
        upload = load_upload(path)
    except UnsupportedFileError as error:
        return ImageAnalysis(signals=[], seconds=time.perf_counter() - started, error=str(error))
    lines, ocr_seconds = None, 0.0
    if read_text:
        from credlift.tools.extraction.ocr import run_ocr

        ocr_started = time.perf_counter()
        lines = run_ocr(upload.rgb)
        ocr_seconds = time.perf_counter() - ocr_started
    run = run_signals(upload, _signals(), ocr_lines=lines, cascade=cascade, model=model)
    seconds = time.perf_counter() - started - ocr_seconds
    combined = None
    if keep_maps:
        probability, threshold = fuse(run.signals, model)[:2] if model is not None else (None, None)
        combined = combine_heatmaps(run.heatmaps, run.signals, upload.rgb.shape[:2], probability, threshold)
    return ImageAnalysis(signals=run.signals, seconds=seconds, combined_heat=combined,
                         plain_ela=run.plain_ela if keep_maps else None, analysed_shape=upload.rgb.shape[:2],
                         scale=upload.scale, ocr_seconds=ocr_seconds, domain=run.domain, skipped=sorted(run.skipped))


_SIGNALS = None


def _signals():
    global _SIGNALS
    if _SIGNALS is None:
        from credlift.tools.forensics.signals.registry import default_signals

        _SIGNALS = default_signals(include_reuse=False)
    return _SIGNALS


def analyse_many(paths: list[Path], keep_maps: bool = False, workers: int | None = None,
                 read_text: bool = False) -> list[ImageAnalysis]:
    """In parallel processes when there are several cores (features only; timings then run side by side)."""
    return parallel_map(partial(analyse_image, keep_maps=keep_maps, read_text=read_text), paths, workers)


# honest pages are also measured once re-saved at one of these JPEG qualities (in turn), as phones and messengers do
RESAVE_QUALITIES = (65, 75, 85, 95)


def resaved(rgb: np.ndarray, quality: int) -> np.ndarray:
    """The page after one more JPEG save at `quality`."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buffer.getvalue())).convert("RGB"))


def page_rgb(path: str | Path, quality: int | None = None) -> np.ndarray:
    """The page as intake decodes it; re-saved once at `quality` when one is given."""
    from credlift.tools.intake import load_upload

    rgb = load_upload(Path(path)).rgb
    return rgb if quality is None else resaved(rgb, quality)


def honest_and_forged_rows(data_dir: Path, measure, is_forged, role: str,
                           workers: int | None = None) -> list[tuple[str, str, int | None, Any]]:
    """(file, role, re-save quality, measure) for the set's honest pages (role 'honest', each as generated and once
    re-saved, the qualities of RESAVE_QUALITIES in turn) and the forgeries `is_forged` picks (`role`, as generated);
    `measure` takes (path, quality or None) and runs in worker processes."""
    labels = read_labels(data_dir)
    jobs, roles = [], []
    for index, label in enumerate(labels):
        if not label.is_manipulated:
            jobs += [(str(label.path), None), (str(label.path), RESAVE_QUALITIES[index % len(RESAVE_QUALITIES)])]
            roles += ["honest", "honest"]
    forged = [label for label in labels if is_forged(label)]
    jobs += [(str(label.path), None) for label in forged]
    roles += [role] * len(forged)
    values = parallel_map(measure, jobs, workers, chunksize=8)
    return [(Path(path).name, kind, quality, value) for (path, quality), kind, value in zip(jobs, roles, values)]


def parallel_map(function, jobs: list, workers: int | None = None, chunksize: int = 4) -> list:
    """`function` over `jobs`, results in order: in worker processes sharing the cores (default: up to 4) when
    there are several workers and at least 8 jobs, else in this process."""
    workers = workers if workers is not None else max(1, min(4, os.cpu_count() or 1))
    if workers <= 1 or len(jobs) < 8:
        return [function(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers, initializer=_single_threaded) as pool:
        return list(pool.map(function, jobs, chunksize=chunksize))


def _single_threaded() -> None:
    """Worker processes share the cores; OpenCV's own thread pool would only oversubscribe them."""
    import cv2

    cv2.setNumThreads(1)
