"""The synthetic loan book: deterministic, documented, and generated from the documented true model."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from credlift.tools.risk import loanbook
from credlift.tools.risk.loanbook import COLUMNS, CREDENTIAL_EFFECTS, generate_loan_book, true_log_odds

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


def test_documented_effect_table_is_the_generators_table():
    doc = LOANBOOK_DOC.read_text(encoding="utf-8")
    documented = {(t, lv): float(v) for t, lv, v in
                  re.findall(r"^\| (\w+) \| ([\w+-]+) \| ([+-]\d+\.\d+) \|$", doc, flags=re.MULTILINE)}
    assert documented == CREDENTIAL_EFFECTS


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
