"""Self-describing forensic signals: each declares its role (signals/base.SignalRole) and the tables fusion, the
heatmap, the fallback and the calibration read are derived (signals/registry.py). A toy signal registered from a
test module (one module + one line) runs, counts as decisive evidence and marks the staff map."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from credlift.domain.authenticity import SignalReport


@pytest.fixture
def sticker():
    from credlift.tools.forensics.signals import registry
    import toy_signal  # tests/forensics/toy_signal.py (the test folder is on the path)

    registry.register_signal(toy_signal.StickerSignal, before="reuse")  # the one line
    yield toy_signal.StickerSignal
    registry.unregister_signal("sticker")


def test_the_tables_are_derived_from_what_each_signal_declares():
    from credlift.tools.forensics import features, fusion, heatmap
    from credlift.training.forensics import seeds
    from credlift.tools.forensics.signals import registry

    classes = registry.SIGNAL_CLASSES
    assert registry.IMAGE_SIGNALS == [c.name for c in classes if c.role.features]
    assert list(features.FEATURE_SPEC) == [(c.name, key) for c in classes for key in c.role.features]
    assert fusion.DECISIVE is registry.DECISIVE and heatmap.LOCALISERS is registry.LOCALISERS
    assert fusion.DECISIVE == {c.name: c.role.decisive_at for c in classes if c.role.decisive_at is not None}
    assert seeds.DECISIVE_CHECKS == tuple(registry.CALIBRATED)  # the command line's light copy
    for name in registry.CALIBRATED:
        assert callable(registry.calibrator(name))
    # every feature the shipped model reads is declared by a signal that runs
    assert {name for name, _ in features.FEATURE_SPEC} <= {s.name for s in registry.default_signals()}
    assert [s.name for s in registry.default_signals(include_reuse=False)] == [c.name for c in classes if c.name != "reuse"]


def test_a_toy_signal_registered_in_one_line_runs_and_is_decisive_and_mapped(sticker):
    from credlift.tools.forensics.assess import run_signals
    from credlift.tools.forensics.fusion import with_decisive_evidence
    from credlift.tools.forensics.heatmap import combine_heatmaps
    from credlift.tools.forensics.signals import registry

    assert registry.DECISIVE["sticker"] == 0.85 and "sticker" in registry.LOCALISERS
    signals = registry.default_signals()
    assert [s.name for s in signals][-2:] == ["sticker", "reuse"]
    rgb = np.full((120, 160, 3), 240, np.uint8)
    rgb[:20, :20] = (255, 0, 255)
    run = run_signals(SimpleNamespace(rgb=rgb, sha256="0" * 64, format="PNG"), [sticker()])
    report = run.signals[0]
    assert report.score == 0.9
    assert with_decisive_evidence(0.1, run.signals) == pytest.approx(1 - 0.9 * 0.1)
    trace = SignalReport(name="trace", score=0.0, details={"mapped": True})
    heat = combine_heatmaps(run.heatmaps, [trace, report], rgb.shape[:2])
    assert heat[:20, :20].min() > 0.5 and heat[40:, 40:].max() == 0.0
    registry.unregister_signal("sticker")
    assert "sticker" not in registry.DECISIVE and "sticker" not in registry.LOCALISERS
    assert with_decisive_evidence(0.1, run.signals) == pytest.approx(0.1)
