"""`credlift study BOOK`: which credentials predict repayment; writes a report with plots."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("study")
    def study(
        book: Path = typer.Argument(..., help="loan book, CSV or Parquet, with the columns of tools/risk/LOANBOOK.md"),
        out: Path = typer.Option(Path("study-report"), "--out", help="folder for report.md, report.html and PNGs"),
        test_months: int = typer.Option(6, "--test-months", help="last months held out for the backtest"),
        as_json: bool = typer.Option(False, "--json", help="print the study as one JSON object"),
    ) -> None:
        """Default rates, lift, WoE/IV by credential; adjusted effects; out-of-time backtest; inclusion."""
        from credlift.tools.risk.study import run_study

        report = run_study(book, out, test_months=test_months)
        if as_json:
            typer.echo(report.model_dump_json())
            return
        b, inc = report.backtest, report.inclusion
        typer.echo(f"{report.rows:,} applications ({report.period}), default rate {report.default_rate:.2%}")
        typer.echo(f"out-of-time: AUC {b.auc:.3f}  KS {b.ks:.3f}  max calibration error "
                   f"{b.max_calibration_error * 100:.2f} pp  score PSI {b.psi_score:.3f}")
        typer.echo(f"inclusion (thin-file): traditional {inc.traditional.approved:,} at "
                   f"{inc.traditional.expected_default_rate:.2%}; credential-aware {inc.credential_matched_risk.approved:,}"
                   f" at {inc.credential_matched_risk.expected_default_rate:.2%} ({inc.uplift_matched_risk:+.0%})")
        typer.echo(f"report: {report.report_html}")
