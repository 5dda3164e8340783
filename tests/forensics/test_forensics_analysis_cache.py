"""The analysis cache (training/forensics/analysis_cache.py): an image is analysed once, its signal reports are read
back from disk by content, and a changed file is analysed again."""
from __future__ import annotations

from credlift.domain.authenticity import SignalReport
from credlift.training.forensics import analysis_cache
from credlift.training.forensics.dataset import ImageAnalysis


def test_an_image_is_analysed_once_and_read_back_by_its_content(tmp_path, monkeypatch):
    calls = []

    def analyse(path, read_text=False, cascade=False):
        calls.append((path.name, read_text))
        return ImageAnalysis(signals=[SignalReport(name="trace", score=0.25, details={"mean_prob": 0.1})],
                             seconds=1.5, combined_heat=object())

    monkeypatch.setattr(analysis_cache, "analyse_image", analyse)
    image, cache = tmp_path / "page.jpg", tmp_path / "cache"
    image.write_bytes(b"first bytes")
    first = analysis_cache.cached_analysis(image, cache)
    again = analysis_cache.cached_analysis(image, cache)
    assert calls == [("page.jpg", True)]  # OCR first, as the app does; the second read came from disk
    assert again.signals[0].score == 0.25 and again.signals[0].details == {"mean_prob": 0.1}
    assert first.combined_heat is None and again.combined_heat is None  # no maps kept
    assert analysis_cache.is_cached(image, cache)
    image.write_bytes(b"other bytes")  # same name, other content: analysed again
    analysis_cache.cached_analysis(image, cache)
    assert len(calls) == 2 and len(list(cache.glob("*.pkl"))) == 2
    assert analysis_cache.cached_analysis(image, None) is not None and len(calls) == 3  # no cache: always analysed


def test_a_refit_reads_the_training_sets_analyses_back_from_the_cache(tmp_path, monkeypatch):
    """`credlift forensics train --cache`: the fusion sets' pages are analysed once (pixels only, as training reads
    them); a second fit on the same sets analyses nothing and gets the same feature rows."""
    import json

    import numpy as np

    from credlift.training.forensics.training import features_of

    calls = []

    def analyse(path, read_text=False, cascade=False):
        calls.append((path.name, read_text))
        score = 0.9 if "forged" in path.name else 0.1
        return ImageAnalysis(signals=[SignalReport(name="ela", score=score)], seconds=0.1)

    monkeypatch.setattr(analysis_cache, "analyse_image", analyse)
    data = tmp_path / "set"
    data.mkdir()
    rows = [{"file": "honest.png", "tamper_kind": "none"}, {"file": "forged.png", "tamper_kind": "retype"}]
    for row in rows:
        (data / row["file"]).write_bytes(row["file"].encode())
    (data / "labels.jsonl").write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    X, y, labels, _ = features_of(data, workers=1, cache_dir=tmp_path / "cache")
    again, y_again, _, _ = features_of(data, workers=1, cache_dir=tmp_path / "cache")
    assert calls == [("honest.png", False), ("forged.png", False)]  # pixels only, once each
    assert np.array_equal(X, again) and list(y) == list(y_again) == [0, 1]


def test_an_analysis_with_the_int8_trace_network_is_kept_apart(tmp_path, monkeypatch):
    """The trace network's precision changes its figures: a cache filled with one is not read back with the other."""
    from credlift.settings import reset_settings_cache

    calls = []

    def analyse(path, read_text=False, cascade=False):
        calls.append(path.name)
        return ImageAnalysis(signals=[SignalReport(name="trace", score=0.25)], seconds=0.1)

    monkeypatch.setattr(analysis_cache, "analyse_image", analyse)
    image, cache = tmp_path / "page.jpg", tmp_path / "cache"
    image.write_bytes(b"bytes")
    analysis_cache.cached_analysis(image, cache)
    monkeypatch.setenv("CREDLIFT_TRACE_PRECISION", "int8")
    reset_settings_cache()
    try:
        assert not analysis_cache.is_cached(image, cache)
        analysis_cache.cached_analysis(image, cache)
        analysis_cache.cached_analysis(image, cache)
    finally:
        monkeypatch.delenv("CREDLIFT_TRACE_PRECISION")
        reset_settings_cache()
    assert calls == ["page.jpg", "page.jpg"] and len(list(cache.glob("*.pkl"))) == 2
    assert analysis_cache.is_cached(image, cache)  # the float32 entry is still there
