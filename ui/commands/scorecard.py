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
    model, card = train_scorecard(frame, target, source=source, test_months=test_months)
    metrics = card["metrics_out_of_time"]
    typer.echo(f"out-of-time AUC {metrics['auc']:.3f}  KS {metrics['ks']:.3f}  max calibration error "
               f"{metrics['max_calibration_error_pp']:.2f} pp -> {target} (card: {card_path(target)})")
    # the approval line and bands of the stated rule (docs/risk-line.md), on the same out-of-time applications
    import json

    from credlift.training.risk.book_io import out_of_time_split
    from credlift.training.risk.line import derive_line

    derivation = derive_line(model, out_of_time_split(frame, test_months)[1])
    card["policy_line"] = derivation.model_dump()
    card_path(target).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    bands = ", ".join(f"{b['band']} <= {b['max_pd'] * 100:.1f}%" for b in derivation.bands[:-1])
    typer.echo(f"break-even PD {derivation.break_even_pd * 100:.2f}% -> line {derivation.line * 100:.1f}%; "
               f"bands {bands} (parameters.yaml pd_scaling)")
    for f in derivation.figures:
        typer.echo(f"  {f.population}: approved {f.approval_rate * 100:.1f}% ({f.approved:,} of {f.applications:,}), "
                   f"expected default {f.expected_default_rate * 100:.2f}%, observed {f.observed_default_rate * 100:.2f}%")


@scorecard_app.command("stability")
def stability(
    seeds: str = typer.Option("1,2,3", "--seeds", help="comma-separated seeds of the generated books"),
    rows: int = typer.Option(300_000, "--rows", help="rows of each generated book"),
    effects: str = typer.Option("evidence", "--effects", help="evidence or strong"),
    out: Path = typer.Option(..., "--out", help="JSON file for the per-seed table"),
) -> None:
    """Train the scorecard on the book of each seed: AUC/KS/IV/coefficients, the line's bands and the demo
    accounts' PDs per seed (is a weight an effect or one seed's noise?)."""
    import json
    from datetime import date

    import yaml

    from credlift.errors import UserInputError
    from credlift.training.risk.line import stability as run_stability

    try:
        seed_list = [int(s) for s in seeds.split(",") if s.strip()]
    except ValueError as exc:
        raise UserInputError("--seeds must be whole numbers separated by commas / --seeds 须为逗号分隔的整数") from exc
    if not seed_list or effects not in ("evidence", "strong") or rows < 1000:
        raise UserInputError("need at least one seed, --effects evidence|strong and --rows >= 1000 / "
                             "至少一个种子，--effects 为 evidence 或 strong，--rows 不少于 1000")
    from credlift.tools.accounts import DEMO_ACCOUNTS_FILE

    accounts = yaml.safe_load(Path(DEMO_ACCOUNTS_FILE).read_text(encoding="utf-8"))["accounts"]
    result = run_stability(seed_list, rows, accounts, date(2026, 12, 1), effects)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for row in result["seeds"]:
        bands = ", ".join(f"{b['band']} {b['max_pd'] * 100:.1f}%" for b in row["bands"][:-1])
        typer.echo(f"seed {row['seed']}: AUC {row['auc']:.3f} KS {row['ks']:.3f} bands {bands} -> {out}")


def register(app: typer.Typer) -> None:
    app.add_typer(scorecard_app, name="scorecard")
