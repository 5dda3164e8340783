"""Work done once per upload, and the cascade (issue 30).

- Every signal reads the views and derivations (grey, Lab, YCrCb, JPEG re-save, filters, text lines, glyphs) from
  one shared AnalysisContext; what it reports is exactly what it reports on a context of its own.
- Outside the detectors' domain, with no editor named in the file and no reuse, the verdict is `undetermined` at a
  fixed score whatever the other checks find: the cascade does not run them, lists each in `skipped`, and the
  verdict, score and reason are those of the full run. Everywhere else every check runs.
"""
from __future__ import annotations

import cv2
import numpy as np
import piexif
import pytest
from forensic_pages import certificate, jpeg_bytes

from credlift.domain.authenticity import SignalReport
from credlift.domain.credential import OcrLine
from credlift.tools.forensics import assess_authenticity
from credlift.tools.forensics.assess import SKIPPED_OUT_OF_DOMAIN, run_signals, verdict_is_settled
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.domain import Domain
from credlift.tools.forensics.signals.registry import default_signals
from credlift.tools.intake import load_upload

CET4_LINES = [OcrLine(text="全国大学英语四级考试成绩报告单", box=(300, 40, 500, 40), confidence=0.99),
              OcrLine(text="姓名:张晓明", box=(120, 120, 500, 40), confidence=0.99),
              OcrLine(text="总分:625", box=(120, 270, 300, 40), confidence=0.99)]
RECEIPT_LINES = [OcrLine(text="TOTAL RM 12.50", box=(10, 10, 200, 30), confidence=0.9),
                 OcrLine(text="THANK YOU", box=(10, 50, 200, 30), confidence=0.9)]


def _grey(rgb: np.ndarray) -> np.ndarray:
    return np.repeat(rgb.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)


@pytest.mark.parametrize("long_side", [None, 1900])  # as drawn (analysed as is), and larger than the work copy
def test_each_signal_reports_on_the_shared_context_what_it_reports_alone(long_side):
    rgb = certificate(seed=21, number="191211001001234")
    if long_side:
        rgb = cv2.resize(rgb, (long_side, round(long_side * rgb.shape[0] / rgb.shape[1])), interpolation=cv2.INTER_CUBIC)
    upload = load_upload(jpeg_bytes(rgb, quality=85), "page.jpg")
    signals = default_signals(include_reuse=False)
    shared = run_signals(upload, signals, ocr_lines=CET4_LINES)
    assert not shared.skipped and [s.name for s in shared.signals] == [s.name for s in signals]
    for signal, report in zip(signals, shared.signals):
        ctx = AnalysisContext(upload=upload, ocr_lines=CET4_LINES)
        alone = signal.analyse(ctx)
        assert report.model_dump() == alone.model_dump(), signal.name
        if signal.name in ctx.heatmaps:
            assert np.array_equal(shared.heatmaps[signal.name], ctx.heatmaps[signal.name]), signal.name
    # derived once: the grey and work copies are one array when nothing is resized
    ctx = AnalysisContext(upload=upload)
    assert (ctx.work_gray is ctx.gray) == (ctx.work_rgb is ctx.rgb)
    assert ctx.gradient_l1(ctx.work_gray) is ctx.gradient_l1(ctx.work_gray)
    assert ctx.ycrcb_of(ctx.grid_rgb[0]) is ctx.ycrcb_of(ctx.grid_rgb[0])


def test_the_cascade_skips_what_cannot_change_an_undetermined_verdict_and_says_so(tmp_path):
    upload = load_upload(jpeg_bytes(_grey(certificate(seed=22)), quality=80), "receipt.jpg")
    full = assess_authenticity(upload, ocr_lines=RECEIPT_LINES, cascade=False)
    quick = assess_authenticity(upload, ocr_lines=RECEIPT_LINES)  # the app's default
    assert full.verdict == quick.verdict == "undetermined"
    assert (quick.score, quick.reason, quick.drivers) == (full.score, full.reason, full.drivers)
    ran = {s.name for s in quick.signals}
    assert ran == {"metadata", "reuse"}  # the checks whose finding counts on any page ran first
    assert set(quick.skipped) == {s.name for s in full.signals} - ran
    assert {"trace", "grid", "local", "ela", "document"} <= set(quick.skipped)
    assert set(quick.skipped.values()) == {SKIPPED_OUT_OF_DOMAIN}
    assert not full.skipped
    # recorded where people and the case read it, and timed per check (wall and CPU)
    assert quick.cli_dict()["skipped"] == quick.skipped
    assert {"metadata", "reuse", "domain"} <= set(quick.timings_ms)
    assert all({"wall", "cpu"} <= set(t) for t in quick.timings_ms.values())
    assert {"trace", "grid"} <= set(full.timings_ms)


def test_in_the_domain_every_check_runs_and_the_report_is_the_full_runs():
    upload = load_upload(jpeg_bytes(certificate(seed=23, number="191211001001234"), quality=88), "cet4.jpg")
    full = assess_authenticity(upload, ocr_lines=CET4_LINES, cascade=False)
    quick = assess_authenticity(upload, ocr_lines=CET4_LINES)
    assert not quick.skipped
    assert (quick.verdict, quick.score, quick.drivers) == (full.verdict, full.score, full.drivers)
    assert [s.model_dump() for s in quick.signals] == [s.model_dump() for s in full.signals]


def test_an_editor_named_in_an_out_of_domain_file_runs_every_check():
    exif = piexif.dump({"0th": {piexif.ImageIFD.Software: b"Adobe Photoshop 25.1 (Windows)"}, "Exif": {}, "GPS": {},
                        "1st": {}})
    upload = load_upload(jpeg_bytes(_grey(certificate(seed=24)), quality=85, exif=exif), "edited.jpg")
    quick = assess_authenticity(upload, ocr_lines=RECEIPT_LINES)
    full = assess_authenticity(upload, ocr_lines=RECEIPT_LINES, cascade=False)
    assert not quick.skipped and quick.verdict == full.verdict != "undetermined"
    assert quick.score == full.score


def test_the_verdict_is_settled_only_outside_the_domain_without_domain_free_evidence_or_reuse():
    outside = Domain(layout="none", layout_known=False)

    def reports(**scores: float) -> list[SignalReport]:
        return [SignalReport(name=name, score=score) for name, score in scores.items()]

    assert verdict_is_settled(outside, reports(metadata=0.1, reuse=0.0))
    assert not verdict_is_settled(Domain(layout="cet4", layout_known=True), reports(metadata=0.1))
    assert not verdict_is_settled(outside, reports(metadata=0.9))
    assert not verdict_is_settled(outside, reports(metadata=0.1, reuse=0.8))
    assert verdict_is_settled(Domain(capture_issues=["greyscale"]), reports())
