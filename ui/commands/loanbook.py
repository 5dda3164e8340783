"""`credlift loanbook generate`: a synthetic loan book with documented columns and planted credential effects."""
from __future__ import annotations

from pathlib import Path

import typer

loanbook_app = typer.Typer(help="Synthetic loan books for the credential study (see training/risk/LOANBOOK.md).",
                           no_args_is_help=True)


@loanbook_app.command("generate")
def generate(
    out: Path = typer.Option(..., "--out", help="book.parquet or book.csv"),
    rows: int = typer.Option(300_000, "--rows", help="applications"),
    seed: int = typer.Option(1, "--seed", help="same seed, same book"),
    effects: str = typer.Option("evidence", "--effects", help="planted credential effects: evidence (sized to "
                                "real data) or strong (the recovery-power variant); training/risk/LOANBOOK.md"),
) -> None:
    """Write a loan book (Parquet for .parquet, else CSV) with known, documented effects."""
    import time

    from credlift.errors import UserInputError
    from credlift.training.risk.loanbook import generate_loan_book, write_loan_book

    if rows < 1:
        raise UserInputError("--rows must be at least 1")
    started = time.perf_counter()
    if effects not in ("evidence", "strong"):
        raise UserInputError("--effects must be evidence or strong")
    book = generate_loan_book(rows=rows, seed=seed, effects=effects)
    write_loan_book(book, out)
    typer.echo(f"{len(book):,} applications, default rate {book['default_12m'].mean():.2%}, "
               f"thin-file {book['thin_file'].mean():.1%} -> {out} ({time.perf_counter() - started:.1f} s)")


def register(app: typer.Typer) -> None:
    app.add_typer(loanbook_app, name="loanbook")
