"""Reads a lender's loan book (CSV or Parquet) and checks it has the documented columns (LOANBOOK.md)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from credlift.errors import UserInputError

REQUIRED_COLUMNS: tuple[str, ...] = (
    "application_month", "months_on_book", "utilisation", "delinquent_last_12m", "income_band", "thin_file",
    "credential_type", "credential_level", "credential_age_years", "default_12m",
)


def read_loan_book(path: Path | str) -> pd.DataFrame:
    """CSV or Parquet by extension; raises UserInputError with a sentence for a missing file or columns."""
    path = Path(path)
    if not path.is_file():
        raise UserInputError(f"loan book '{path}' does not exist (make one with `credlift loanbook generate`)")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            book = pd.read_parquet(path)
        else:
            book = pd.read_csv(path, dtype={"credential_level": str, "application_month": str},
                               keep_default_na=True)
    except Exception as error:  # pandas/pyarrow raise many types for a corrupt file
        raise UserInputError(f"could not read loan book '{path.name}' as "
                             f"{'Parquet' if path.suffix.lower() in ('.parquet', '.pq') else 'CSV'} ({error})") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in book.columns]
    if missing:
        raise UserInputError(f"loan book '{path.name}' lacks the columns {', '.join(missing)} (see training/risk/LOANBOOK.md)")
    book["credential_level"] = book["credential_level"].fillna("").astype(str).str.replace(r"\.0$", "", regex=True)
    book["credential_type"] = book["credential_type"].fillna("none").astype(str)
    book["application_month"] = book["application_month"].astype(str).str[:7]
    return book


def out_of_time_split(book: pd.DataFrame, test_months: int = 6) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Earlier months train, the last `test_months` months test."""
    months = sorted(book["application_month"].unique())
    if len(months) <= test_months:
        raise UserInputError(f"the loan book spans {len(months)} months; an out-of-time backtest needs more than "
                             f"{test_months}")
    first_test = months[-test_months]
    is_test = book["application_month"] >= first_test
    return book[~is_test], book[is_test]
