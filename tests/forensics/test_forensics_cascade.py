"""Work done once per upload, and the cascade (issue 30).

- Every signal reads the views and derivations (grey, Lab, YCrCb, JPEG re-save, filters, text lines, glyphs) from
  one shared AnalysisContext; what it reports is exactly what it reports on a context of its own.
- Outside the detectors' domain, with no editor named in the file and no reuse, the verdict is `undetermined` at a
  fixed score whatever the other checks find: the cascade does not run them, lists each in `skipped`, and the
  verdict, score and reason are those of the full run.
- In the domain the deferred checks (the grid cells) run last, and only where they can change the verdict: the
  fused probability is bounded over every value their features could take (bounds.py); under the threshold they
  are skipped with the reason, the verdict and drivers are the full run's and the score stays under the threshold;
  a page whose ceiling reaches the threshold gets them.
"""
from __future__ import annotations

import copy

import cv2
import numpy as np
import piexif
import pytest
from forensic_pages import certificate, jpeg_bytes

from credlift.domain.authenticity import SignalReport
from credlift.domain.credential import OcrLine
from credlift.tools.forensics import assess_authenticity
from credlift.tools.forensics.assess import SKIPPED_OUT_OF_DOMAIN, fuse, run_signals, verdict_is_settled
from credlift.tools.forensics.bounds import probability_range
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.domain import Domain
from credlift.tools.forensics.features import FEATURE_NAMES, unknown_features
from credlift.tools.forensics.fusion import default_fusion_model
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


def test_in_the_domain_an_honest_page_skips_the_deferred_checks_and_keeps_the_full_runs_verdict():
    upload = load_upload(jpeg_bytes(certificate(seed=23, number="191211001001234"), quality=88), "cet4.jpg")
    full = assess_authenticity(upload, ocr_lines=CET4_LINES, cascade=False)
    quick = assess_authenticity(upload, ocr_lines=CET4_LINES)
    threshold = default_fusion_model().threshold
    assert set(quick.skipped) == {"grid"} and "under the threshold" in quick.skipped["grid"]
    assert (quick.verdict, quick.drivers) == (full.verdict, full.drivers) == ("authentic", [])
    # the score: the fusion's with the grid reading as finding nothing, within the bound, so under the threshold
    assert quick.score == pytest.approx(fuse([s for s in full.signals if s.name != "grid"], default_fusion_model())[0])
    assert quick.score < threshold
    assert [s.model_dump() for s in quick.signals] == [s.model_dump() for s in full.signals if s.name != "grid"]
    assert "grid" in full.timings_ms and "grid" not in quick.timings_ms
    assert quick.cli_dict()["skipped"] == quick.skipped


def test_a_page_whose_ceiling_reaches_the_threshold_gets_the_deferred_checks():
    upload = load_upload(jpeg_bytes(certificate(seed=23, number="191211001001234"), quality=88), "cet4.jpg")
    cheap = assess_authenticity(upload, ocr_lines=CET4_LINES)
    near = copy.copy(default_fusion_model())  # the same trees, its threshold just under this page's ceiling
    near.threshold = cheap.score - 1e-6
    quick = assess_authenticity(upload, ocr_lines=CET4_LINES, model=near)
    full = assess_authenticity(upload, ocr_lines=CET4_LINES, model=near, cascade=False)
    assert not quick.skipped and "grid" in quick.timings_ms
    assert (quick.verdict, quick.score, quick.drivers) == (full.verdict, full.score, full.drivers)
    assert [s.model_dump() for s in quick.signals] == [s.model_dump() for s in full.signals]


def test_the_bound_is_exact_with_nothing_unknown_and_holds_for_every_value_of_the_unknown():
    model = default_fusion_model()
    rng = np.random.default_rng(30)
    mask, low, high = unknown_features(["grid"])
    assert mask.sum() == 4 and (low[mask] == 0).all() and np.isinf(high[mask]).sum() == 1  # area: a count of cells
    for _ in range(20):
        x = rng.uniform(0, 1, len(FEATURE_NAMES)) * rng.choice([1.0, 5.0, 40.0], len(FEATURE_NAMES))
        probability = model.predict_proba(x.reshape(1, -1))[0, 1]
        assert probability_range(model, x, np.zeros(len(x), bool)) == pytest.approx((probability, probability),
                                                                                 abs=1e-12)
        lowest, highest = probability_range(model, x, mask, low, high)
        for _ in range(10):
            y = x.copy()
            y[mask] = rng.uniform(0, 1, mask.sum()) * np.array([1, 1, 1, 200.0])
            assert lowest - 1e-12 <= model.predict_proba(y.reshape(1, -1))[0, 1] <= highest + 1e-12


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
