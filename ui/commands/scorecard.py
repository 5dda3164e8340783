"""`credlift scorecard train`: fit the PD scorecard on a loan book and save it with its model card."""
from __future__ import annotations

from pathlib import Path

import typer

scorecard_app = typer.Typer(help="The probability-of-default scorecard.", no_args_is_help=True)


@scorecard_app.command("train")
def train(
    book: Path = typer.Option(None, "--book", help="loan book (CSV/Parquet); default: generate one"),
    rows: int = typer.Option(300_000, "--rows", help="rows of the generated book when --book is not given"),
    seed: int = typer.Option(1, "--seed", help="seed of the generated book"),
    effects: str = typer.Option("evidence", "--effects", help="planted effects of the generated book: evidence "
                                "or strong (training/risk/LOANBOOK.md)"),
    out: Path = typer.Option(None, "--out", help="model file; default DATA_DIR/models/scorecard.joblib"),
    test_months: int = typer.Option(6, "--test-months", help="last months held out for the backtest"),
) -> None:
    """Train on all but the last months, backtest on them, write scorecard.joblib + scorecard.card.json."""
    from credlift.settings import get_settings
    from credlift.training.risk.book_io import read_loan_book
    from credlift.training.risk.loanbook import generate_loan_book
    from credlift.tools.risk.scorecard import card_path
    from credlift.training.risk.train import train_scorecard

    from credlift.errors import UserInputError

    if effects not in ("evidence", "strong"):
        raise UserInputError("--effects must be evidence or strong")
    if book is not None:
        frame, source = read_loan_book(book), str(book)
    else:
        frame = generate_loan_book(rows=rows, seed=seed, effects=effects)
        source = f"credlift loanbook generate --rows {rows} --seed {seed} --effects {effects}"
    target = out or get_settings().data_dir / "models" / "scorecard.joblib"
    _model, card = train_scorecard(frame, target, source=source, test_months=test_months)
    metrics = card["metrics_out_of_time"]
    typer.echo(f"out-of-time AUC {metrics['auc']:.3f}  KS {metrics['ks']:.3f}  max calibration error "
               f"{metrics['max_calibration_error_pp']:.2f} pp -> {target} (card: {card_path(target)})")


def register(app: typer.Typer) -> None:
    app.add_typer(scorecard_app, name="scorecard")
