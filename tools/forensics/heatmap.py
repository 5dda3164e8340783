"""Where: one map from the signals' maps, and an overlay PNG for staff (never shown to applicants)."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from credlift.domain.authenticity import Box, SignalReport
from credlift.tools.forensics.signals import registry
from credlift.tools.forensics.signals.base import boxes_from_map

OVERLAY_LONG_SIDE = 1600
OVERLAY_QUALITY = 90
# Signals whose map marks a place; below this score a signal's map is not trusted enough to show.
MIN_SIGNAL_SCORE = 0.3
# Where an edit is: the learned edit-trace network's block probabilities, plus the cloned glyphs copy-move found
# the printed lines whose values contradict the page (consistency), a name printed unlike the page (name_style), an
# ID photo framed by foreign paper (photo_margin) and a character carrying seal ink cut off at its edge (seal_ink).
# The hand-made maps (ELA, noise, compression, block and grid detectors, document) light up honest texture too:
# weighted by their signals' scores, they marked 31% of the pixels of 50 honest pages of a generated set (seed
# 1002) and reached a mean pixel F1 of 0.11 on 150 of its forgeries, against 0.42 for this choice (0.4%
# of honest pixels marked). The figure on the evaluation set is in `credlift forensics evaluate`'s report.
LOCALISERS = registry.LOCALISERS  # the signals that declare `role.localiser`
# A generated image is fake everywhere: when this signal is sure, the whole image is marked.
WHOLE_IMAGE_SIGNAL = "ai_generation"
WHOLE_IMAGE_SCORE = 0.5
# a place counts as marked where the map is at this or more (the trace network's blocks are probabilities)
MARK_THRESHOLD = 0.7


def combine_heatmaps(heatmaps: dict[str, np.ndarray], signals: list[SignalReport], shape: tuple[int, int],
                     probability: float | None = None, threshold: float | None = None) -> np.ndarray:
    """One map of where the image was edited, in [0, 1].

    The localisers' maps when the trace network ran, else every signal's map weighted by its score; the whole
    image when the AI-generation signal is sure. With the fused probability and the decision threshold, the map
    is scaled by how far the image is towards being flagged, so an image judged authentic shows no hot area."""
    reports = {s.name: s for s in signals}
    combined = np.zeros(shape, np.float32)
    trace = reports.get("trace")
    mapped = trace is not None and bool(trace.details.get("mapped"))
    for name in LOCALISERS if mapped else tuple(heatmaps):
        heat = heatmaps.get(name)
        report = reports.get(name)
        if heat is None or report is None or heat.shape != shape:
            continue
        if name == "trace":
            np.maximum(combined, heat, out=combined)  # block probabilities, calibrated already (zeros when unmapped)
        elif report.score >= MIN_SIGNAL_SCORE:
            np.maximum(combined, heat * report.score, out=combined)
    whole = reports.get(WHOLE_IMAGE_SIGNAL)
    if whole is not None and whole.score >= WHOLE_IMAGE_SCORE:
        np.maximum(combined, whole.score, out=combined)
    if probability is not None and threshold:
        combined *= float(np.clip(probability / threshold, 0.0, 1.0))
    return combined


def write_overlay(rgb: np.ndarray, heat: np.ndarray, path: Path) -> Path:
    """Image dimmed, heat in colour, the marked areas (map at MARK_THRESHOLD or more) outlined; written as a sealed
    JPEG (credlift/crypto.py; read_overlay opens it).
    The outlines come from the same map as the colour, so staff never see a box on a place the map calls clean.
    JPEG at OVERLAY_QUALITY without chroma subsampling (the red outlines stay red): a photo of a page as PNG was
    about 2.4 MB and 70 ms to encode on every upload, as this JPEG about 0.2 MB and 5 ms (issue 30)."""
    factor = min(1.0, OVERLAY_LONG_SIDE / max(rgb.shape[:2]))
    size = (max(1, round(rgb.shape[1] * factor)), max(1, round(rgb.shape[0] * factor)))
    base = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if factor < 1 else rgb.copy()
    small_heat = cv2.resize(heat, size, interpolation=cv2.INTER_LINEAR) if factor < 1 else heat
    bgr = cv2.cvtColor(base, cv2.COLOR_RGB2BGR)
    colour = cv2.applyColorMap((np.clip(small_heat, 0, 1) * 255).astype(np.uint8), cv2.COLORMAP_JET)
    alpha = (np.clip(small_heat, 0, 1) * 0.6).astype(np.float32)
    # bgr * (1 - alpha) * 0.85 + colour * alpha in float32, summed in place (the same bytes, a third less time)
    blended = np.multiply(bgr, ((1 - alpha) * np.float32(0.85))[..., None], dtype=np.float32)
    blended += np.multiply(colour, alpha[..., None], dtype=np.float32)
    blended = blended.astype(np.uint8)
    for box in marked_areas(small_heat):
        cv2.rectangle(blended, (box.x, box.y), (box.x + box.w, box.y + box.h), (0, 0, 255), 2)
        strength = float(small_heat[box.y:box.y + box.h, box.x:box.x + box.w].max())
        cv2.putText(blended, f"edit {strength:.0%}", (box.x, max(12, box.y - 4)), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 255), 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, encoded = cv2.imencode(".jpg", blended, [cv2.IMWRITE_JPEG_QUALITY, OVERLAY_QUALITY,
                                                 cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444])
    if not ok:
        raise ValueError("the overlay could not be encoded as JPEG")
    from credlift.crypto import cipher_for_dir, seal_file_bytes, store_dir_of

    # the overlay shows the document: sealed at rest like the upload (read with read_overlay)
    path.write_bytes(seal_file_bytes(cipher_for_dir(store_dir_of(path)), encoded.tobytes()))
    return path


def read_overlay(path: Path) -> bytes:
    """The image bytes of an overlay written by write_overlay (JPEG; PNG before 2026-12-04, and a plain PNG written
    before overlays were sealed)."""
    from credlift.crypto import cipher_for_dir, open_file_bytes, store_dir_of

    return open_file_bytes(cipher_for_dir(store_dir_of(path)), Path(path).read_bytes())


def marked_areas(heat: np.ndarray) -> list[Box]:
    """The areas the map marks as edited, largest first."""
    return boxes_from_map(heat, MARK_THRESHOLD, min_area=16)
