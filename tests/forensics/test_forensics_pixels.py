"""Pixel signals on pages made in the test: cloned digits, generator upsampling, a region saved at another quality."""
from __future__ import annotations

import cv2
import numpy as np

from forensic_pages import SCORE_BOX, certificate, copy_moved_score, decode, jpeg_bytes, png_bytes
from credlift.tools.forensics import assess_authenticity
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.fusion import default_fusion_model
from credlift.tools.forensics.signals.ai_generation import AiGenerationSignal
from credlift.tools.forensics.signals.compression import CompressionSignal
from credlift.tools.forensics.signals.copy_move import CopyMoveSignal
from credlift.tools.forensics.signals.grid import GridCellSignal
from credlift.tools.intake import load_upload


def _overlaps(box, target) -> bool:
    x, y, w, h = target
    return not (box.x > x + w or x > box.x + box.w or box.y > y + h or y > box.y + box.h)


def test_copy_moved_score_digit_is_found_and_located_by_the_copy_move_signal(data_dir, tmp_path):
    upload = load_upload(copy_moved_score(), "score.png")
    signal = CopyMoveSignal().analyse(AnalysisContext(upload=upload))
    assert signal.score > 0.9
    assert any(_overlaps(box, SCORE_BOX) for box in signal.boxes), "the cloned digit is located"
    report = assess_authenticity(upload, data_dir=data_dir, overlay_dir=tmp_path)
    reported = next(s for s in report.signals if s.name == "copy_move")
    assert reported.score > 0.9 and any(_overlaps(box, SCORE_BOX) for box in reported.boxes)
    from credlift.tools.forensics.heatmap import read_overlay

    png = cv2.imdecode(np.frombuffer(read_overlay(report.overlay_path), np.uint8), cv2.IMREAD_COLOR)
    assert report.overlay_path and png is not None


def test_printed_repeats_of_a_digit_are_not_clones():
    honest = load_upload(png_bytes(decode(jpeg_bytes(certificate(seed=41), quality=90))), "honest.png")
    assert CopyMoveSignal().analyse(AnalysisContext(upload=honest)).score < 0.5


def test_generator_checkerboard_upsampling_is_an_ai_cue():
    page = certificate(seed=42)
    small = cv2.resize(page, (page.shape[1] // 4, page.shape[0] // 4), interpolation=cv2.INTER_AREA).astype(np.float32)
    up = small
    for _ in range(2):  # stride-2 transposed convolution with an uneven 3x3 kernel
        zero = np.zeros((up.shape[0] * 2, up.shape[1] * 2, 3), np.float32)
        zero[::2, ::2] = up
        up = cv2.filter2D(zero, -1, np.outer([0.6, 1.0, 0.4], [0.6, 1.0, 0.4]))
    generated = load_upload(png_bytes(np.clip(up, 0, 255).astype(np.uint8)), "generated.png")
    honest = load_upload(jpeg_bytes(page), "photo.jpg")
    cue = AiGenerationSignal().analyse(AnalysisContext(upload=generated))
    plain = AiGenerationSignal().analyse(AnalysisContext(upload=honest))
    assert cue.details["spectral_peak"] > 4 * plain.details["spectral_peak"]
    assert cue.score > plain.score + 0.2 and plain.score < 0.1


def test_region_saved_at_a_lower_quality_leaves_a_jpeg_ghost():
    page = certificate(seed=43)
    low = decode(jpeg_bytes(page, quality=55))
    spliced = page.copy()
    spliced[256:448, 560:880] = low[256:448, 560:880]  # block-aligned patch from a quality-55 copy
    data = jpeg_bytes(spliced, quality=92)
    honest = jpeg_bytes(page, quality=92)
    ghost = CompressionSignal().analyse(AnalysisContext(upload=load_upload(data, "spliced.jpg")))
    clean = CompressionSignal().analyse(AnalysisContext(upload=load_upload(honest, "honest.jpg")))
    assert ghost.details["ghost_peak"] > clean.details["ghost_peak"] + 2.0
    assert ghost.score > clean.score


def test_honest_phone_photo_is_authentic(data_dir, honest_photo_bytes):
    report = assess_authenticity(load_upload(honest_photo_bytes, "photo.jpg"), data_dir=data_dir)
    assert report.verdict == "authentic"
    assert report.drivers == []
    assert report.score < default_fusion_model().threshold


def test_region_with_another_compression_history_is_located_by_the_grid_cells(tmp_path):
    page = certificate(seed=43)
    low = decode(jpeg_bytes(page, quality=55))
    spliced = page.copy()
    spliced[256:448, 560:880] = low[256:448, 560:880]  # block-aligned patch from a quality-55 copy
    ctx = AnalysisContext(upload=load_upload(jpeg_bytes(spliced, quality=92), "spliced.jpg"))
    report = GridCellSignal().analyse(ctx)
    heat = ctx.heatmaps["grid"]
    assert heat.shape == spliced.shape[:2]
    inside, outside = heat[256:448, 560:880].mean(), np.delete(heat, np.s_[240:464], axis=0).mean()
    assert inside > outside + 0.2, (inside, outside)
    assert report.details["trained"] and 0.0 <= report.score <= 1.0


def test_grid_training_rows_label_the_cells_inside_tamper_boxes(tmp_path):
    from credlift.training.forensics.training import grid_rows

    path = tmp_path / "page.jpg"
    path.write_bytes(jpeg_bytes(certificate(seed=44), quality=90))
    rows, labels = grid_rows((path, "retype", [(560, 256, 320, 192)], 0))
    assert rows.shape[0] == labels.shape[0] and rows.ndim == 2
    assert labels.sum() == (320 // 16) * (192 // 16)  # every cell inside the box, none on its border
    assert (labels == 0).sum() > 0 and np.isfinite(rows).all()
    clean_rows, clean_labels = grid_rows((path, "none", [], 0))
    assert clean_labels.sum() == 0 and len(clean_labels) > 0
