"""Screenshots of an app's page (issue 25): judged by how their numbers are rendered, not by the paper detectors;
an edited number is caught on the same capture chain as its untouched twin, and recompression alone changes
nothing (the check is no compression detector). One rider page, read once (session fixture)."""
from __future__ import annotations

import io

import pytest
from PIL import Image


def _recompressed(data: bytes, quality: int) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(data)).convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def _analysed(data: bytes):
    from credlift.tools.extraction.ocr import run_ocr
    from credlift.tools.forensics.context import AnalysisContext
    from credlift.tools.forensics.signals.screen_render import ScreenRenderSignal
    from credlift.tools.intake import load_upload

    upload = load_upload(data, "page.png")
    return ScreenRenderSignal().analyse(AnalysisContext(upload=upload, ocr_lines=run_ocr(upload.rgb)))


@pytest.fixture(scope="module")
def rider_pair():
    """A rider's profile page and the same page with one number painted over and retyped, saved alike (PNG)."""
    from credlift.evals.synth import SynthSpec, render_credential

    sample = render_credential(SynthSpec(type="rider_profile", seed=12, tamper="screen_retype", same_quality=True,
                                         fields={"holder_name": "王建军"}))
    assert sample.label["format"] == sample.label["pristine_format"] == "png"
    return sample, _analysed(sample.pristine_bytes), _analysed(sample.image_bytes)


def test_a_retyped_number_on_a_screenshot_is_decisive_and_marked(rider_pair):
    from credlift.tools.forensics.fusion import DECISIVE

    sample, honest, edited = rider_pair
    assert honest.details["screenshot"] and not honest.details["flagged"]
    assert honest.score < DECISIVE["screen_render"] <= edited.score
    (x, y, w, h), box = sample.label["tamper_boxes"][0], edited.boxes[0]
    assert box.x < x + w and x < box.x + box.w and box.y < y + h and y < box.y + box.h  # it marks the edit


def test_recompressing_an_untouched_screenshot_changes_nothing(rider_pair):
    sample, honest, _ = rider_pair
    again = _analysed(_recompressed(sample.pristine_bytes, 65))
    assert not again.details["flagged"] and abs(again.score - honest.score) < 0.1


def test_an_app_page_is_judged_by_the_screen_checks_not_the_paper_detectors():
    from credlift.domain.authenticity import SignalReport
    from credlift.tools.forensics.domain import Domain
    from credlift.tools.forensics.report import decide_verdict

    paper = [SignalReport(name=name, score=1.0) for name in ("copy_move", "document", "trace")]
    screen = Domain(layout="rider_profile", layout_known=True, screen=True)
    honest = decide_verdict(0.99, paper + [SignalReport(name="screen_render", score=0.3)], 0.5, 0.8, "t", screen)
    assert honest.verdict == "authentic" and honest.score < 0.5
    edited = decide_verdict(0.99, paper + [SignalReport(name="screen_render", score=0.9)], 0.5, 0.8, "t", screen)
    assert edited.verdict == "tampered" and edited.drivers == ["screen_render"]
    certificate = decide_verdict(0.99, paper, 0.5, 0.8, "t", Domain(layout="degree", layout_known=True))
    assert certificate.verdict != "authentic"  # certificates are judged as before


def test_the_domain_knows_an_app_page_from_the_registry():
    from credlift.tools.credentials import weaker_evidence_types

    assert {"rider_profile", "creator_profile"} <= set(weaker_evidence_types())
    assert "health_certificate" not in weaker_evidence_types()


def test_the_cascade_runs_only_the_screen_checks_on_an_app_page_and_decides_as_the_full_run(rider_pair):
    from credlift.tools.extraction.ocr import run_ocr
    from credlift.tools.forensics import assess_authenticity
    from credlift.tools.forensics.assess import SKIPPED_APP_PAGE
    from credlift.tools.intake import load_upload

    sample, _, _ = rider_pair
    verdicts = []
    for data in (sample.pristine_bytes, sample.image_bytes):
        upload = load_upload(data, "page.png")
        lines = run_ocr(upload.rgb)
        quick = assess_authenticity(upload, ocr_lines=lines)  # the app's path
        full = assess_authenticity(upload, ocr_lines=lines, cascade=False)
        assert (quick.verdict, quick.score, quick.drivers, quick.reason) == \
            (full.verdict, full.score, full.drivers, full.reason)
        assert {s.name for s in quick.signals} == {"metadata", "reuse", "screen_render"}
        assert set(quick.skipped) == {s.name for s in full.signals} - {"metadata", "reuse", "screen_render"}
        assert set(quick.skipped.values()) == {SKIPPED_APP_PAGE}
        verdicts.append(quick.verdict)
    assert verdicts == ["authentic", "tampered"]
