"""Validation measures of a probability-of-default model: AUC, KS, calibration by decile, PSI."""
from __future__ import annotations

import numpy as np
from pydantic import BaseModel
from sklearn.metrics import roc_auc_score, roc_curve


class CalibrationBin(BaseModel):
    decile: int
    count: int
    mean_predicted: float
    observed_rate: float

    @property
    def abs_error(self) -> float:
        return abs(self.mean_predicted - self.observed_rate)


class BacktestMetrics(BaseModel):
    auc: float
    ks: float
    calibration: list[CalibrationBin]
    max_calibration_error: float
    psi_score: float
    psi_features: dict[str, float]
    train_rows: int
    test_rows: int
    train_period: str
    test_period: str
    train_default_rate: float
    test_default_rate: float


def ks_statistic(y: np.ndarray, pd_: np.ndarray) -> float:
    fpr, tpr, _ = roc_curve(y, pd_)
    return float(np.max(tpr - fpr))


def auc(y: np.ndarray, pd_: np.ndarray) -> float:
    return float(roc_auc_score(y, pd_))


def calibration_by_decile(y: np.ndarray, pd_: np.ndarray, bins: int = 10) -> list[CalibrationBin]:
    """Deciles of predicted PD (equal counts, ties broken by order): mean predicted vs observed default rate."""
    order = np.argsort(pd_, kind="stable")
    result = []
    for index, chunk in enumerate(np.array_split(order, bins)):
        result.append(CalibrationBin(decile=index + 1, count=int(len(chunk)),
                                     mean_predicted=float(pd_[chunk].mean()), observed_rate=float(y[chunk].mean())))
    return result


def psi(expected: np.ndarray, actual: np.ndarray, bins: int = 10) -> float:
    """Population stability index over the expected sample's quantile bins (categorical when few values)."""
    expected = np.asarray(expected)
    actual = np.asarray(actual)
    if expected.dtype.kind in "OUSb" or len(np.unique(expected)) <= bins:
        categories = np.unique(np.concatenate([expected.astype(str), actual.astype(str)]))
        e = np.array([(expected.astype(str) == c).mean() for c in categories])
        a = np.array([(actual.astype(str) == c).mean() for c in categories])
    else:
        edges = np.unique(np.quantile(expected, np.linspace(0, 1, bins + 1)[1:-1]))
        e = np.bincount(np.searchsorted(edges, expected, side="right"), minlength=len(edges) + 1) / len(expected)
        a = np.bincount(np.searchsorted(edges, actual, side="right"), minlength=len(edges) + 1) / len(actual)
    e = np.clip(e, 1e-6, None)
    a = np.clip(a, 1e-6, None)
    return float(np.sum((a - e) * np.log(a / e)))
