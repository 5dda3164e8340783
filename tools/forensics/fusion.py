"""Fusion: a calibrated classifier over the signals' features, giving the probability of manipulation.

sklearn-shaped (fit / predict_proba, learned state ends in `_`), saved and loaded explicitly with joblib.
Trained by `credlift forensics train`; a small trained artifact ships in tools/forensics/models/.
"""
from __future__ import annotations

import json
import os
import weakref
from pathlib import Path

import joblib
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from credlift.tools.forensics.features import FEATURE_NAMES, feature_vector
from credlift.tools.forensics.signals import registry

MODEL_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL_PATH = MODEL_DIR / "fusion.joblib"
DEFAULT_CARD_PATH = MODEL_DIR / "fusion_card.json"
MODEL_VERSION = "fusion-6"


class FusionModel(BaseEstimator, ClassifierMixin):
    """A classifier over the signal features, calibrated by cross-validation.

    `estimator="logistic"` (default: few hundred training images, many weak features) is a standardised,
    L2-regularised logistic regression with Platt scaling; `"trees"` is gradient boosting with isotonic
    calibration, for larger training sets."""

    def __init__(self, estimator: str = "logistic", C: float = 0.3, max_iter: int = 250, learning_rate: float = 0.06,
                 max_leaf_nodes: int = 15,
                 l2_regularization: float = 1.0, calibration_folds: int = 5, random_state: int = 0,
                 threshold: float = 0.5, tampered_threshold: float = 0.85) -> None:
        self.estimator = estimator
        self.C = C
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.l2_regularization = l2_regularization
        self.calibration_folds = calibration_folds
        self.random_state = random_state
        self.threshold = threshold
        self.tampered_threshold = tampered_threshold

    def fit(self, X: np.ndarray, y: np.ndarray) -> "FusionModel":
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.int64)
        if self.estimator == "trees":
            base = HistGradientBoostingClassifier(max_iter=self.max_iter, learning_rate=self.learning_rate,
                                                  max_leaf_nodes=self.max_leaf_nodes,
                                                  l2_regularization=self.l2_regularization,
                                                  random_state=self.random_state)
            method = "isotonic"
        else:
            base = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=2000))
            method = "sigmoid"
        self.calibrated_ = CalibratedClassifierCV(base, method=method, cv=self.calibration_folds)
        self.calibrated_.fit(X, y)
        self.classes_ = self.calibrated_.classes_
        self.n_features_in_ = X.shape[1]
        self.feature_names_ = list(FEATURE_NAMES)
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"fusion model expects {self.n_features_in_} features, got {X.shape[1]}")
        folds = _compiled_folds(self)
        if folds is None:
            return self.calibrated_.predict_proba(X)
        # CalibratedClassifierCV.predict_proba for two classes, each fold's trees on onnxruntime (trees.py)
        probabilities = []
        for trees, calibrator in folds:
            proba = np.zeros((X.shape[0], 2))
            proba[:, 1] = calibrator.predict(trees.decision_function(X))
            proba[:, 0] = 1.0 - proba[:, 1]
            proba[(1.0 < proba) & (proba <= 1.0 + 1e-5)] = 1.0
            probabilities.append(proba)
        return np.mean(probabilities, axis=0)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= self.threshold).astype(np.int64)

    def save(self, path: Path = DEFAULT_MODEL_PATH, card: dict | None = None) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)
        if card is not None:
            card_path = path.with_name(path.stem + "_card.json")
            card_path.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @staticmethod
    def load(path: Path = DEFAULT_MODEL_PATH) -> "FusionModel":
        model = joblib.load(path)
        if not isinstance(model, FusionModel):
            raise TypeError(f"{path} does not hold a FusionModel")
        if getattr(model, "feature_names_", None) != list(FEATURE_NAMES):
            raise ValueError(f"{path} was trained on other features; retrain with `credlift forensics train`")
        return model


_compiled: "weakref.WeakKeyDictionary[FusionModel, tuple[int, list | None]]" = weakref.WeakKeyDictionary()


def _compiled_folds(model: FusionModel) -> list | None:
    """(trees on onnxruntime, calibrator) per calibration fold of a two-class "trees" model, built once per model
    and process (kept outside the model so saving it never pickles a runtime); None: sklearn predicts."""
    from credlift.tools.forensics.trees import CompiledTrees, compile_trees

    entry = _compiled.get(model)
    if entry is None or entry[0] != os.getpid():
        folds = None
        fitted = getattr(model, "calibrated_", None)
        if getattr(model, "estimator", None) == "trees" and fitted is not None and len(fitted.classes_) == 2:
            folds = [(compile_trees(fold.estimator), fold.calibrators[0]) for fold in fitted.calibrated_classifiers_]
            if not all(isinstance(trees, CompiledTrees) and len(fold.calibrators) == 1
                       for (trees, _), fold in zip(folds, fitted.calibrated_classifiers_)):
                folds = None
        entry = _compiled[model] = (os.getpid(), folds)
    return entry[1]


_loaded: dict[str, FusionModel] = {}


def default_fusion_model() -> FusionModel | None:
    """The shipped model, loaded once; None when no artifact exists (the rule-based fallback then applies)."""
    key = str(DEFAULT_MODEL_PATH)
    if key not in _loaded:
        if not DEFAULT_MODEL_PATH.exists():
            return None
        _loaded[key] = FusionModel.load(DEFAULT_MODEL_PATH)
    return _loaded[key]


def fallback_probability(features: dict[str, float]) -> float:
    """Without a trained model: noisy-OR of the signal scores, so the app still works before training."""
    keep = 1.0
    for name in registry.FALLBACK:
        keep *= 1.0 - 0.9 * float(features.get(name, 0.0))
    return float(1.0 - keep)


# Evidence that is conclusive on its own (each signal declares its cut, `role.decisive_at`): an editor or generator
# named in the file, generator upsampling traces, printed values that contradict the codes and sums on the same
# page, a holder's name printed unlike the page prints it (at the name model's cut, which flags 0.5% of untouched
# names out of fold), an ID photo framed by another page's paper (at a cut that flags 0.5% of honest training pages
# with a photo), seal ink cut off at a character's edge (at twice the strongest honest training page).
DECISIVE = registry.DECISIVE


def with_decisive_evidence(probability: float, signals) -> float:
    """Noisy-OR of the model's probability with signals whose finding needs no weighing (a weak learned
    weight must not dilute a named editor)."""
    decisive = max((s.score for s in signals if s.name in DECISIVE and s.score >= DECISIVE[s.name]), default=0.0)
    return float(1.0 - (1.0 - probability) * (1.0 - decisive))


def probability_ceiling(model: FusionModel, signals, not_run) -> float | None:
    """The highest probability `model` can give these signals whatever the checks in `not_run` (image signals that
    did not run) would report, over the values their features can take (bounds.py); None when the model cannot be
    bounded. The cascade skips a deferred check when this is under the threshold."""
    from credlift.tools.forensics.bounds import probability_range
    from credlift.tools.forensics.features import unknown_features

    mask, low, high = unknown_features(not_run)
    bounds = probability_range(model, feature_vector(signals), mask, low, high)
    return None if bounds is None else bounds[1]


def fused_scores(model: FusionModel, signal_lists: list, leave_out: tuple[str, ...] = ()) -> np.ndarray:
    """The shipped score of many images at once (the model's probability, then the decisive evidence), as
    `assess.fuse` scores one; signals named in `leave_out` do not count as evidence."""
    probabilities = model.predict_proba(np.stack([feature_vector(signals) for signals in signal_lists]))[:, 1]
    return np.array([with_decisive_evidence(p, [s for s in signals if s.name not in leave_out])
                     for p, signals in zip(probabilities, signal_lists)])


# the signals that read the capture as much as the edit (JPEG saves, resampling, paper and print texture): what a
# recalibration for varied captures may re-weigh beside the trained model's own judgement
CAPTURE_SENSITIVE = ("trace.score", "trace.mean_prob", "compression.score", "grid.score", "local.score",
                     "document.score", "noise.score", "ela.score")


class RecalibratedFusion(FusionModel):
    """A trained fusion model (`base`) recalibrated for other captures on few images: a standardised, L2-regularised
    logistic regression over the base model's logit and the capture-sensitive features (`CAPTURE_SENSITIVE`),
    fitted on generated pages sent through varied capture chains (scripts/refit_fusion_varied.py). With
    `passthrough` the base probability is kept and only the thresholds are new. Same inputs as FusionModel (the
    signal feature vector), so assess and the evaluations use it unchanged."""

    def __init__(self, base: FusionModel | None = None, C: float = 0.3, passthrough: bool = False,
                 threshold: float = 0.5, tampered_threshold: float = 0.85) -> None:
        self.base = base
        self.C = C
        self.passthrough = passthrough
        self.threshold = threshold
        self.tampered_threshold = tampered_threshold

    def _inputs(self, X: np.ndarray) -> np.ndarray:
        p = np.clip(self.base.predict_proba(X)[:, 1], 1e-4, 1 - 1e-4)
        columns = [FEATURE_NAMES.index(name) for name in CAPTURE_SENSITIVE if name in FEATURE_NAMES]
        return np.column_stack([np.log(p / (1 - p)), X[:, columns]])

    def fit(self, X: np.ndarray, y: np.ndarray) -> "RecalibratedFusion":
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.int64)
        self.n_features_in_ = X.shape[1]
        self.feature_names_ = list(FEATURE_NAMES)
        self.classes_ = np.array([0, 1])
        if not self.passthrough:
            self.head_ = make_pipeline(StandardScaler(), LogisticRegression(C=self.C, max_iter=2000))
            self.head_.fit(self._inputs(X), y)
        return self

    def fit_signals(self, signal_lists: list, y) -> "RecalibratedFusion":
        return self.fit(np.stack([feature_vector(signals) for signals in signal_lists]), y)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if self.passthrough:
            return self.base.predict_proba(X)
        return self.head_.predict_proba(self._inputs(X))

    def fused(self, signals: list) -> np.ndarray:
        return fused_scores(self, signals)
