"""fusion.RecalibratedFusion: the shipped fusion re-weighed for captures it was not trained on, from few images."""
from __future__ import annotations

import numpy as np

from credlift.tools.forensics.features import FEATURE_NAMES
from credlift.tools.forensics.fusion import FusionModel, RecalibratedFusion, default_fusion_model


def _pages(rng, n, edited):
    """Feature vectors where every page's capture drives a capture-sensitive signal high (as a double save does),
    and only the edited ones carry a high trace mean."""
    X = np.zeros((n, len(FEATURE_NAMES)))
    X[:, FEATURE_NAMES.index("compression.score")] = rng.uniform(0.7, 1.0, n)
    X[:, FEATURE_NAMES.index("grid.score")] = rng.uniform(0.6, 1.0, n)
    X[:, FEATURE_NAMES.index("trace.mean_prob")] = rng.uniform(0.2, 0.4, n) if edited else rng.uniform(0.0, 0.1, n)
    return X


def test_recalibration_learns_the_new_capture_and_loads_as_a_fusion_model(tmp_path):
    rng = np.random.default_rng(0)
    base = default_fusion_model()
    X = np.vstack([_pages(rng, 40, False), _pages(rng, 40, True)])
    y = np.array([0] * 40 + [1] * 40)
    model = RecalibratedFusion(base=base, threshold=0.5, tampered_threshold=0.8).fit(X, y)
    probability = model.predict_proba(X)[:, 1]
    assert probability[y == 1].min() > probability[y == 0].max()  # the edit evidence, not the capture, decides
    assert abs(model.predict_proba(X[0])[0].sum() - 1.0) < 1e-9  # one page, as assess scores it
    path = model.save(tmp_path / "recalibrated.joblib")
    loaded = FusionModel.load(path)
    assert isinstance(loaded, RecalibratedFusion) and loaded.threshold == 0.5
    assert np.allclose(loaded.predict_proba(X), model.predict_proba(X))
    kept = RecalibratedFusion(base=base, passthrough=True, threshold=0.7).fit(X, y)
    assert np.allclose(kept.predict_proba(X), base.predict_proba(X)) and kept.threshold == 0.7
