"""`credlift study BOOK --columns MAP.yaml`: the credential study on any lender's book, read through a column map.

Per credential level: holders, default rate with a 95% Wilson interval, lift, WoE and IV, and the raw log-odds
against the reference level with a Woolf interval; adjusted log-odds from a logistic regression on the mapped
controls (protected attributes never enter it); a scorecard backtest (out of time on the month column, or
5-fold cross-validation on random folds when the book has none); inclusion (credential-aware against
traditional-only at an equal expected default rate, on thin-file applicants or, without a thin-file flag, on
the whole book); and a fairness table by each protected attribute. Every role the book lacks is a caveat in
the report.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import norm

from credlift.errors import UserInputError
from credlift.training.risk.backtest import BacktestMetrics, auc, calibration_by_decile, ks_statistic, psi
from credlift.training.risk.column_map import LEVEL, MONTH, OUTCOME, THIN, ColumnMap, apply_column_map, load_column_map
from credlift.training.risk.fairness import fairness_table
from credlift.training.risk.inclusion import InclusionResult, approvals, compare_at_matched_risk
from credlift.tools.risk.scorecard import Scorecard
from credlift.training.risk.study import (AdjustedEffect, CredentialRow, StudyReport, _logistic_fit, wilson_interval)

CREDENTIAL = "credential"
FOLDS = 5
Z = float(norm.ppf(0.975))


def read_book(path: Path | str) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"loan book '{path}' does not exist")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path, compression="infer")
    except Exception as error:  # pandas/pyarrow raise many types for a corrupt file
        raise UserInputError(f"could not read loan book '{path.name}' ({str(error).splitlines()[0]})") from None


def level_order(frame: pd.DataFrame, cmap: ColumnMap) -> list[str]:
    """The map's order of levels (first appearance in `levels`), then any others sorted."""
    seen = list(dict.fromkeys(cmap.levels.values())) if cmap.levels else sorted(set(frame[LEVEL]))
    present = set(frame[LEVEL])
    return [lv for lv in seen if lv in present]


def credential_rows(frame: pd.DataFrame, cmap: ColumnMap) -> list[CredentialRow]:
    y = frame[OUTCOME].to_numpy(int)
    level = frame[LEVEL].to_numpy(str)
    thin = frame[THIN].to_numpy(bool) if THIN in frame else None
    total_bad, total_good = y.sum(), len(y) - y.sum()
    population_rate = y.mean()
    reference = level == cmap.reference
    ref_bad, ref_n = int(y[reference].sum()), int(reference.sum())
    peers = (thin & reference) if thin is not None else None
    peer_rate = y[peers].mean() if peers is not None and peers.any() else np.nan

    def woe_iv(mask: np.ndarray) -> tuple[float, float]:
        bad = y[mask].sum() + 0.5
        good = mask.sum() - y[mask].sum() + 0.5
        woe = np.log((good / total_good) / (bad / total_bad))
        return float(woe), float((good / total_good - bad / total_bad) * woe)

    levels = level_order(frame, cmap)
    rows = []
    total_iv = sum(woe_iv(level == lv)[1] for lv in levels)
    for lv in ["all", *levels]:
        mask = np.ones(len(y), bool) if lv == "all" else level == lv
        n, defaults = int(mask.sum()), int(y[mask].sum())
        low, high = wilson_interval(defaults, n)
        woe, iv = woe_iv(mask)
        lor = lor_low = lor_high = None
        if lv not in ("all", cmap.reference):
            # Woolf interval of the 2x2 table (holders vs the reference level), 0.5 added only to an empty cell
            a, b, c, d = defaults, n - defaults, ref_bad, ref_n - ref_bad
            if min(a, b, c, d) == 0:
                a, b, c, d = a + 0.5, b + 0.5, c + 0.5, d + 0.5
            lor = float(np.log(a * d / (b * c)))
            se = float(np.sqrt(1 / a + 1 / b + 1 / c + 1 / d))
            lor_low, lor_high = lor - Z * se, lor + Z * se
        thin_mask = mask & thin if thin is not None else None
        rows.append(CredentialRow(
            credential_type=cmap.name, credential_level=lv, holders=n, defaults=defaults, default_rate=defaults / n,
            ci_low=low, ci_high=high, lift_population=(defaults / n) / population_rate,
            thin_file_holders=int(thin_mask.sum()) if thin_mask is not None else None,
            lift_thin_peers=(float(y[thin_mask].mean() / peer_rate)
                             if thin_mask is not None and thin_mask.sum() >= 30 and peer_rate > 0 else None),
            woe=0.0 if lv == "all" else woe, iv=total_iv if lv == "all" else iv,
            log_odds_vs_reference=lor, lor_ci_low=lor_low, lor_ci_high=lor_high))
    return rows


def control_matrix(frame: pd.DataFrame, cmap: ColumnMap, rows: np.ndarray | None = None) -> tuple[np.ndarray, list[str]]:
    """Intercept, standardised numeric controls (missing -> the median), one column per category of each
    categorical control but its most frequent, and the thin-file flag when mapped. Built only from the
    map's controls: protected attributes cannot reach it."""
    frame = frame if rows is None else frame[rows]
    columns, names = [np.ones(len(frame))], ["intercept"]
    for column in cmap.controls:
        values = frame[column]
        if pd.api.types.is_float_dtype(values):
            x = values.fillna(values.median()).to_numpy(float)
            sd = x.std()
            columns.append((x - x.mean()) / sd if sd > 0 else np.zeros(len(x)))
            names.append(column)
        else:
            counts = values.value_counts()
            for category in counts.index[1:]:
                if counts[category] >= 5:
                    columns.append((values == category).to_numpy(float))
                    names.append(f"{column}={category}")
    if THIN in frame:
        columns.append(frame[THIN].to_numpy(float))
        names.append("thin_file")
    return np.column_stack(columns), names


def mapped_adjusted_effects(frame: pd.DataFrame, cmap: ColumnMap) -> tuple[list[AdjustedEffect], list[str]]:
    """Log-odds of each level against the reference, controlling for the map's controls. Levels with fewer
    than `min_holders` rows are left out of the fit (their rows too), and said so."""
    level = frame[LEVEL].to_numpy(str)
    levels = level_order(frame, cmap)
    counts = {lv: int((level == lv).sum()) for lv in levels}
    keys = [lv for lv in levels if lv != cmap.reference and counts[lv] >= cmap.min_holders]
    thin_levels = [lv for lv in levels if lv != cmap.reference and counts[lv] < cmap.min_holders]
    rows = np.isin(level, [cmap.reference, *keys])
    controls, _names = control_matrix(frame, cmap, rows)
    index = {lv: i + 1 for i, lv in enumerate(keys)}
    group = np.array([index.get(lv, 0) for lv in level[rows]], dtype=np.int64)
    beta, se = _logistic_fit(controls, group, len(keys), frame[OUTCOME].to_numpy(float)[rows])
    k = controls.shape[1]
    effects = [AdjustedEffect(credential_type=cmap.name, credential_level=lv, holders=counts[lv],
                              log_odds=float(beta[k + i]), ci_low=float(beta[k + i] - Z * se[k + i]),
                              ci_high=float(beta[k + i] + Z * se[k + i]), reference=cmap.reference)
               for i, lv in enumerate(keys)]
    notes = [f"levels with fewer than {cmap.min_holders} holders get no adjusted effect and are left out of the "
             f"regression: {', '.join(f'{lv} ({counts[lv]})' for lv in thin_levels)}"] if thin_levels else []
    return effects, notes


def model_frame(frame: pd.DataFrame, cmap: ColumnMap) -> pd.DataFrame:
    """The scorecard's inputs: the controls, the credential level, and the thin-file flag when mapped."""
    x = frame[list(cmap.controls)].copy()
    x[CREDENTIAL] = frame[LEVEL].astype(str)
    if THIN in frame:
        x[THIN] = np.where(frame[THIN], "yes", "no")
    return x


def _scorecard(frame: pd.DataFrame, cmap: ColumnMap, credential_aware: bool, segmented: bool) -> Scorecard:
    categorical = tuple(c for c in cmap.controls if not pd.api.types.is_float_dtype(frame[c])) + (CREDENTIAL, THIN)
    features = tuple(cmap.controls) + ((CREDENTIAL,) if credential_aware else ()) + ((THIN,) if THIN in frame else ())
    return Scorecard(features=features, segment_feature=THIN if segmented else None, categorical_features=categorical,
                     max_bins=10, min_bin_share=0.05)


def _segmentable(frame: pd.DataFrame) -> bool:
    if THIN not in frame:
        return False
    y, thin = frame[OUTCOME].to_numpy(int), frame[THIN].to_numpy(bool)
    return all(mask.sum() >= 500 and y[mask].sum() >= 50 for mask in (thin, ~thin))


def held_out_predictions(frame: pd.DataFrame, cmap: ColumnMap, test_months: int, seed: int = 0):
    """Out-of-sample PDs of the credential-aware and the traditional scorecard, and how they were held out.
    Returns (held-out mask, pd credential-aware, pd traditional, points, train-points, description, caveats)."""
    x, y = model_frame(frame, cmap), frame[OUTCOME].to_numpy(int)
    segmented = _segmentable(frame)
    caveats = []
    if THIN in frame and not segmented:
        caveats.append("the thin-file and full-file segments are too small for separate scorecards (500 rows and "
                       "50 defaults each): one scorecard with the flag as a feature")
    n = len(frame)
    pd_aware, pd_trad, points = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    if MONTH in frame:
        months = sorted(frame[MONTH].unique())
        if len(months) <= test_months:
            raise UserInputError(f"the book spans {len(months)} months; an out-of-time backtest needs more than "
                                 f"{test_months} (--test-months)")
        test = (frame[MONTH] >= months[-test_months]).to_numpy()
        folds = [(~test, test)]
        how = f"out of time: train {months[0]}..{months[-test_months - 1]}, test {months[-test_months]}..{months[-1]}"
    else:
        from sklearn.model_selection import StratifiedKFold

        splitter = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
        folds = []
        for train_index, test_index in splitter.split(np.zeros(n), y):
            train_mask = np.zeros(n, bool)
            train_mask[train_index] = True
            folds.append((train_mask, ~train_mask))
        test = np.ones(n, bool)
        how = f"{FOLDS}-fold cross-validation on random folds (seed {seed})"
        caveats.append(f"no application month: the backtest is {FOLDS}-fold cross-validation on random folds, "
                       "out of sample but not out of time; drift between periods is not measured (PSI compares "
                       "the first fold's training and held-out rows)")
    train_points = None
    for train_mask, test_mask in folds:
        aware = _scorecard(frame, cmap, True, segmented).fit(x[train_mask], y[train_mask])
        traditional = _scorecard(frame, cmap, False, segmented).fit(x[train_mask], y[train_mask])
        pd_aware[test_mask] = aware.predict_proba(x[test_mask])[:, 1]
        pd_trad[test_mask] = traditional.predict_proba(x[test_mask])[:, 1]
        points[test_mask] = aware.points(x[test_mask])
        if train_points is None:
            train_points = aware.points(x[train_mask])
            first_test_points = points[test_mask]
    return test, pd_aware, pd_trad, points, train_points, first_test_points, how, caveats


def _backtest(frame: pd.DataFrame, test: np.ndarray, pd_aware: np.ndarray, train_points: np.ndarray,
              test_points: np.ndarray, how: str) -> BacktestMetrics:
    y = frame[OUTCOME].to_numpy(int)
    calibration = calibration_by_decile(y[test], pd_aware[test])
    periods = how.split(": ", 1)[1].split(", test ") if how.startswith("out of time") else [how, how]
    return BacktestMetrics(
        auc=auc(y[test], pd_aware[test]), ks=ks_statistic(y[test], pd_aware[test]), calibration=calibration,
        max_calibration_error=max(c.abs_error for c in calibration),
        psi_score=psi(train_points, test_points), psi_features={},
        train_rows=int((~test).sum()) if not test.all() else int(len(y) * (FOLDS - 1) / FOLDS),
        test_rows=int(test.sum()), train_period=periods[0].removeprefix("train "), test_period=periods[-1],
        train_default_rate=float(y[~test].mean()) if not test.all() else float(y.mean()),
        test_default_rate=float(y[test].mean()))


def run_mapped_study(book_path: Path | str, columns_path: Path | str, out_dir: Path | str, test_months: int = 6,
                     approve_share: float = 0.5, plots: bool = True) -> StudyReport:
    """Reads the book through the map, analyses it and writes report.md, report.html, study.json and PNGs."""
    from credlift.training.risk.report import write_mapped_report

    if not 0 < approve_share < 1:
        raise UserInputError("--approve-share must be between 0 and 1")
    cmap = load_column_map(columns_path)
    book = read_book(book_path)
    frame = apply_column_map(book, cmap, Path(book_path).name)
    if frame[LEVEL].nunique() < 2:
        raise UserInputError(f"the credential column {cmap.credential} has a single level; nothing to compare")
    caveats: list[str] = []
    effects, notes = mapped_adjusted_effects(frame, cmap)
    caveats += notes
    test, pd_aware, pd_trad, points, train_points, first_test_points, how, split_caveats = \
        held_out_predictions(frame, cmap, test_months)
    caveats += split_caveats
    metrics = _backtest(frame, test, pd_aware, train_points, first_test_points, how)

    if THIN in frame:
        population = test & frame[THIN].to_numpy(bool)
        label = "thin-file applicants" + (" (held out)" if not test.all() else "")
    else:
        population = test
        label = "applicants, whole book" + (" (held out)" if not test.all() else "") + " (no thin-file flag)"
        caveats.append("no thin-file flag: inclusion and fairness are measured on the whole book, not on thin-file "
                       "applicants")
    if population.sum() < 20:
        raise UserInputError(f"only {int(population.sum())} applicants to compare policies on; the book is too small")
    y = frame[OUTCOME].to_numpy(int)
    cutoff = float(np.quantile(pd_trad[population], approve_share))
    inclusion = compare_at_matched_risk(pd_trad[population], pd_aware[population], y[population],
                                        np.ones(int(population.sum()), bool), cutoff, population=label)
    approved_trad, approved_aware = approvals(inclusion, pd_trad[population], pd_aware[population],
                                              np.ones(int(population.sum()), bool))
    protected = {label_: frame.loc[population, f"protected:{label_}"].to_numpy(str) for label_ in cmap.protected_labels}
    fairness = fairness_table(protected, y[population], approved_trad, approved_aware)
    if not cmap.protected:
        caveats.append("no protected attribute mapped: no fairness table")
    caveats.append(f"inclusion: the traditional-only policy approves the {approve_share:.0%} of the population with "
                   "the lowest traditional-scorecard PD; the credential-aware policy approves, lowest PD first, as "
                   "many as keep the mean credential-aware PD at or below the traditional policy's")

    report = StudyReport(
        book_path=str(book_path), rows=len(frame), default_rate=float(y.mean()),
        thin_file_share=float(frame[THIN].mean()) if THIN in frame else None,
        period=(f"{frame[MONTH].min()}..{frame[MONTH].max()}" if MONTH in frame else "no application month"),
        credentials=credential_rows(frame, cmap), adjusted_effects=effects, backtest=metrics, inclusion=inclusion,
        column_map=str(columns_path), credential_name=cmap.name, reference_level=cmap.reference,
        controls=list(cmap.controls), protected=cmap.protected_labels, validation=how, caveats=caveats,
        fairness=fairness,
    )
    y_test = y[test]
    return write_mapped_report(report, y_test, pd_aware[test], Path(out_dir), plots=plots)
