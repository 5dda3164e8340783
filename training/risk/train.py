"""Trains the scorecard on a loan book with an out-of-time split and writes the model with its model card."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import sklearn

from credlift.tools.policy_parameters import load_policy_parameters
from credlift.training.risk.backtest import BacktestMetrics, auc, calibration_by_decile, ks_statistic, psi
from credlift.training.risk.book_io import out_of_time_split
from credlift.tools.risk.features import FEATURES, NUMERIC_FEATURES, book_features
from credlift.tools.risk.scorecard import Scorecard

SCORECARD_VERSION = "1.0.0"


def backtest(model: Scorecard, train: pd.DataFrame, test: pd.DataFrame) -> BacktestMetrics:
    """Out-of-time measures of a model fitted on `train`, evaluated on the later `test` period."""
    x_train, x_test = book_features(train), book_features(test)
    y_test = test["default_12m"].to_numpy(int)
    pd_test = model.predict_proba(x_test)[:, 1]
    calibration = calibration_by_decile(y_test, pd_test)
    psi_features = {f: round(psi(x_train[f].to_numpy() if f in NUMERIC_FEATURES else x_train[f].astype(str).to_numpy(),
                                 x_test[f].to_numpy() if f in NUMERIC_FEATURES else x_test[f].astype(str).to_numpy()), 4)
                    for f in model.features}
    return BacktestMetrics(
        auc=auc(y_test, pd_test), ks=ks_statistic(y_test, pd_test), calibration=calibration,
        max_calibration_error=max(c.abs_error for c in calibration),
        psi_score=psi(model.points(x_train), model.points(x_test)), psi_features=psi_features,
        train_rows=len(train), test_rows=len(test),
        train_period=f"{train['application_month'].min()}..{train['application_month'].max()}",
        test_period=f"{test['application_month'].min()}..{test['application_month'].max()}",
        train_default_rate=float(train["default_12m"].mean()), test_default_rate=float(y_test.mean()),
    )


def train_scorecard(book: pd.DataFrame, out_path: Path | None = None, source: str = "",
                    test_months: int = 6, version: str = SCORECARD_VERSION) -> tuple[Scorecard, dict]:
    """Fits on all but the last `test_months` months; the card reports the out-of-time backtest of that model."""
    train, test = out_of_time_split(book, test_months)
    model = Scorecard(features=FEATURES, version=version).fit(book_features(train), train["default_12m"].to_numpy(int))
    metrics = backtest(model, train, test)
    card = {
        "model": "credlift PD scorecard (monotone WoE binning + logistic regression, segmented by file depth)",
        "version": version,
        "trained_on": date.today().isoformat(),
        "policy_version": load_policy_parameters().policy_version,
        "target": "default_12m: 90+ days past due within 12 months of the application",
        "data": {"source": source or "in-memory loan book", "rows": int(len(book)),
                 "train_period": metrics.train_period, "test_period": metrics.test_period,
                 "train_rows": metrics.train_rows, "test_rows": metrics.test_rows,
                 "train_default_rate": round(metrics.train_default_rate, 4),
                 "test_default_rate": round(metrics.test_default_rate, 4)},
        "segments": {f"{model.segment_feature}={value}": {
            "rows": segment.n_samples_, "default_rate": round(segment.default_rate_, 4),
            "features": {f: {"kind": b.kind, "iv": round(b.iv, 4), "bins": len(b.woe) or len(b.category_woe)}
                         for f, b in segment.binnings_.items()},
            "coefficients": {f: round(float(c), 4) for f, c in zip(segment.features, segment.coef_)},
            "intercept": round(segment.intercept_, 4)} for value, segment in model.segments_.items()},
        "points": {"pdo": model.pdo, "base_points": model.base_points, "base_odds": model.base_odds},
        "metrics_out_of_time": {
            "auc": round(metrics.auc, 4), "ks": round(metrics.ks, 4),
            "max_calibration_error_pp": round(100 * metrics.max_calibration_error, 2),
            "calibration_by_decile": [{"decile": c.decile, "mean_pd": round(c.mean_predicted, 4),
                                       "observed": round(c.observed_rate, 4), "n": c.count} for c in metrics.calibration],
            "psi_score": round(metrics.psi_score, 4),
        },
        "software": {"scikit-learn": sklearn.__version__, "numpy": np.__version__},
        "intended_use": "credit-limit increase decisions for thin-file applicants; the policy engine decides, "
                        "the scorecard informs the PD band",
    }
    if out_path is not None:
        model.save(Path(out_path), card)
    return model, card
