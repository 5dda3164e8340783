"""How high (and how low) the fused probability can be when some checks have not run yet.

The fusion model (fusion.FusionModel, "trees") averages its calibration folds; each fold is a gradient-boosted
tree ensemble (a sum of leaf values) followed by an isotonic calibrator (non-decreasing). With some features
unknown, each tree can reach only the leaves whose path agrees with the known features and whose boxes meet the
range the unknown ones can take; the smallest and largest of those leaves bound that tree's term, their sums bound
the ensemble's raw score, and the calibrator (non-decreasing) and the average keep the order. So
`probability_range(model, x, unknown)` returns (low, high) with low <= the model's probability <= high for every
value the unknown features could take: a cascade that stops when `high` is under the threshold decides exactly
what the full run decides. With nothing unknown, low == high == the model's own probability.

Each tree's leaves are laid out once per model as boxes (the interval of every feature on the path to the leaf:
sklearn sends x <= split left, so a leaf holds lo < x <= hi), so a bound is a few array operations over every leaf
(about 19,000 for the shipped model), not a walk of 1,250 trees in Python.
"""
from __future__ import annotations

import os
import weakref
from dataclasses import dataclass

import numpy as np


@dataclass
class _FoldLeaves:
    low: np.ndarray     # (leaves, features): each leaf's box, lo < x <= hi on every feature
    high: np.ndarray
    value: np.ndarray   # (leaves,) the leaf's raw value
    starts: np.ndarray  # first leaf of each tree (leaves are grouped by tree)
    baseline: float
    calibrator: object  # isotonic regression, non-decreasing


def _leaf_boxes(nodes: np.ndarray, n_features: int) -> tuple[list[np.ndarray], list[np.ndarray], list[float]]:
    lows, highs, values = [], [], []
    stack = [(0, np.full(n_features, -np.inf), np.full(n_features, np.inf))]
    while stack:
        index, low, high = stack.pop()
        node = nodes[index]
        if node["is_leaf"]:
            lows.append(low), highs.append(high), values.append(float(node["value"]))
            continue
        feature, split = int(node["feature_idx"]), float(node["num_threshold"])
        left_high, right_low = high.copy(), low.copy()
        left_high[feature] = min(high[feature], split)
        right_low[feature] = max(low[feature], split)
        stack.append((int(node["right"]), right_low, high))
        stack.append((int(node["left"]), low, left_high))
    return lows, highs, values


def _fold_leaves(estimator, calibrator) -> _FoldLeaves:
    n_features = int(estimator.n_features_in_)
    lows, highs, values, starts = [], [], [], []
    for predictors in estimator._predictors:
        starts.append(len(values))
        low, high, value = _leaf_boxes(predictors[0].nodes, n_features)
        lows += low
        highs += high
        values += value
    return _FoldLeaves(low=np.array(lows), high=np.array(highs), value=np.array(values), starts=np.array(starts),
                       baseline=float(np.asarray(estimator._baseline_prediction).reshape(-1)[0]), calibrator=calibrator)


_laid_out: "weakref.WeakKeyDictionary[object, tuple[int, list[_FoldLeaves] | None]]" = weakref.WeakKeyDictionary()


def fold_leaves(model) -> list[_FoldLeaves] | None:
    """The model's folds as leaf boxes, built once per model and process; None for a model this cannot bound (not
    a two-class "trees" FusionModel with one increasing isotonic calibrator per fold, e.g. a recalibration)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.isotonic import IsotonicRegression

    from credlift.tools.forensics.fusion import FusionModel

    try:
        entry = _laid_out.get(model)
    except TypeError:
        return None
    if entry is None or entry[0] != os.getpid():
        folds = None
        fitted = getattr(model, "calibrated_", None)
        if (type(model) is FusionModel and getattr(model, "estimator", None) == "trees" and fitted is not None
                and len(fitted.classes_) == 2):
            candidates = fitted.calibrated_classifiers_
            if all(isinstance(fold.estimator, HistGradientBoostingClassifier) and len(fold.calibrators) == 1
                   and isinstance(fold.calibrators[0], IsotonicRegression) and fold.calibrators[0].increasing_
                   and not np.any(getattr(fold.estimator, "is_categorical_", None) or False)
                   and getattr(fold.estimator, "_preprocessor", None) is None for fold in candidates):
                folds = [_fold_leaves(fold.estimator, fold.calibrators[0]) for fold in candidates]
        entry = _laid_out[model] = (os.getpid(), folds)
    return entry[1]


def probability_range(model, x: np.ndarray, unknown: np.ndarray, low: np.ndarray | None = None,
                      high: np.ndarray | None = None) -> tuple[float, float] | None:
    """(lowest, highest) probability `model` can give the feature vector `x` whatever the features marked in
    `unknown` are, within [low, high] for those features (default: any value); None when the model cannot be
    bounded (the caller then runs every check)."""
    folds = fold_leaves(model)
    if folds is None:
        return None
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    unknown = np.asarray(unknown, dtype=bool).reshape(-1)
    known = ~unknown
    low = np.full(x.shape, -np.inf) if low is None else np.asarray(low, dtype=np.float64)
    high = np.full(x.shape, np.inf) if high is None else np.asarray(high, dtype=np.float64)
    lows, highs = [], []
    for fold in folds:
        # known features inside the leaf's box; unknown ones' range meeting it (lo < v <= hi for some v in range)
        reach = np.all((fold.low[:, known] < x[known]) & (x[known] <= fold.high[:, known]), axis=1)
        if unknown.any():
            reach &= np.all((high[unknown] > fold.low[:, unknown]) & (low[unknown] <= fold.high[:, unknown]), axis=1)
        smallest = np.minimum.reduceat(np.where(reach, fold.value, np.inf), fold.starts)
        largest = np.maximum.reduceat(np.where(reach, fold.value, -np.inf), fold.starts)
        raw = np.array([fold.baseline + smallest.sum(), fold.baseline + largest.sum()])
        if not np.all(np.isfinite(raw)):  # no leaf reachable in some tree: the range given is empty
            return None
        calibrated = np.asarray(fold.calibrator.predict(raw), dtype=np.float64)
        calibrated[(1.0 < calibrated) & (calibrated <= 1.0 + 1e-5)] = 1.0
        lows.append(calibrated[0]), highs.append(calibrated[1])
    return float(np.mean(lows)), float(np.mean(highs))
