"""The synthetic loan book: deterministic, documented, and generated from the documented true model."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from credlift.training.risk import loanbook
from credlift.training.risk.loanbook import (COLUMNS, CREDENTIAL_EFFECTS, CREDENTIAL_EFFECTS_STRONG, generate_loan_book,
                                         true_log_odds)

LOANBOOK_DOC = Path(loanbook.__file__).with_name("LOANBOOK.md")


def test_generator_is_deterministic_per_seed():
    pd.testing.assert_frame_equal(generate_loan_book(5000, seed=3), generate_loan_book(5000, seed=3))
    assert not generate_loan_book(5000, seed=3).equals(generate_loan_book(5000, seed=4))


def test_book_has_exactly_the_documented_columns():
    book = generate_loan_book(2000, seed=1)
    assert tuple(book.columns) == COLUMNS
    doc = LOANBOOK_DOC.read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"| {column} |" in doc, column
        assert f"| {column} |" in loanbook.__doc__, column


def test_documented_effect_tables_are_the_generators_tables():
    doc = LOANBOOK_DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\w+) \| ([\w+-]+) \| ([+-]\d+\.\d+) \| ([+-]\d+\.\d+) \|$", doc, flags=re.MULTILINE)
    assert {(t, lv): float(e) for t, lv, e, _s in rows} == CREDENTIAL_EFFECTS
    assert {(t, lv): float(s) for t, lv, _e, s in rows} == CREDENTIAL_EFFECTS_STRONG


def test_evidence_sized_effects_stay_within_the_real_evidence_and_keep_the_order():
    """No planted effect is larger than -0.38 (the far end of the UCI graduate-school interval, adjusted);
    the evidence-sized table is the strong one scaled, so levels keep their order; nulls stay null."""
    assert min(CREDENTIAL_EFFECTS.values()) == -0.38
    for key, strong in CREDENTIAL_EFFECTS_STRONG.items():
        assert strong <= CREDENTIAL_EFFECTS[key] <= 0.0
        assert (strong == 0.0) == (CREDENTIAL_EFFECTS[key] == 0.0)
    pairs = list(CREDENTIAL_EFFECTS_STRONG)
    for a in pairs:
        for b in pairs:
            if CREDENTIAL_EFFECTS_STRONG[a] < CREDENTIAL_EFFECTS_STRONG[b]:
                assert CREDENTIAL_EFFECTS[a] <= CREDENTIAL_EFFECTS[b], (a, b)


def test_strong_variant_differs_only_in_the_outcome_and_keeps_the_default_rates_by_file_depth():
    evidence, strong = generate_loan_book(60_000, seed=9), generate_loan_book(60_000, seed=9, effects="strong")
    pd.testing.assert_frame_equal(evidence.drop(columns="default_12m"), strong.drop(columns="default_12m"))
    for thin in (True, False):
        rows = evidence["thin_file"] == thin
        assert abs(evidence.loc[rows, "default_12m"].mean() - strong.loc[rows, "default_12m"].mean()) < 0.01
    intercept, thin_term = loanbook.BASELINE_SHIFT["evidence"]
    shift = intercept + thin_term * evidence["thin_file"].to_numpy(float)
    recency = np.where(evidence["credential_age_years"].fillna(0).to_numpy() > 8, 0.5, 1.0)
    planted = np.array([CREDENTIAL_EFFECTS.get(k, 0.0) - CREDENTIAL_EFFECTS_STRONG.get(k, 0.0)
                        for k in zip(evidence["credential_type"], evidence["credential_level"])])
    assert np.allclose(true_log_odds(evidence) - true_log_odds(evidence, "strong"), shift + planted * recency)


def test_outcomes_follow_the_true_model():
    book = generate_loan_book(200_000, seed=11)
    expected = 1 / (1 + np.exp(-true_log_odds(book)))
    assert abs(book["default_12m"].mean() - expected.mean()) < 0.004
    holders = book["credential_type"] == "degree"
    assert abs(book.loc[holders, "default_12m"].mean() - expected[holders.to_numpy()].mean()) < 0.01


def test_levels_values_and_drift_are_as_documented():
    book = generate_loan_book(100_000, seed=5)
    for ctype, levels in loanbook.CREDENTIAL_LEVELS.items():
        assert set(book.loc[book["credential_type"] == ctype, "credential_level"]) <= set(levels)
    assert (book.loc[book["credential_type"] == "none", "credential_level"] == "").all()
    assert book["utilisation"].between(0, 1).all() and book["default_12m"].isin([0, 1]).all()
    first, last = book["application_month"].min(), book["application_month"].max()
    assert (first, last) == ("2024-01", "2025-12")
    share = book.groupby("application_month")["thin_file"].mean()
    assert share.iloc[-3:].mean() > share.iloc[:3].mean() + 0.08
