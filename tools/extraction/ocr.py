"""Reading the text on a page with RapidOCR (PP-OCRv4 models shipped inside the wheel; offline, CPU).

One engine per process. The page is read in one pass: seal ink suppressed, text lines detected on a small copy
(detection cost grows with pixels), a quarter-turned page turned upright, an upside-down page found by voting
the direction classifier over the longest lines, and each line recognised from a full-resolution crop (recognition
cost grows with lines, not pixels). Boxes come back in the coordinates of the image given, plus an upright box
in the page turned upright and deskewed, which is what the layout parsers read.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

import cv2
import numpy as np

from credlift.domain.credential import OcrLine
from credlift.tools.extraction.preprocess import (
    PhotoQuality,
    SealRegion,
    assess_quality,
    deskew_points,
    find_seals,
    rotate_points_quarter,
    suppress_seal_colour,
    text_direction,
)


DETECTION_LONG_SIDE = 960
# one line per recognition call: batches pad every line to the widest, which costs more than the calls save
RECOGNITION_BATCH = 1
# text lines lower than this (in detector pixels) are missed now and then: such pages are detected again larger
MIN_DETECTED_TEXT_HEIGHT = 16.0
MAX_DETECTION_LONG_SIDE = 2048
CROP_LONG_SIDE = 2200
MIN_LINE_CONFIDENCE = 0.5
ORIENTATION_VOTERS = 8

_engine_lock = threading.Lock()


@dataclass
class OcrPage:
    """Everything one OCR pass learned about a page."""
    lines: list[OcrLine]
    quarter_turns: int = 0
    upside_down: bool = False
    skew_degrees: float = 0.0
    seals: list[SealRegion] = field(default_factory=list)
    quality: PhotoQuality | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)

    @property
    def rotation_degrees(self) -> int:
        """How far the photo was turned (counter-clockwise) from upright."""
        return (self.quarter_turns * 90 + (180 if self.upside_down else 0)) % 360


@lru_cache(maxsize=1)
def _engine():
    from rapidocr_onnxruntime import RapidOCR
    from rapidocr_onnxruntime.ch_ppocr_det.utils import DetPreProcess

    from credlift import threads

    # one pool of the worker's thread budget (its lane's share, threads.per_lane: the image checks run beside the
    # read): onnxruntime's default is every core, for each of three models; and
    # the worker's session options (threads.onnx_session_options: no spinning between runs) for each model
    with _session_options_of_the_worker():
        engine = RapidOCR(intra_op_num_threads=threads.per_lane(), inter_op_num_threads=1)
    detector = engine.text_det
    # the detector gets an image already scaled to DETECTION_LONG_SIDE; stop it from rescaling again
    detector.get_preprocess = lambda max_wh: DetPreProcess(max(max_wh, 32), "max", detector.mean, detector.std)
    engine.text_rec.rec_batch_num = RECOGNITION_BATCH
    return engine


@contextmanager
def _session_options_of_the_worker():
    """While RapidOCR builds its sessions, its options are the worker's (RapidOCR sets threads, not spinning);
    what RapidOCR sets itself (log level, no memory arena, optimisation level) is kept."""
    from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession

    from credlift import threads

    own = OrtInferSession.__dict__["_init_sess_opts"]

    def worker_options(config):
        options = own.__func__(config)
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.add_session_config_entry("session.inter_op.allow_spinning", "0")
        options.intra_op_num_threads = threads.per_lane()
        return options

    OrtInferSession._init_sess_opts = staticmethod(worker_options)
    try:
        yield
    finally:
        OrtInferSession._init_sess_opts = own


def warm_up() -> None:
    """Loads the models (about a second) so that the first upload is not slower than the rest."""
    _engine()


def run_ocr(rgb: np.ndarray) -> list[OcrLine]:
    """Text lines on the page, top to bottom, in the coordinates of `rgb` (with `upright_box` for layout)."""
    return read_page(rgb).lines


def read_page(rgb: np.ndarray, with_quality: bool = True) -> OcrPage:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    height, width = rgb.shape[:2]
    crop_factor = min(1.0, CROP_LONG_SIDE / max(height, width))
    working = cv2.resize(rgb, (round(width * crop_factor), round(height * crop_factor)), interpolation=cv2.INTER_AREA) if crop_factor < 1 else rgb
    quality = assess_quality(working) if with_quality else None
    seals = find_seals(working)
    working = suppress_seal_colour(working, seals)
    bgr = np.ascontiguousarray(working[..., ::-1])
    timings["preprocess"] = _ms(started)

    engine = _engine()
    with _engine_lock:  # onnxruntime sessions are thread-safe, but two pages at once only thrash 2 cores
        started = time.perf_counter()
        quarter_turns = 0
        polygons = _detect(engine, bgr)
        vertical, skew = text_direction(polygons)
        if vertical:
            quarter_turns = 1
            bgr = np.ascontiguousarray(np.rot90(bgr, 1))
            polygons = _detect(engine, bgr)
            _, skew = text_direction(polygons)
        timings["detect"] = _ms(started)

        started = time.perf_counter()
        crops = [_crop(bgr, polygon) for polygon in polygons]
        upside_down = _page_is_upside_down(engine, crops)
        if upside_down:
            crops = [cv2.rotate(crop, cv2.ROTATE_180) for crop in crops]
        timings["orientation"] = _ms(started)

        started = time.perf_counter()
        recognised = list(engine.text_rec(crops)[0]) if crops else []
        if not upside_down:
            extra_polygons, extra_results = _read_beside_bare_labels(engine, bgr, polygons, recognised)
            polygons, recognised = list(polygons) + extra_polygons, recognised + extra_results
        timings["recognise"] = _ms(started)

    work_h, work_w = bgr.shape[:2]
    lines: list[OcrLine] = []
    for polygon, result in zip(polygons, recognised):
        text, confidence = str(result[0]).strip(), float(result[1])
        if not text or confidence < MIN_LINE_CONFIDENCE:
            continue
        # analysed-image coordinates: undo the quarter turn, then the crop scaling
        original = rotate_points_quarter(polygon, (4 - quarter_turns) % 4, work_w, work_h) / crop_factor
        upright = polygon
        upright_w, upright_h = work_w, work_h
        if upside_down:
            upright = rotate_points_quarter(upright, 2, work_w, work_h)
        upright = deskew_points(upright, skew, upright_w, upright_h) / crop_factor
        lines.append(OcrLine(
            text=text,
            box=_bbox(original, width, height),
            polygon=[(int(round(x)), int(round(y))) for x, y in original],
            confidence=round(confidence, 4),
            upright_box=_bbox(upright, None, None),
        ))
    lines.sort(key=lambda line: (line.upright_box[1] + line.upright_box[3] / 2, line.upright_box[0]))
    return OcrPage(lines=lines, quarter_turns=quarter_turns, upside_down=upside_down, skew_degrees=round(skew, 2),
                   seals=[SealRegion(round(s.x / crop_factor), round(s.y / crop_factor), round(s.w / crop_factor),
                                     round(s.h / crop_factor)) for s in seals],
                   quality=quality, timings_ms=timings)


def _detect(engine, bgr: np.ndarray) -> list[np.ndarray]:
    """Text-line polygons; a page of small text (a screenshot of a phone screen) is looked at again, larger."""
    polygons = _detect_at(engine, bgr, DETECTION_LONG_SIDE)
    if not polygons:
        return polygons
    long_side = max(bgr.shape[:2])
    heights = sorted(float(np.linalg.norm(p[3] - p[0])) for p in polygons)
    detected_height = heights[len(heights) // 2] * DETECTION_LONG_SIDE / long_side
    if detected_height < MIN_DETECTED_TEXT_HEIGHT and long_side > DETECTION_LONG_SIDE * 1.1:
        larger = min(MAX_DETECTION_LONG_SIDE, long_side, DETECTION_LONG_SIDE * 22.0 / max(detected_height, 1.0))
        polygons = _detect_at(engine, bgr, int(larger)) or polygons
    return polygons


def _detect_at(engine, bgr: np.ndarray, detection_long_side: int) -> list[np.ndarray]:
    height, width = bgr.shape[:2]
    factor = detection_long_side / max(height, width)
    small = cv2.resize(bgr, (max(32, round(width * factor)), max(32, round(height * factor))),
                       interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    boxes, _ = engine.text_det(small)
    if boxes is None or len(boxes) == 0:
        return []
    scale_x, scale_y = width / small.shape[1], height / small.shape[0]
    polygons = []
    for box in boxes:
        polygon = np.asarray(box, dtype=np.float32).copy()
        polygon[:, 0] *= scale_x
        polygon[:, 1] *= scale_y
        polygons.append(polygon)
    return polygons


def _crop(bgr: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """The line straightened out of the page (perspective crop, as PaddleOCR does)."""
    crop_w = int(max(np.linalg.norm(polygon[0] - polygon[1]), np.linalg.norm(polygon[2] - polygon[3])))
    crop_h = int(max(np.linalg.norm(polygon[0] - polygon[3]), np.linalg.norm(polygon[1] - polygon[2])))
    crop_w, crop_h = max(crop_w, 4), max(crop_h, 4)
    target = np.array([[0, 0], [crop_w, 0], [crop_w, crop_h], [0, crop_h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(polygon.astype(np.float32), target)
    crop = cv2.warpPerspective(bgr, matrix, (crop_w, crop_h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    if crop.shape[0] / crop.shape[1] >= 1.5:
        crop = np.ascontiguousarray(np.rot90(crop))
    return crop


def _read_beside_bare_labels(engine, bgr: np.ndarray, polygons: list[np.ndarray], recognised: list) -> tuple[list, list]:
    """A label ending in a colon with nothing detected after it (faint or small print the detector missed):
    the strip to its right is recognised directly."""
    height, width = bgr.shape[:2]
    candidates = []
    for index, (polygon, result) in enumerate(zip(polygons, recognised)):
        text = str(result[0]).strip()
        if not text.endswith((":", "：")) or float(result[1]) < MIN_LINE_CONFIDENCE or len(text) > 12:
            continue
        direction = polygon[1] - polygon[0]
        length = float(np.linalg.norm(direction))
        line_height = float(np.linalg.norm(polygon[3] - polygon[0]))
        if length < 1 or line_height < 4:
            continue
        unit = direction / length
        span = min(16.0 * line_height, _room_to_edge(polygon[1], unit, width, height))
        span = min(span, _distance_to_next(polygons, index, unit, span, line_height) - 0.3 * line_height)
        if span < 3 * line_height:
            continue
        gap = 0.2 * line_height
        strip = np.array([polygon[1] + unit * gap, polygon[1] + unit * span, polygon[2] + unit * span,
                          polygon[2] + unit * gap], dtype=np.float32)
        candidates.append(strip)
    if not candidates:
        return [], []
    results = engine.text_rec([_crop(bgr, strip) for strip in candidates])[0]
    kept = [(strip, result) for strip, result in zip(candidates, results) if str(result[0]).strip()]
    return [strip for strip, _ in kept], [result for _, result in kept]


def _room_to_edge(point: np.ndarray, unit: np.ndarray, width: int, height: int) -> float:
    limits = []
    if unit[0] > 1e-6:
        limits.append((width - 1 - point[0]) / unit[0])
    elif unit[0] < -1e-6:
        limits.append(-point[0] / unit[0])
    if unit[1] > 1e-6:
        limits.append((height - 1 - point[1]) / unit[1])
    elif unit[1] < -1e-6:
        limits.append(-point[1] / unit[1])
    return float(min(limits)) if limits else 0.0


def _distance_to_next(polygons: list[np.ndarray], index: int, unit: np.ndarray, span: float, line_height: float) -> float:
    """How far after the label the next detected line on its row starts (`span` when none does)."""
    label = polygons[index]
    origin = (label[1] + label[2]) / 2.0
    normal = np.array([-unit[1], unit[0]])
    nearest = span
    for other_index, other in enumerate(polygons):
        if other_index == index:
            continue
        across = float((other.mean(axis=0) - origin) @ normal)
        start = float(min((corner - origin) @ unit for corner in other))
        end = float(max((corner - origin) @ unit for corner in other))
        if abs(across) < 0.8 * line_height and end > 0:
            nearest = min(nearest, max(0.0, start))
    return nearest


def _page_is_upside_down(engine, crops: list[np.ndarray]) -> bool:
    """Votes the 0/180 direction classifier over the longest lines (one line can fool it, eight rarely do)."""
    if not crops:
        return False
    longest = sorted(range(len(crops)), key=lambda i: -crops[i].shape[1])[:ORIENTATION_VOTERS]
    _, votes, _ = engine.text_cls([crops[i] for i in longest])
    flipped = sum(score for label, score in votes if "180" in str(label))
    upright = sum(score for label, score in votes if "180" not in str(label))
    return flipped > upright


def _bbox(points: np.ndarray, width: int | None, height: int | None) -> tuple[int, int, int, int]:
    xs, ys = points[:, 0], points[:, 1]
    x0, y0, x1, y1 = float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())
    if width is not None:
        x0, x1 = max(0.0, x0), min(float(width), x1)
    if height is not None:
        y0, y1 = max(0.0, y0), min(float(height), y1)
    return int(round(x0)), int(round(y0)), max(1, int(round(x1 - x0))), max(1, int(round(y1 - y0)))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 1)
