"""A synthetic loan book with known, documented effects, so that the study can be checked against the truth.

One row is one credit-limit application, with what the lender knew at application time and whether the
account defaulted (90+ days past due) within the next 12 months. The same columns are what a lender must
provide to run `credlift study` on its own book (CSV or Parquet):

| column | type | meaning |
| --- | --- | --- |
| applicant_id | int | row key |
| application_month | str `YYYY-MM` | month of the application (the backtest splits on it) |
| months_on_book | int | tenure with the lender, months |
| utilisation | float 0..1 | balance / limit at application |
| delinquent_last_12m | int | 30+ day delinquencies in the last 12 months (repayment history) |
| income_band | str | low, mid, high |
| thin_file | bool | fewer than two bureau trade lines |
| current_limit | int | yuan |
| credential_type | str | none, or a registered type (tools/credentials), e.g. cet4, degree, driver_permit, merit_student, rider_profile |
| credential_level | str | see CREDENTIAL_LEVELS (empty when credential_type is none) |
| credential_score | float | CET total score (NaN for other types) |
| credential_age_years | float | years between the credential's issue date and the application (NaN when none) |
| default_12m | int 0/1 | outcome |

True model (log-odds of default_12m), planted so tests can check that the analysis recovers it:

    logit = INTERCEPT + TRADITIONAL_EFFECTS... + CREDENTIAL_EFFECTS[type, level] * recency

CREDENTIAL_EFFECTS is evidence-sized (see LOANBOOK.md); `effects="strong"` plants CREDENTIAL_EFFECTS_STRONG,
the original larger table, for the tests that need recovery power.
    recency = 1 when credential_age_years <= OLD_CREDENTIAL_YEARS else OLD_CREDENTIAL_FRACTION

Credential holding is confounded with income (degree and graduation holders earn more), so raw default
rates overstate the credential effects; the study's adjusted log-odds recover them. The population drifts
over time (more thin-file applicants later) while the conditional model stays fixed, so PSI is non-zero
and an out-of-time backtest stays calibrated. The tables below are also rendered in LOANBOOK.md.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from credlift.tools.risk.features import CREDENTIAL_LEVEL_ORDER

COLUMNS: tuple[str, ...] = (
    "applicant_id", "application_month", "months_on_book", "utilisation", "delinquent_last_12m", "income_band",
    "thin_file", "current_limit", "credential_type", "credential_level", "credential_score",
    "credential_age_years", "default_12m",
)
INCOME_BANDS: tuple[str, ...] = ("low", "mid", "high")
CREDENTIAL_LEVELS: dict[str, tuple[str, ...]] = CREDENTIAL_LEVEL_ORDER

# --- the true model -----------------------------------------------------------------------------------
INTERCEPT = -2.8
UTILISATION_PER_UNIT = 4.0          # times utilisation (0..1), for applicants with a full file
UTILISATION_PER_UNIT_THIN = 2.0     # a short history makes utilisation a weaker signal on a thin file
DELINQUENCY_EACH = 1.0              # times min(delinquent_last_12m, 3)
TENURE_PER_LOG_MONTH = -0.50        # times log1p(months_on_book)
INCOME_EFFECT = {"low": 0.45, "mid": 0.0, "high": -0.55}
THIN_FILE_EFFECT = 1.40
OLD_CREDENTIAL_YEARS = 8.0
OLD_CREDENTIAL_FRACTION = 0.5
# The strong variant: the effects this generator first planted, three to five times what real data shows. Kept
# only for tests that need the power to recover 24 effects from a modest book (tests/risk/test_risk_study.py).
CREDENTIAL_EFFECTS_STRONG: dict[tuple[str, str], float] = {
    ("cet4", "below_425"): 0.0, ("cet4", "425-549"): -0.55, ("cet4", "550+"): -0.95,
    ("cet6", "below_425"): 0.0, ("cet6", "425-549"): -1.10, ("cet6", "550+"): -1.60,
    ("graduation", "junior_college"): -0.70, ("graduation", "bachelor"): -1.25,
    ("graduation", "second_bachelor"): -1.25, ("graduation", "master"): -1.60, ("graduation", "doctorate"): -1.85,
    ("degree", "bachelor"): -1.40, ("degree", "master"): -1.75, ("degree", "doctor"): -2.05,
    ("vocational", "5"): -0.40, ("vocational", "4"): -0.70, ("vocational", "3"): -1.00,
    ("vocational", "2"): -1.25, ("vocational", "1"): -1.50,
    ("award", "provincial"): -0.55, ("award", "national"): -1.10, ("award", "international"): -1.50,
    ("qualification", "junior"): -1.00, ("qualification", "intermediate"): -1.40,
    # the seed's people's trade proofs (issue 25), drawn from their own stream (TRADE_SHARES): ASSUMED sizes, no
    # lender data behind them; a licensed ride-hailing driver has a checked record and a steady income
    ("driver_permit", "valid"): -0.90,
    # honours (issue 25), drawn from a stream of their own (HONOUR_SHARES): ASSUMED sizes, no lender data behind
    # them; ordered by how selective the honour is
    ("merit_student", "school"): -0.50, ("merit_student", "municipal"): -0.70, ("merit_student", "provincial"): -0.90,
    ("scholarship", "school"): -0.50, ("scholarship", "encouragement"): -0.70, ("scholarship", "national"): -1.10,
    ("math_competition", "third"): -0.60, ("math_competition", "second"): -0.80, ("math_competition", "first"): -1.00,
    ("icpc", "bronze"): -0.70, ("icpc", "silver"): -0.90, ("icpc", "gold"): -1.10,
    # a rider's months active on the platform (a screenshot), a creator's audience, a current food-handler health
    # certificate, a licensed car: ASSUMED too; a creator with under 1,000 followers carries no effect (a null)
    ("rider_profile", "months_0_5"): -0.30, ("rider_profile", "months_6_11"): -0.70,
    ("rider_profile", "months_12_plus"): -1.10,
    ("creator_profile", "followers_under_1k"): 0.0, ("creator_profile", "followers_1k_10k"): -0.60,
    ("creator_profile", "followers_10k_plus"): -0.90,
    ("health_certificate", "valid"): -0.80,
    ("transport_permit", "valid"): -1.00,
}
# Evidence-sized (the default): the strong table scaled by EVIDENCE_SCALE, so that the largest effect (degree,
# doctor) is -0.38, the far end of the 95% interval of the one education effect measured on real data here
# (UCI credit-card sample, graduate school vs high school, adjusted for the credit limit and the bill: -0.19,
# -0.38..-0.01; raw -0.42). LOANBOOK.md has the evidence and both tables.
EVIDENCE_SCALE = 0.185
CREDENTIAL_EFFECTS: dict[tuple[str, str], float] = {
    key: round(value * EVIDENCE_SCALE, 2) + 0.0 for key, value in CREDENTIAL_EFFECTS_STRONG.items()}
EFFECT_SETS: dict[str, dict[tuple[str, str], float]] = {"evidence": CREDENTIAL_EFFECTS,
                                                        "strong": CREDENTIAL_EFFECTS_STRONG}
# Smaller credential effects alone would make the whole book riskier (holders default more, nobody less). The
# portfolio's default rates by file depth are the observed fact a lender has, so the evidence-sized book keeps
# them at the strong book's (full file 6.1%, thin file 15.6% on 300,000 rows, seed 1) by shifting the intercept
# and the thin-file term: only the spread that credentials explain shrinks.
# Re-fitted (on expected rates: the mean planted probability per file depth) after the honours and trade
# types joined the book: strong full file 5.8%, thin 14.3%; was (-0.21, -0.20) with eight types.
BASELINE_SHIFT = {"evidence": (-0.26, -0.24), "strong": (0.0, 0.0)}   # (intercept, thin-file term)

# --- who holds what -----------------------------------------------------------------------------------
# the book's types, drawn as the book always drew them (the same rows for the same seed); not the live registry,
# which grows when a type is registered
_TYPES = ("none", "cet4", "cet6", "graduation", "degree", "vocational", "award", "qualification")
_TYPE_SHARE_THIN = np.array([0.30, 0.15, 0.11, 0.15, 0.11, 0.09, 0.05, 0.04])
_TYPE_SHARE_THICK = np.array([0.55, 0.08, 0.06, 0.10, 0.10, 0.06, 0.02, 0.03])
# Trade proofs (issue 25): a share of the applicants who hold none of the seven (thin file, full file), drawn from
# a stream of their own so that every other row of a seeded book stays what it was; their levels by _LEVEL_SHARE.
TRADE_SHARES: dict[str, tuple[float, float]] = {
    "driver_permit": (0.05, 0.02), "rider_profile": (0.10, 0.03), "health_certificate": (0.05, 0.02),
    "transport_permit": (0.03, 0.015), "creator_profile": (0.05, 0.02)}
_TRADE_STREAM = 25
# Honours (issue 25: merit student, scholarship, the mathematics competition, ICPC/CCPC): the same, from a third
# stream, among the applicants who still hold none; mostly young, thin-file applicants
HONOUR_SHARES: dict[str, tuple[float, float]] = {"merit_student": (0.07, 0.02), "scholarship": (0.08, 0.02),
                                                 "math_competition": (0.04, 0.01), "icpc": (0.03, 0.01)}
_HONOUR_STREAM = 26
_LEVEL_SHARE = {
    "graduation": (0.35, 0.45, 0.03, 0.14, 0.03),
    "degree": (0.72, 0.23, 0.05),
    "vocational": (0.30, 0.30, 0.25, 0.10, 0.05),
    "award": (0.60, 0.32, 0.08),
    "qualification": (0.70, 0.30),
    "merit_student": (0.70, 0.18, 0.12),  # school, municipal, provincial
    "scholarship": (0.55, 0.33, 0.12),  # school, encouragement, national
    "math_competition": (0.45, 0.35, 0.20),  # third, second, first
    "icpc": (0.55, 0.30, 0.15),  # bronze, silver, gold
    "rider_profile": (0.25, 0.30, 0.45),
    "creator_profile": (0.40, 0.40, 0.20),
}
_CET_SCORE = {"cet4": (480.0, 65.0), "cet6": (455.0, 60.0)}
_INCOME_SHIFT = {"degree": 0.6, "graduation": 0.35, "qualification": 0.5}
_FIRST_MONTH = (2024, 1)
_MONTHS = 24


def credential_level_from_score(score: np.ndarray) -> np.ndarray:
    """CET total score -> level code (the customary 425 line and the 550 'strong' line)."""
    return np.where(score >= 550, "550+", np.where(score >= 425, "425-549", "below_425"))


def _effects(effects: str) -> dict[tuple[str, str], float]:
    if effects not in EFFECT_SETS:
        raise ValueError(f"effects must be one of {', '.join(EFFECT_SETS)}")
    return EFFECT_SETS[effects]


def true_log_odds(book: pd.DataFrame, effects: str = "evidence") -> np.ndarray:
    """The planted model, usable on any frame with the documented columns (tests compare against it)."""
    table = _effects(effects)
    intercept_shift, thin_shift = BASELINE_SHIFT[effects]
    thin = book["thin_file"].to_numpy(bool)
    logit = (INTERCEPT + intercept_shift + thin_shift * thin
             + np.where(thin, UTILISATION_PER_UNIT_THIN, UTILISATION_PER_UNIT) * book["utilisation"].to_numpy(float)
             + DELINQUENCY_EACH * np.minimum(book["delinquent_last_12m"].to_numpy(float), 3)
             + TENURE_PER_LOG_MONTH * np.log1p(book["months_on_book"].to_numpy(float))
             + book["income_band"].map(INCOME_EFFECT).to_numpy(float)
             + THIN_FILE_EFFECT * thin)
    keys = list(zip(book["credential_type"], book["credential_level"]))
    effect = np.array([table.get(k, 0.0) for k in keys]) if len(book) else np.zeros(0)
    age = book["credential_age_years"].to_numpy(float)
    recency = np.where(np.nan_to_num(age, nan=0.0) > OLD_CREDENTIAL_YEARS, OLD_CREDENTIAL_FRACTION, 1.0)
    return logit + effect * recency


def _month_labels(index: np.ndarray) -> np.ndarray:
    year, month = _FIRST_MONTH
    absolute = (year * 12 + month - 1) + index
    labels = np.array([f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(absolute.min(), absolute.max() + 1)])
    return labels[absolute - absolute.min()]


def _pick(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """Row-wise categorical draw: shares is (n, k) probabilities; returns column indices."""
    cumulative = np.cumsum(shares, axis=1)
    draws = rng.random(len(shares))[:, None]
    return np.minimum((draws > cumulative).sum(axis=1), shares.shape[1] - 1)


def generate_loan_book(rows: int = 300_000, seed: int = 1, effects: str = "evidence") -> pd.DataFrame:
    """Vectorised: 300k rows in about a second. Same (rows, seed, effects) -> the same frame. `effects`:
    "evidence" (the default, evidence-sized) or "strong" (the recovery-power variant)."""
    _effects(effects)
    if rows < 1:
        raise ValueError("rows must be positive")
    rng = np.random.default_rng(seed)
    month = rng.integers(0, _MONTHS, rows)
    thin = rng.random(rows) < 0.40 + 0.15 * month / (_MONTHS - 1)   # drift: more thin-file applicants later

    type_shares = np.where(thin[:, None], _TYPE_SHARE_THIN, _TYPE_SHARE_THICK)
    type_index = _pick(rng, type_shares)
    credential_type = np.array(_TYPES)[type_index]

    level = np.full(rows, "", dtype=object)
    score = np.full(rows, np.nan)
    for ctype, (mean, sd) in _CET_SCORE.items():
        mask = credential_type == ctype
        score[mask] = np.clip(np.round(rng.normal(mean, sd, mask.sum())), 220, 710)
        level[mask] = credential_level_from_score(score[mask])
    for ctype, shares in _LEVEL_SHARE.items():
        mask = credential_type == ctype
        picks = _pick(rng, np.tile(np.array(shares), (mask.sum(), 1)))
        level[mask] = np.array(CREDENTIAL_LEVELS[ctype], dtype=object)[picks]
    has_credential = credential_type != "none"
    age = np.where(has_credential, np.round(rng.gamma(1.6, np.where(thin, 2.2, 3.6)), 1), np.nan)
    credential_type, level, age = _trade_proofs(seed, thin, credential_type, level, age)
    credential_type, level, age = _trade_proofs(seed, thin, credential_type, level, age, HONOUR_SHARES,
                                                _HONOUR_STREAM)

    shift = np.array([_INCOME_SHIFT.get(t, 0.0) for t in _TYPES])[type_index] - 0.5 * thin
    income_z = rng.normal(0.0, 1.0, rows) + shift
    income_band = np.array(INCOME_BANDS)[np.digitize(income_z, [0.0, 1.1])]

    months_on_book = np.where(thin, rng.integers(0, 18, rows),
                              12 + np.minimum(rng.gamma(2.0, 18.0, rows), 228)).astype(int)
    utilisation = np.round(np.clip(rng.beta(2.0, 3.2, rows), 0.0, 1.0), 3)
    delinquent = np.minimum(rng.poisson(np.where(thin, 0.07, 0.16)), 6)
    base_limit = np.select([income_band == "low", income_band == "mid"], [2000, 6000], 16000)
    current_limit = (np.round(base_limit * rng.uniform(0.6, 2.0, rows) * (1 + months_on_book / 120) / 100)
                     * 100).astype(int)

    book = pd.DataFrame({
        "applicant_id": np.arange(1, rows + 1),
        "application_month": _month_labels(month),
        "months_on_book": months_on_book,
        "utilisation": utilisation,
        "delinquent_last_12m": delinquent,
        "income_band": income_band,
        "thin_file": thin,
        "current_limit": current_limit,
        "credential_type": credential_type,
        "credential_level": level.astype(str),
        "credential_score": score,
        "credential_age_years": age,
    })
    probability = 1.0 / (1.0 + np.exp(-true_log_odds(book, effects)))
    book["default_12m"] = (rng.random(rows) < probability).astype(int)
    return book


def _trade_proofs(seed: int, thin: np.ndarray, credential_type: np.ndarray, level: np.ndarray, age: np.ndarray,
                  shares: dict[str, tuple[float, float]] | None = None, stream: int = _TRADE_STREAM):
    """Some applicants without one of the seven hold a trade proof (TRADE_SHARES), from the book's second stream
    (or, given `shares` and `stream`, another group from a stream of its own: the honours)."""
    shares = TRADE_SHARES if shares is None else shares
    rng = np.random.default_rng([seed, stream])
    credential_type = credential_type.astype(object)
    draw = rng.random(len(thin))
    lower = np.zeros(len(thin))
    for ctype, (share_thin, share_thick) in shares.items():
        upper = lower + np.where(thin, share_thin, share_thick)
        mask = (credential_type == "none") & (draw >= lower) & (draw < upper)
        levels = CREDENTIAL_LEVELS[ctype]
        shares = np.array(_LEVEL_SHARE.get(ctype, (1.0 / len(levels),) * len(levels)))
        picks = _pick(rng, np.tile(shares, (int(mask.sum()), 1)))
        level[mask] = np.array(levels, dtype=object)[picks]
        age[mask] = np.round(rng.gamma(1.4, 1.8, int(mask.sum())), 1)  # trade proofs are recent, renewed
        credential_type[mask] = ctype
        lower = upper
    return credential_type.astype(str), level, age


def effects_table(effects: str = "evidence") -> pd.DataFrame:
    """The planted credential effects as a frame: credential_type, credential_level, true_log_odds."""
    return pd.DataFrame([{"credential_type": t, "credential_level": lv, "true_log_odds": v}
                         for (t, lv), v in _effects(effects).items()])


def write_loan_book(book: pd.DataFrame, path) -> None:
    """Parquet for .parquet, CSV otherwise."""
    from pathlib import Path

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() in (".parquet", ".pq"):
        book.to_parquet(path, index=False)
    else:
        book.to_csv(path, index=False)
