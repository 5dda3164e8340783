"""Probability-of-default scorecard: monotone WoE binning + logistic regression (scikit-learn), points scaling.

sklearn-shaped: parameters in the constructor, `fit(X, y)`, `predict_proba(X)`, learned state ends with `_`.
WoE = ln(share of goods / share of bads) per bin, so a positive WoE means lower risk. The PD is the logistic
model's probability (maximum likelihood on the log-odds scale), checked by decile in the backtest.
Points: `base_points` at `base_odds` good:bad, `pdo` points to double the odds; each feature contributes
points relative to a neutral bin (WoE 0).
"""
from __future__ import annotations

import bisect
import json
from datetime import date
from functools import lru_cache
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from sklearn.linear_model import LogisticRegression

from credlift.domain.applicant import ApplicantProfile
from credlift.domain.credential import CredentialRecord
from credlift.domain.risk import RiskScore
from credlift.tools.policy_parameters import load_policy_parameters
from credlift.tools.risk.appetite import approval_line
from credlift.tools.risk.features import (CATEGORICAL_FEATURES, CREDENTIAL_LEVEL_ORDER, FEATURES,
                                          applicant_features)

MODEL_DIR = Path(__file__).resolve().parent / "models"
DEFAULT_MODEL_FILE = MODEL_DIR / "scorecard.joblib"
MODEL_FORMAT = "credlift-scorecard/2"


class FeatureBinning(BaseModel):
    """One feature's bins: numeric (right-open upper edges) or categorical (category -> WoE)."""
    feature: str
    kind: str = Field(description="numeric | categorical")
    edges: list[float] = Field(default_factory=list)
    woe: list[float] = Field(default_factory=list, description="numeric: one per bin (len(edges) + 1)")
    category_woe: dict[str, float] = Field(default_factory=dict)
    counts: list[int] = Field(default_factory=list)
    event_rates: list[float] = Field(default_factory=list)
    iv: float = 0.0

    def transform(self, values: pd.Series) -> np.ndarray:
        if self.kind == "numeric":
            x = pd.to_numeric(values, errors="coerce").to_numpy(float)
            index = np.searchsorted(np.asarray(self.edges), np.nan_to_num(x, nan=-np.inf), side="right")
            out = np.asarray(self.woe)[index]
            return np.where(np.isnan(x), 0.0, out)  # unknown -> neutral
        return values.astype(str).map(self.category_woe).fillna(0.0).to_numpy(float)

    def woe_of(self, value: object) -> float:
        """One value's WoE without pandas (the single-applicant path)."""
        if self.kind == "numeric":
            try:
                x = float(value)
            except (TypeError, ValueError):
                return 0.0
            if np.isnan(x):
                return 0.0
            return self.woe[bisect.bisect_right(self.edges, x)]
        return self.category_woe.get(str(value), 0.0)

    def labels(self) -> list[str]:
        if self.kind == "categorical":
            return list(self.category_woe)
        bounds = [-np.inf, *self.edges, np.inf]
        return [f"[{lo:g}, {hi:g})" for lo, hi in zip(bounds[:-1], bounds[1:])]


def _woe(goods: np.ndarray, bads: np.ndarray, total_good: float, total_bad: float, prior: float) -> np.ndarray:
    """WoE with pseudo-counts spread in proportion to the population: small groups shrink towards 0."""
    n = total_good + total_bad
    g = goods + prior * total_good / n
    b = bads + prior * total_bad / n
    return np.log((g / total_good) / (b / total_bad))


def bin_numeric(feature: str, x: np.ndarray, y: np.ndarray, max_bins: int = 12, min_bin_share: float = 0.03,
                prior: float = 1.0) -> FeatureBinning:
    """Quantile pre-bins, then merges until bins are large enough and the event rate is monotone."""
    finite = ~np.isnan(x)
    x, y = x[finite], y[finite]
    unique = np.unique(x)
    if len(unique) <= max_bins:
        edges = list((unique[:-1] + unique[1:]) / 2)
    else:
        edges = list(np.unique(np.quantile(x, np.linspace(0, 1, max_bins + 1)[1:-1])))
        edges = [e for e in edges if e > unique[0]]

    def stats(current: list[float]) -> tuple[np.ndarray, np.ndarray]:
        index = np.searchsorted(np.asarray(current), x, side="right")
        count = np.bincount(index, minlength=len(current) + 1).astype(float)
        bad = np.bincount(index, weights=y, minlength=len(current) + 1)
        return count, bad

    count, bad = stats(edges)
    while len(edges) > 0 and (count / count.sum()).min() < min_bin_share:
        smallest = int(np.argmin(count))
        drop = smallest - 1 if smallest == len(edges) else (smallest if smallest == 0 or
                                                              count[smallest - 1] > count[smallest + 1] else smallest - 1)
        edges.pop(drop)
        count, bad = stats(edges)
    direction = np.sign(np.corrcoef(x, y)[0, 1]) if x.std() > 0 else 1.0
    while len(edges) > 0:
        rate = bad / np.maximum(count, 1)
        violations = np.where(direction * np.diff(rate) < 0)[0]
        if len(violations) == 0:
            break
        edges.pop(int(violations[0]))
        count, bad = stats(edges)
    total_bad = float(y.sum())
    total_good = float(len(y) - total_bad)
    woe = _woe(count - bad, bad, total_good, total_bad, prior)
    iv = float(np.sum(((count - bad) / total_good - bad / total_bad) * woe))
    return FeatureBinning(feature=feature, kind="numeric", edges=[float(e) for e in edges], woe=list(map(float, woe)),
                          counts=list(map(int, count)), event_rates=list(map(float, bad / np.maximum(count, 1))), iv=iv)


def bin_categorical(feature: str, values: pd.Series, y: np.ndarray, prior: float = 30.0) -> FeatureBinning:
    frame = pd.DataFrame({"c": values.astype(str).to_numpy(), "y": y})
    grouped = frame.groupby("c")["y"].agg(["count", "sum"]).sort_index()
    count = grouped["count"].to_numpy(float)
    bad = grouped["sum"].to_numpy(float)
    total_bad = float(y.sum())
    total_good = float(len(y) - total_bad)
    woe = _woe(count - bad, bad, total_good, total_bad, prior)
    iv = float(np.sum(((count - bad) / total_good - bad / total_bad) * woe))
    return FeatureBinning(feature=feature, kind="categorical", category_woe=dict(zip(grouped.index, map(float, woe))),
                          counts=list(map(int, count)), event_rates=list(map(float, bad / count)), iv=iv)


def monotone_credential_woe(binning: FeatureBinning) -> FeatureBinning:
    """Along each credential type's levels (CREDENTIAL_LEVEL_ORDER), recent and older apart, the WoE may not
    fall: a weighted isotonic fit (pool-adjacent-violators, weights = holders). Small differences between
    neighbouring levels are noise at realistic effect sizes, and a CET score of 560 must not score worse than
    one of 480. Categories outside the ladders keep their WoE."""
    from sklearn.isotonic import IsotonicRegression

    woe = dict(binning.category_woe)
    counts = dict(zip(binning.category_woe, binning.counts))
    for ctype, levels in CREDENTIAL_LEVEL_ORDER.items():
        for suffix in ("", "|old"):
            names = [f"{ctype}:{lv}{suffix}" for lv in levels if f"{ctype}:{lv}{suffix}" in woe]
            if len(names) < 2:
                continue
            fitted = IsotonicRegression(increasing=True).fit_transform(
                np.arange(len(names)), [woe[n] for n in names], sample_weight=[max(counts[n], 1) for n in names])
            woe.update({n: float(v) for n, v in zip(names, fitted)})
    return binning.model_copy(update={"category_woe": woe})


class SegmentModel:
    """WoE binning + logistic regression for one segment of the book."""

    def __init__(self, features: tuple[str, ...], max_bins: int, min_bin_share: float, category_prior: float,
                 categorical: tuple[str, ...] = CATEGORICAL_FEATURES):
        self.features = tuple(features)
        self.categorical = tuple(categorical)
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.category_prior = category_prior

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> "SegmentModel":
        self.binnings_: dict[str, FeatureBinning] = {}
        for feature in self.features:
            if feature in self.categorical:
                self.binnings_[feature] = bin_categorical(feature, X[feature], y, self.category_prior)
                if feature == "credential":
                    self.binnings_[feature] = monotone_credential_woe(self.binnings_[feature])
            else:
                self.binnings_[feature] = bin_numeric(feature, X[feature].to_numpy(float), y, self.max_bins,
                                                      self.min_bin_share)
        model = LogisticRegression(C=1e4, max_iter=1000)
        model.fit(self.woe_matrix(X), y)
        self.coef_ = model.coef_[0].astype(float)
        self.intercept_ = float(model.intercept_[0])
        self.n_samples_ = int(len(y))
        self.default_rate_ = float(np.mean(y))
        return self

    def woe_matrix(self, X: pd.DataFrame) -> np.ndarray:
        return np.column_stack([self.binnings_[f].transform(X[f]) for f in self.features])

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        return self.intercept_ + self.woe_matrix(X) @ self.coef_

    def row_terms(self, row: dict[str, object]) -> np.ndarray:
        """coefficient x WoE per feature for one row (log-odds contributions)."""
        return np.array([self.binnings_[f].woe_of(row.get(f)) for f in self.features]) * self.coef_

    def state(self) -> dict:
        return {"features": list(self.features), "binnings": {k: v.model_dump() for k, v in self.binnings_.items()},
                "coef": [float(c) for c in self.coef_], "intercept": self.intercept_, "n_samples": self.n_samples_,
                "default_rate": self.default_rate_}

    @classmethod
    def from_state(cls, state: dict, max_bins: int, min_bin_share: float, category_prior: float,
                   categorical: tuple[str, ...] = CATEGORICAL_FEATURES) -> "SegmentModel":
        model = cls(tuple(state["features"]), max_bins, min_bin_share, category_prior, categorical)
        model.binnings_ = {k: FeatureBinning.model_validate(v) for k, v in state["binnings"].items()}
        model.coef_ = np.asarray(state["coef"], dtype=float)
        model.intercept_ = float(state["intercept"])
        model.n_samples_ = int(state["n_samples"])
        model.default_rate_ = float(state["default_rate"])
        return model


class Scorecard:
    """Segmented WoE scorecard: one model per value of `segment_feature` (thin vs full file, as lenders do),
    because what predicts repayment differs with file depth. `features` chooses the columns (e.g.
    traditional-only for the inclusion comparison); `segment_feature=None` fits one model."""

    def __init__(self, features: tuple[str, ...] = FEATURES, segment_feature: str | None = "thin_file",
                 max_bins: int = 20, min_bin_share: float = 0.01, category_prior: float = 30.0, pdo: float = 20.0,
                 base_points: float = 600.0, base_odds: float = 50.0, version: str = "dev",
                 categorical_features: tuple[str, ...] | None = None):
        self.features = tuple(features)
        # which features are categories (the rest are binned numbers); a lender's book names its own
        self.categorical_features = tuple(categorical_features) if categorical_features is not None else None
        self.segment_feature = segment_feature
        self.max_bins = max_bins
        self.min_bin_share = min_bin_share
        self.category_prior = category_prior
        self.pdo = pdo
        self.base_points = base_points
        self.base_odds = base_odds
        self.version = version

    @property
    def _categorical(self) -> tuple[str, ...]:
        return CATEGORICAL_FEATURES if self.categorical_features is None else self.categorical_features

    @property
    def model_features(self) -> tuple[str, ...]:
        return tuple(f for f in self.features if f != self.segment_feature)

    def _segments(self, X: pd.DataFrame) -> np.ndarray:
        if self.segment_feature is None:
            return np.full(len(X), "all", dtype=object)
        return X[self.segment_feature].astype(str).to_numpy()

    # --- learning ---------------------------------------------------------------------------------------
    def fit(self, X: pd.DataFrame, y) -> "Scorecard":
        y = np.asarray(y, dtype=float)
        segments = self._segments(X)
        self.segments_: dict[str, SegmentModel] = {}
        for value in sorted(set(segments)):
            mask = segments == value
            self.segments_[value] = SegmentModel(self.model_features, self.max_bins, self.min_bin_share,
                                                 self.category_prior, self._categorical).fit(X[mask], y[mask])
        self.feature_names_in_ = np.array(self.features)
        self.n_samples_ = int(len(y))
        self.default_rate_ = float(y.mean())
        return self

    def _route(self, X: pd.DataFrame):
        """(segment model, row mask) pairs; an unseen segment value goes to the largest segment."""
        segments = self._segments(X)
        largest = max(self.segments_, key=lambda k: self.segments_[k].n_samples_)
        routed = np.where(np.isin(segments, list(self.segments_)), segments, largest)
        for value, model in self.segments_.items():
            mask = routed == value
            if mask.any():
                yield value, model, mask

    def decision_function(self, X: pd.DataFrame) -> np.ndarray:
        """Log-odds of default."""
        out = np.empty(len(X))
        for _, model, mask in self._route(X):
            out[mask] = model.decision_function(X[mask])
        return out

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        pd_ = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - pd_, pd_])

    @property
    def binnings_(self) -> dict[str, dict[str, FeatureBinning]]:
        return {value: model.binnings_ for value, model in self.segments_.items()}

    # --- points -----------------------------------------------------------------------------------------
    @property
    def points_factor(self) -> float:
        return self.pdo / np.log(2.0)

    @property
    def points_offset(self) -> float:
        return self.base_points - self.points_factor * np.log(self.base_odds)

    def points(self, X: pd.DataFrame) -> np.ndarray:
        return self.points_offset - self.points_factor * self.decision_function(X)

    def contributions(self, X: pd.DataFrame) -> pd.DataFrame:
        """Points per feature relative to a neutral bin; their sum plus `neutral_points(X)` is the score."""
        out = pd.DataFrame(0.0, index=X.index, columns=list(self.model_features))
        for _, model, mask in self._route(X):
            out.loc[mask] = -self.points_factor * model.woe_matrix(X[mask]) * model.coef_
        return out

    def neutral_points(self, X: pd.DataFrame) -> np.ndarray:
        out = np.empty(len(X))
        for _, model, mask in self._route(X):
            out[mask] = self.points_offset - self.points_factor * model.intercept_
        return out

    # --- one applicant ----------------------------------------------------------------------------------
    def _segment_for(self, row: dict[str, object]) -> SegmentModel:
        if self.segment_feature is None:
            return self.segments_["all"]
        value = str(row.get(self.segment_feature))
        if value in self.segments_:
            return self.segments_[value]
        return max(self.segments_.values(), key=lambda m: m.n_samples_)

    def score(self, applicant: ApplicantProfile, credential: CredentialRecord | None,
              today: date | None = None) -> RiskScore:
        """PD with the credential, and the same applicant's PD without it (the credential's effect).
        Scalar path (no pandas): a decision must take milliseconds."""
        row = applicant_features(applicant, credential, today)
        baseline_row = dict(row, credential="none")
        model = self._segment_for(row)
        terms = model.row_terms(row)
        log_odds = model.intercept_ + float(terms.sum())
        baseline = model.intercept_ + float(model.row_terms(baseline_row).sum())
        pd_with = 1.0 / (1.0 + np.exp(-log_odds))
        pd_without = 1.0 / (1.0 + np.exp(-baseline))
        months_to_line = utilisation_to_line = None
        line = approval_line()
        if pd_with > line:
            months_to_line = _months_to_line(model, row, line)
            utilisation_to_line = _utilisation_to_line(model, row, line)
        return RiskScore(
            probability_of_default=float(pd_with), baseline_probability_of_default=float(pd_without),
            points=int(round(self.points_offset - self.points_factor * log_odds)), band=pd_band(float(pd_with)),
            model_version=self.version,
            contributions={f: round(float(-self.points_factor * t), 2) for f, t in zip(model.features, terms)},
            neutral_points=round(float(self.points_offset - self.points_factor * model.intercept_), 2),
            months_to_line=months_to_line, utilisation_to_line=utilisation_to_line,
            thin_file=str(row.get("thin_file")) == "yes",
        )

    # --- persistence ------------------------------------------------------------------------------------
    def state(self) -> dict:
        return {
            "format": MODEL_FORMAT,
            "params": {"features": list(self.features), "segment_feature": self.segment_feature,
                       "max_bins": self.max_bins, "min_bin_share": self.min_bin_share,
                       "category_prior": self.category_prior, "pdo": self.pdo, "base_points": self.base_points,
                       "base_odds": self.base_odds, "version": self.version,
                       **({} if self.categorical_features is None else
                          {"categorical_features": list(self.categorical_features)})},
            "segments": {k: v.state() for k, v in self.segments_.items()},
            "n_samples": self.n_samples_,
            "default_rate": self.default_rate_,
        }

    def save(self, path: Path, card: dict | None = None) -> Path:
        """A joblib file of plain Python values (no pickled classes), plus `<stem>.card.json` when a card is given."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self.state(), path, compress=3)
        if card is not None:
            card_path(path).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_state(cls, state: dict) -> "Scorecard":
        if state.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a credlift scorecard file (format {state.get('format')!r})")
        params = dict(state["params"])
        params["features"] = tuple(params["features"])
        model = cls(**params)
        model.segments_ = {k: SegmentModel.from_state(v, model.max_bins, model.min_bin_share, model.category_prior,
                                                      model._categorical)
                           for k, v in state["segments"].items()}
        model.feature_names_in_ = np.array(model.features)
        model.n_samples_ = int(state["n_samples"])
        model.default_rate_ = float(state["default_rate"])
        return model

    @classmethod
    def load(cls, path: Path) -> "Scorecard":
        return cls.from_state(joblib.load(Path(path)))


MONTHS_AHEAD = 36     # how far ahead the next step looks for more months on book


def _pd_of(model: SegmentModel, row: dict[str, object]) -> float:
    return float(1.0 / (1.0 + np.exp(-(model.intercept_ + float(model.row_terms(row).sum())))))


def _months_to_line(model: SegmentModel, row: dict[str, object], line: float) -> int | None:
    """The fewest more months on book (up to MONTHS_AHEAD, all else as it is) that bring the PD to the line."""
    months = float(row.get("months_on_book") or 0.0)
    for more in range(1, MONTHS_AHEAD + 1):
        if _pd_of(model, dict(row, months_on_book=months + more)) <= line:
            return more
    return None


def _utilisation_to_line(model: SegmentModel, row: dict[str, object], line: float) -> float | None:
    """The highest utilisation (in whole percent, below today's) that brings the PD to the line, all else as it is."""
    current = int(round(float(row.get("utilisation") or 0.0) * 100))
    for percent in range(current - 1, -1, -1):
        if _pd_of(model, dict(row, utilisation=percent / 100)) <= line:
            return percent / 100
    return None


def card_path(model_path: Path) -> Path:
    return Path(model_path).with_name(Path(model_path).stem + ".card.json")


def pd_band(probability_of_default: float) -> str:
    for band in load_policy_parameters().pd_scaling:
        if probability_of_default <= band.max_pd:
            return band.band
    return load_policy_parameters().pd_scaling[-1].band


@lru_cache(maxsize=1)
def _load_cached(path: str, mtime: float) -> Scorecard:
    return Scorecard.load(Path(path))


def default_model_path() -> Path:
    """A scorecard trained into the data directory (`credlift scorecard train`) wins over the shipped one."""
    from credlift.settings import get_settings

    trained = get_settings().data_dir / "models" / "scorecard.joblib"
    return trained if trained.exists() else DEFAULT_MODEL_FILE


def load_default_scorecard() -> Scorecard:
    path = default_model_path()
    return _load_cached(str(path), path.stat().st_mtime)
