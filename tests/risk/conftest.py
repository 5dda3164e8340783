"""Shared fixtures of the risk tests: one generated book and one study per session (they take seconds)."""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def study_book(tmp_path_factory):
    """A 150k-row generated book as Parquet (large enough for 2-point calibration deciles), with the strong
    planted effects: the study's recovery tests need their power (training/risk/LOANBOOK.md)."""
    from credlift.training.risk.loanbook import generate_loan_book, write_loan_book

    folder = tmp_path_factory.mktemp("book")
    book = generate_loan_book(rows=150_000, seed=7, effects="strong")
    write_loan_book(book, folder / "book.parquet")
    return book, folder / "book.parquet"


@pytest.fixture(scope="session")
def study_report(study_book, tmp_path_factory):
    from credlift.training.risk.study import run_study

    return run_study(study_book[1], tmp_path_factory.mktemp("study"))
