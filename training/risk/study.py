"""`credlift study`: which credentials predict repayment, on any loan book with the documented columns.

For each credential type and level: holders, default rate with a 95% Wilson interval, lift against the
population and against thin-file peers without a credential, WoE and IV; adjusted log-odds from a logistic
regression that controls for the traditional features (so credentials that come with higher incomes are not
credited for the income); an out-of-time backtest of the scorecard (AUC, KS, calibration by decile, PSI);
and the inclusion comparison. `run_study` writes the report (Markdown + HTML + PNG) and returns a StudyReport.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field
from scipy.stats import norm

from credlift.training.risk.backtest import BacktestMetrics
from credlift.training.risk.book_io import out_of_time_split, read_loan_book
from credlift.training.risk.fairness import FairnessRow
from credlift.tools.risk.features import book_features
from credlift.training.risk.inclusion import InclusionResult, compare_policies
from credlift.training.risk.loanbook import CREDENTIAL_LEVELS
from credlift.training.risk.train import backtest, train_scorecard

NO_CREDENTIAL = "none"


class CredentialRow(BaseModel):
    credential_type: str
    credential_level: str = Field(description="'all' for the type as a whole")
    holders: int
    defaults: int
    default_rate: float
    ci_low: float
    ci_high: float
    lift_population: float = Field(description="holders' default rate / the whole book's (below 1: fewer defaults)")
    thin_file_holders: int | None = Field(description="None when the book has no thin-file flag")
    lift_thin_peers: float | None = Field(description="thin-file holders' rate / thin-file applicants without a credential")
    woe: float = Field(description="ln(share of goods / share of bads); positive = lower risk")
    iv: float = Field(description="this group's information value term (for 'all': the type's IV over its levels)")
    log_odds_vs_reference: float | None = Field(
        default=None, description="mapped books: raw (unadjusted) log-odds of default against the reference level")
    lor_ci_low: float | None = None
    lor_ci_high: float | None = None


class AdjustedEffect(BaseModel):
    credential_type: str
    credential_level: str
    holders: int
    log_odds: float = Field(description="adjusted for the traditional features; recent credentials")
    ci_low: float
    ci_high: float
    old_log_odds: float | None = Field(default=None, description="same, credentials older than the recency line")
    reference: str = Field(default="none", description="the level the effect is measured against")


class StudyReport(BaseModel):
    book_path: str
    rows: int
    default_rate: float
    thin_file_share: float | None = Field(description="None when the book has no thin-file flag")
    period: str
    credentials: list[CredentialRow]
    adjusted_effects: list[AdjustedEffect]
    backtest: BacktestMetrics
    inclusion: InclusionResult
    # a lender's book read through a column map (`--columns`); empty for a book with the documented columns
    column_map: str | None = None
    credential_name: str | None = None
    reference_level: str | None = None
    controls: list[str] = Field(default_factory=list)
    protected: list[str] = Field(default_factory=list)
    validation: str | None = None
    caveats: list[str] = Field(default_factory=list)
    fairness: list[FairnessRow] = Field(default_factory=list)
    report_markdown: str = ""
    report_html: str = ""
    plots: list[str] = Field(default_factory=list)

    def effect(self, credential_type: str, credential_level: str) -> AdjustedEffect:
        return next(e for e in self.adjusted_effects
                    if e.credential_type == credential_type and e.credential_level == credential_level)

    def row(self, credential_type: str, credential_level: str = "all") -> CredentialRow:
        return next(r for r in self.credentials
                    if r.credential_type == credential_type and r.credential_level == credential_level)


def wilson_interval(defaults: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = defaults / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return float(max(0.0, centre - half)), float(min(1.0, centre + half))


def _level_order(ctype: str, levels) -> list[str]:
    known = list(CREDENTIAL_LEVELS.get(ctype, ()))
    return [lv for lv in known if lv in levels] + sorted(lv for lv in levels if lv not in known)


def credential_table(book: pd.DataFrame) -> list[CredentialRow]:
    y = book["default_12m"].to_numpy(int)
    ctype = book["credential_type"].to_numpy(str)
    level = book["credential_level"].to_numpy(str)
    thin = book_features(book)["thin_file"].to_numpy() == "yes"
    total_bad, total_good = y.sum(), len(y) - y.sum()
    population_rate = y.mean()
    peers = thin & (ctype == NO_CREDENTIAL)
    peer_rate = y[peers].mean() if peers.any() else np.nan

    def woe_iv(mask: np.ndarray) -> tuple[float, float]:
        bad = y[mask].sum() + 0.5
        good = mask.sum() - y[mask].sum() + 0.5
        woe = np.log((good / total_good) / (bad / total_bad))
        return float(woe), float((good / total_good - bad / total_bad) * woe)

    rows: list[CredentialRow] = []

    def add(type_name: str, level_name: str, mask: np.ndarray, iv_override: float | None = None) -> None:
        n = int(mask.sum())
        if n == 0:
            return
        defaults = int(y[mask].sum())
        low, high = wilson_interval(defaults, n)
        thin_mask = mask & thin
        woe, iv = woe_iv(mask)
        rate = defaults / n
        rows.append(CredentialRow(
            credential_type=type_name, credential_level=level_name, holders=n, defaults=defaults, default_rate=rate,
            ci_low=low, ci_high=high, lift_population=rate / population_rate, thin_file_holders=int(thin_mask.sum()),
            lift_thin_peers=(float(y[thin_mask].mean() / peer_rate) if thin_mask.sum() >= 30 and peer_rate > 0 else None),
            woe=woe, iv=iv if iv_override is None else iv_override))

    types = [t for t in CREDENTIAL_LEVELS if t in set(ctype)] + sorted(set(ctype) - set(CREDENTIAL_LEVELS) - {NO_CREDENTIAL})
    for type_name in types:
        of_type = ctype == type_name
        levels = _level_order(type_name, set(level[of_type]))
        # the type's IV: its levels as categories against everyone else as one more category
        type_iv = sum(woe_iv(of_type & (level == lv))[1] for lv in levels) + woe_iv(~of_type)[1]
        add(type_name, "all", of_type, type_iv)
        for lv in levels:
            add(type_name, lv, of_type & (level == lv))
    add(NO_CREDENTIAL, "all", ctype == NO_CREDENTIAL)
    return rows


def _logistic_fit(controls: np.ndarray, group: np.ndarray, groups: int, y: np.ndarray,
                  iterations: int = 50) -> tuple[np.ndarray, np.ndarray]:
    """Newton-Raphson maximum likelihood for controls (n x k, with an intercept column) plus one indicator per
    group (group index 1..groups; 0 = reference). The indicators are mutually exclusive, so the Hessian's
    indicator blocks are sums by group: each step costs O(n k^2), not O(n (k + groups)^2).
    Returns coefficients (controls first) and standard errors from the inverse information."""
    n, k = controls.shape
    beta_c = np.zeros(k)
    beta_g = np.zeros(groups + 1)                                         # slot 0 (reference) stays 0

    def information(w: np.ndarray) -> np.ndarray:
        cc = controls.T @ (controls * w[:, None])
        cg = np.column_stack([np.bincount(group, weights=w * controls[:, j], minlength=groups + 1)
                              for j in range(k)])[1:].T                  # k x groups
        gg = np.diag(np.bincount(group, weights=w, minlength=groups + 1)[1:])
        return np.block([[cc, cg], [cg.T, gg]]) + 1e-9 * np.eye(k + groups)

    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-(controls @ beta_c + beta_g[group])))
        residual = y - p
        gradient = np.concatenate([controls.T @ residual,
                                   np.bincount(group, weights=residual, minlength=groups + 1)[1:]])
        step = np.linalg.solve(information(p * (1 - p)), gradient)
        beta_c += step[:k]
        beta_g[1:] += step[k:]
        if np.max(np.abs(step)) < 1e-7:
            break
    p = 1.0 / (1.0 + np.exp(-(controls @ beta_c + beta_g[group])))
    standard_errors = np.sqrt(np.diag(np.linalg.inv(information(p * (1 - p)))))
    return np.concatenate([beta_c, beta_g[1:]]), standard_errors


def adjusted_effects(book: pd.DataFrame, min_holders: int = 30) -> list[AdjustedEffect]:
    """Credential log-odds controlling for utilisation (per file depth), delinquencies, tenure, income, file depth."""
    features = book_features(book)
    y = book["default_12m"].to_numpy(float)
    thin = (features["thin_file"] == "yes").to_numpy(float)
    util = features["utilisation"].fillna(features["utilisation"].median()).to_numpy(float)
    controls = {
        "intercept": np.ones(len(book)),
        "utilisation": util,
        "utilisation_thin": util * thin,
        "delinquencies": np.minimum(features["delinquent_last_12m"].fillna(0).to_numpy(float), 3),
        "log_tenure": np.log1p(features["months_on_book"].fillna(0).clip(lower=0).to_numpy(float)),
        "thin_file": thin,
    }
    for band in sorted(set(features["income_band"]))[1:]:
        controls[f"income_{band}"] = (features["income_band"] == band).to_numpy(float)
    group = features["credential"].to_numpy(str)
    keys = [g for g in sorted(set(group)) if g != NO_CREDENTIAL and (group == g).sum() >= min_holders]
    index = {key: i + 1 for i, key in enumerate(keys)}
    group_index = np.array([index.get(g, 0) for g in group], dtype=np.int64)   # rare groups join the reference
    beta, se = _logistic_fit(np.column_stack(list(controls.values())), group_index, len(keys), y)
    estimates = dict(zip(keys, zip(beta[len(controls):], se[len(controls):])))
    z = norm.ppf(0.975)
    effects: list[AdjustedEffect] = []
    ctype = book["credential_type"].to_numpy(str)
    level = book["credential_level"].to_numpy(str)
    for type_name in CREDENTIAL_LEVELS:
        for lv in _level_order(type_name, set(level[ctype == type_name])):
            recent = estimates.get(f"{type_name}:{lv}")
            if recent is None:
                continue
            old = estimates.get(f"{type_name}:{lv}|old")
            effects.append(AdjustedEffect(
                credential_type=type_name, credential_level=lv, holders=int(((ctype == type_name) & (level == lv)).sum()),
                log_odds=float(recent[0]), ci_low=float(recent[0] - z * recent[1]), ci_high=float(recent[0] + z * recent[1]),
                old_log_odds=float(old[0]) if old is not None else None))
    return effects


def run_study(book_path: Path | str, out_dir: Path | str, test_months: int = 6, plots: bool = True) -> StudyReport:
    """Reads the book, analyses it, and writes `report.md`, `report.html` and PNG plots under `out_dir`."""
    from credlift.training.risk.report import write_report

    book = read_loan_book(book_path)
    train, test = out_of_time_split(book, test_months)
    model, _card = train_scorecard(book, None, source=str(book_path), test_months=test_months)
    metrics = backtest(model, train, test)  # same split as train_scorecard: the model never saw `test`
    report = StudyReport(
        book_path=str(book_path), rows=len(book), default_rate=float(book["default_12m"].mean()),
        thin_file_share=float((book_features(book)["thin_file"] == "yes").mean()),
        period=f"{book['application_month'].min()}..{book['application_month'].max()}",
        credentials=credential_table(book), adjusted_effects=adjusted_effects(book), backtest=metrics,
        inclusion=compare_policies(train, test, model),
    )
    return write_report(report, model, train, test, Path(out_dir), plots=plots)
