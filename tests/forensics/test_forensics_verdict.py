"""Verdict logic and the fusion model's shape: probability bands, AI dominance, reuse, save/load."""
from __future__ import annotations

import json

import numpy as np

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.features import FEATURE_NAMES
from credlift.tools.forensics.fusion import DEFAULT_CARD_PATH, DEFAULT_MODEL_PATH, FusionModel
from credlift.tools.forensics.report import decide_verdict
from credlift.training.forensics.seeds import (FUSION_SEEDS, NAME_SEEDS, RESERVED_SEEDS, TRACE_SEEDS, TRAIN_SEEDS,
                                           VARIED_SEEDS)


def _signals(**scores: float) -> list[SignalReport]:
    return [SignalReport(name=name, score=score) for name, score in scores.items()]


def test_low_probability_is_authentic_and_names_no_driver():
    report = decide_verdict(0.1, _signals(ela=0.2, noise=0.1, copy_move=0.0), 0.5, 0.8, "v")
    assert report.verdict == "authentic" and report.drivers == []


def _trace(score: float, area: int, mean: float, blocks: int = 20_000) -> SignalReport:
    return SignalReport(name="trace", score=score, details={"mapped": True, "area": area, "mean_prob": mean,
                                                            "blocks": blocks})


def test_probability_bands_separate_suspicious_from_tampered():
    signals = _signals(ela=0.6, noise=0.7, copy_move=0.1) + [_trace(0.95, area=120, mean=0.05)]
    assert decide_verdict(0.6, signals, 0.5, 0.8, "v").verdict == "suspicious"
    tampered = decide_verdict(0.9, signals, 0.5, 0.8, "v")
    assert tampered.verdict == "tampered"
    assert tampered.drivers == ["trace", "noise", "ela"]


def test_tampered_needs_decisive_or_localised_evidence():
    """A high fused probability alone, or an edit-trace map lit over much of the page (a capture the network never
    saw), is a question for a person (suspicious), not an accusation."""
    diffuse = _signals(noise=0.7) + [_trace(0.99, area=4_000, mean=0.25)]
    assert decide_verdict(0.97, diffuse, 0.5, 0.8, "v").verdict == "suspicious"
    assert decide_verdict(0.97, _signals(noise=0.7, document=1.0), 0.5, 0.8, "v").verdict == "suspicious"
    decisive = _signals(noise=0.7, consistency=0.85) + [_trace(0.99, area=4_000, mean=0.25)]
    assert decide_verdict(0.97, decisive, 0.5, 0.8, "v").verdict == "tampered"


def test_ai_generated_when_ai_cues_dominate():
    report = decide_verdict(0.95, _signals(ai_generation=0.98, metadata=0.98, ela=0.3), 0.5, 0.8, "v")
    assert report.verdict == "ai_generated"
    assert report.drivers[0] == "ai_generation"


def test_pixel_edit_outweighs_a_weak_ai_cue():
    report = decide_verdict(0.95, _signals(ai_generation=0.75, copy_move=0.99) + [_trace(0.9, 40, 0.03)], 0.5,
                            0.8, "v")
    assert report.verdict == "tampered"


def test_reuse_makes_an_otherwise_clean_upload_suspicious():
    report = decide_verdict(0.05, _signals(ela=0.1, reuse=0.95), 0.5, 0.8, "v")
    assert report.verdict == "suspicious"
    assert report.drivers[0] == "reuse"
    assert report.score >= 0.5


def test_fusion_model_fits_predicts_and_round_trips(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, len(FEATURE_NAMES)))
    y = (X[:, 3] + 0.3 * rng.normal(size=200) > 0).astype(int)
    model = FusionModel(max_iter=40, calibration_folds=3).fit(X, y)
    probabilities = model.predict_proba(X)
    assert probabilities.shape == (200, 2) and np.allclose(probabilities.sum(axis=1), 1.0)
    assert ((probabilities[:, 1] >= 0.5) == y).mean() > 0.85
    path = model.save(tmp_path / "fusion.joblib", card={"version": "test"})
    again = FusionModel.load(path)
    assert np.allclose(again.predict_proba(X), probabilities)
    assert json.loads((tmp_path / "fusion_card.json").read_text())["version"] == "test"


def test_shipped_model_and_card_match_the_features():
    model = FusionModel.load(DEFAULT_MODEL_PATH)
    card = json.loads(DEFAULT_CARD_PATH.read_text())
    assert card["features"] == list(FEATURE_NAMES)
    assert 202 not in card["training_seeds"] and 101 not in card["training_seeds"]
    assert abs(card["threshold"] - model.threshold) < 1e-6
    # the card records what `credlift forensics train` (no options) would train on: the defaults reproduce it
    assert card["training_seeds"] == list(TRAIN_SEEDS) and card["trace_seeds"] == list(TRACE_SEEDS)
    assert card["fusion_seeds"] == list(FUSION_SEEDS) and card["varied_seeds"] == list(VARIED_SEEDS)


def test_training_sets_are_kept_apart():
    """The fusion must never see the edit-trace network's training images (their outputs are overconfident there),
    and neither may touch an evaluation seed."""
    assert not set(TRAIN_SEEDS) & set(TRACE_SEEDS)
    assert not set(NAME_SEEDS) & (set(TRAIN_SEEDS) | set(TRACE_SEEDS))
    # the fusion learns on the detectors' later sets (never the block detector's) and on varied sets of its own
    assert set(FUSION_SEEDS) <= set(TRAIN_SEEDS[1:])
    assert not set(VARIED_SEEDS) & (set(TRAIN_SEEDS) | set(TRACE_SEEDS) | set(NAME_SEEDS))
    assert not (set(TRAIN_SEEDS) | set(TRACE_SEEDS) | set(NAME_SEEDS) | set(VARIED_SEEDS)) & set(RESERVED_SEEDS)


def test_a_fusion_only_fit_learns_on_mixed_and_varied_sets_and_keeps_the_detectors(tmp_path, monkeypatch):
    """`credlift forensics train --keep-detectors`: no detector is retrained, the card keeps what the shipped one says
    of them, and the fusion reads the mixed and the varied sets (each generated with its own capture)."""
    from credlift.training.forensics import training
    from credlift.training.forensics.dataset import LabelledImage

    asked = []

    def fake_generated(root, seed, n, tamper_rate=0.5, kinds=None, capture="mixed"):
        asked.append((seed, capture))
        return tmp_path / f"{seed}-{capture}"

    def fake_features(directory, workers=None, cache_dir=None):
        seed = int(directory.name.split("-")[0])
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(60, len(FEATURE_NAMES)))
        y = (X[:, 3] > 0).astype(np.int64)
        labels = [LabelledImage(path=directory / f"{i}.png", tamper_kind="retype" if y[i] else "none",
                                tamper_boxes=[], capture="scan", jpeg_quality=None, equal_quality=True)
                  for i in range(60)]
        return X, y, labels, [[] for _ in range(60)]

    def no_detectors(*args, **kwargs):
        raise AssertionError("a fusion-only fit must not retrain the detectors")

    monkeypatch.setattr(training, "ensure_generated", fake_generated)
    monkeypatch.setattr(training, "features_of", fake_features)
    monkeypatch.setattr(training, "train_detectors", no_detectors)
    monkeypatch.setattr(training, "ESTIMATORS", ("logistic",))  # the wiring is tested here, not the estimators
    card = training.train_fusion(tmp_path, n_per_seed=60, fusion_seeds=(1001,), varied_seeds=(1015, 1016),
                                 keep_detectors=True, out=tmp_path / "fusion.joblib", log=lambda message: None)
    assert asked == [(1001, "mixed"), (1015, "varied"), (1016, "varied")]
    shipped = json.loads(DEFAULT_CARD_PATH.read_text())
    assert card["block_detector"] == shipped["block_detector"] and card["training_seeds"] == shipped["training_seeds"]
    assert card["fusion_seeds"] == [1001] and card["varied_seeds"] == [1015, 1016] and card["training_images"] == 180
    assert abs(FusionModel.load(tmp_path / "fusion.joblib").threshold - card["threshold"]) < 1e-6


def test_the_fusion_never_learns_on_the_block_detectors_set(tmp_path):
    import pytest

    from credlift.errors import UserInputError
    from credlift.training.forensics.training import train_fusion

    with pytest.raises(UserInputError, match="block detector"):
        train_fusion(tmp_path, seeds=(1000, 1001), fusion_seeds=(1000,), varied_seeds=())
