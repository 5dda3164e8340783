"""The checks of the file alone run while the page is read (issue 30; tools/forensics/early.py).

- Every check the registry lets start early reads nothing but the file: not the OCR lines, the certificate
  number, the account or the data directory (a context that refuses to give them out).
- With two lanes, `pipeline.extract` starts them and `pipeline.authenticate` uses them: the report (verdict, score,
  every signal's figures, what the cascade skipped, the overlay's map) is the one the checks give run one after the
  other; a page outside the domain drops what was started and keeps the cascade's report; once used they are gone.
- With one lane (one thread per worker) nothing starts early.
"""
from __future__ import annotations

import numpy as np
import pytest
from forensic_pages import certificate, jpeg_bytes

from credlift import threads
from credlift.domain.credential import OcrLine
from credlift.tools import pipeline
from credlift.tools.forensics import assess_authenticity, early
from credlift.tools.forensics.assess import run_signals
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.registry import EARLY, default_signals
from credlift.tools.intake import load_upload

CET4_LINES = [OcrLine(text="全国大学英语四级考试成绩报告单", box=(300, 40, 500, 40), confidence=0.99),
              OcrLine(text="姓名:张晓明", box=(120, 120, 500, 40), confidence=0.99),
              OcrLine(text="总分:625", box=(120, 270, 300, 40), confidence=0.99)]
RECEIPT_LINES = [OcrLine(text="TOTAL RM 12.50", box=(10, 10, 200, 30), confidence=0.9)]


class _FileOnly(AnalysisContext):
    """A context that gives out the file and its views, and refuses everything else a check could read."""

    def __init__(self, **fields):
        super().__init__(**fields)
        self._sealed = True

    def __getattribute__(self, name):
        if name in ("ocr_lines", "certificate_number", "account_id", "data_dir") and \
                object.__getattribute__(self, "__dict__").get("_sealed"):
            raise AssertionError(f"an early check read ctx.{name}")
        return object.__getattribute__(self, name)


@pytest.fixture
def two_lanes(monkeypatch):
    monkeypatch.setattr(threads, "lanes", lambda: 2)


def _page(seed: int = 21) -> bytes:
    return jpeg_bytes(certificate(seed=seed, number="191211001001234"), quality=85)


def test_the_checks_that_start_early_read_nothing_but_the_file():
    assert {"trace", "compression", "local", "ela", "document", "copy_move", "noise"} <= set(EARLY)
    assert not {"reuse", "name_style", "consistency", "screen_render", "grid"} & set(EARLY)  # text, others, deferred
    upload = load_upload(_page(), "page.jpg")
    sealed = _FileOnly(upload=upload)
    for signal in early.early_signals():
        report = early.analyse_timed(signal, sealed).report
        assert "error" not in report.details, signal.name
    with pytest.raises(AssertionError):
        _ = sealed.ocr_lines
    # the seal holds: every check that declares it reads more than the file fails on it
    for signal in default_signals():
        if signal.role.reads_text:
            report = early.analyse_timed(signal, _FileOnly(upload=upload)).report
            assert report.details.get("error") == "AssertionError", signal.name


def test_started_early_and_run_in_order_give_the_same_report(two_lanes, tmp_path):
    data = _page()
    reference = assess_authenticity(load_upload(data, "page.jpg"), ocr_lines=CET4_LINES,
                                    overlay_dir=tmp_path / "in-order")
    upload = load_upload(data, "page.jpg")
    started = early.start(upload)
    assert started is not None and early.take(load_upload(data, "other-name.jpg")) is started  # by content hash
    early._started[started.sha256] = started  # put back for the authentication below
    report = assess_authenticity(upload, ocr_lines=CET4_LINES, overlay_dir=tmp_path / "early")
    assert early.take(upload) is None  # used once
    assert (report.verdict, report.score, report.drivers, report.skipped) == \
        (reference.verdict, reference.score, reference.drivers, reference.skipped)
    assert [s.model_dump() for s in report.signals] == [s.model_dump() for s in reference.signals]
    assert set(report.timings_ms) == set(reference.timings_ms)
    assert {name for name in started.results()} == set(EARLY)  # each ran once, in the early lane


def test_a_page_outside_the_domain_drops_what_started_early(two_lanes):
    data = _page(seed=22)
    reference = run_signals(load_upload(data, "r.jpg"), default_signals(), ocr_lines=RECEIPT_LINES, cascade=True)
    upload = load_upload(data, "r.jpg")
    started = early.start(upload)
    run = run_signals(upload, default_signals(), ocr_lines=RECEIPT_LINES, cascade=True, early=started)
    assert started.results(), "the capture is in colour and large: the early checks ran"
    assert [s.name for s in run.signals] == [s.name for s in reference.signals] == ["metadata", "reuse"]
    assert run.skipped == reference.skipped and "trace" in run.skipped
    assert set(run.heatmaps) == set(reference.heatmaps)  # no map of a check the cascade did not run
    assert run.plain_ela is None and reference.plain_ela is None


def test_the_app_path_reads_the_page_and_checks_the_file_at_once(two_lanes):
    upload = pipeline.intake(_page(seed=23), "cet4.jpg")
    pipeline.extract(upload)  # a caller that only reads the page starts nothing
    assert early._started.get(upload.sha256) is None
    reading = pipeline.extract(upload, check_meanwhile=True)
    assert early._started.get(upload.sha256) is not None
    report = pipeline.authenticate(upload, reading)
    assert upload.sha256 not in early._started
    again = pipeline.intake(_page(seed=23), "cet4.jpg")
    alone = assess_authenticity(again, ocr_lines=reading.lines,
                                certificate_number=pipeline.certificate_number(reading.credential))
    assert (report.verdict, report.score) == (alone.verdict, alone.score)
    assert [s.model_dump() for s in report.signals] == [s.model_dump() for s in alone.signals]


def test_one_lane_starts_nothing_early(monkeypatch):
    monkeypatch.setattr(threads, "lanes", lambda: 1)
    assert early.start(load_upload(_page(), "page.jpg")) is None


def test_a_grey_capture_starts_nothing_worth_keeping(two_lanes):
    grey = certificate(seed=24)
    grey = np.repeat(grey.mean(axis=2, keepdims=True), 3, axis=2).astype(np.uint8)
    started = early.start(load_upload(jpeg_bytes(grey, quality=85), "grey.jpg"))
    assert started is not None and started.results() == {}  # outside the domain by its capture alone
    early.take(started.ctx.upload)


def test_the_capture_is_judged_once_for_the_early_lane_and_the_domain(two_lanes, monkeypatch):
    from credlift.tools.forensics import domain

    judged = []
    real = domain.capture_issues
    monkeypatch.setattr(domain, "capture_issues", lambda rgb: judged.append(rgb.shape) or real(rgb))
    upload = load_upload(_page(seed=25), "page.jpg")
    started = early.start(upload)
    run = run_signals(upload, default_signals(), ocr_lines=CET4_LINES, cascade=True, early=started)
    assert run.domain.capture_issues == [] and len(judged) == 1
