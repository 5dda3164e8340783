"""`credlift study BOOK [--columns MAP.yaml]`: which credentials predict repayment; writes a report with plots."""
from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    @app.command("study")
    def study(
        book: Path = typer.Argument(..., help="loan book, CSV or Parquet: the columns of training/risk/LOANBOOK.md, "
                                              "or any columns with --columns"),
        columns: Path = typer.Option(None, "--columns", help="column map (YAML) naming the book's columns for "
                                                             "the study's roles (training/risk/column_map.py)"),
        out: Path = typer.Option(Path("study-report"), "--out", help="folder for report.md, report.html and PNGs"),
        test_months: int = typer.Option(6, "--test-months", help="last months held out for the backtest"),
        approve_share: float = typer.Option(0.5, "--approve-share",
                                            help="with --columns: share the traditional-only policy approves"),
        as_json: bool = typer.Option(False, "--json", help="print the study as one JSON object"),
        evidence_out: Path = typer.Option(None, "--evidence-out", help="also write the credential evidence file "
                                          "the policy sizes increases by (knowledge/policy/credential_evidence.yaml)"),
    ) -> None:
        """Default rates, lift, WoE/IV by credential; adjusted effects; backtest; inclusion; fairness."""
        if columns is not None and evidence_out is not None:
            from credlift.errors import UserInputError

            raise UserInputError("--evidence-out needs a book with the credential types of the policy "
                                 "(training/risk/LOANBOOK.md), not a mapped one")
        if columns is not None:
            from credlift.training.risk.mapped_study import run_mapped_study

            report = run_mapped_study(book, columns, out, test_months=test_months, approve_share=approve_share)
        else:
            from credlift.training.risk.study import run_study

            report = run_study(book, out, test_months=test_months)
            if evidence_out is not None:
                from credlift.tools.risk.evidence import evidence_from_study, write_evidence

                write_evidence(evidence_from_study(report, f"credlift study {book.name}: {report.rows:,} applications, "
                                                           f"{report.period}"), evidence_out)
        if as_json:
            typer.echo(report.model_dump_json())
            return
        b, inc = report.backtest, report.inclusion
        typer.echo(f"{report.rows:,} applications ({report.period}), default rate {report.default_rate:.2%}")
        if columns is not None:
            for row in report.credentials:
                if row.credential_level == "all":
                    continue
                lor = ("reference" if row.log_odds_vs_reference is None else
                       f"log-odds {row.log_odds_vs_reference:+.2f} ({row.lor_ci_low:+.2f}..{row.lor_ci_high:+.2f})")
                typer.echo(f"  {row.credential_level}: {row.holders:,} holders, default rate {row.default_rate:.1%} "
                           f"({row.ci_low:.1%}..{row.ci_high:.1%}), {lor}")
            for caveat in report.caveats:
                typer.echo(f"caveat: {caveat}")
        typer.echo(f"{'out-of-time' if columns is None else report.validation}: AUC {b.auc:.3f}  KS {b.ks:.3f}  "
                   f"max calibration error {b.max_calibration_error * 100:.2f} pp  score PSI {b.psi_score:.3f}")
        typer.echo(f"inclusion ({inc.population}): traditional {inc.traditional.approved:,} at "
                   f"{inc.traditional.expected_default_rate:.2%}; credential-aware {inc.credential_matched_risk.approved:,}"
                   f" at {inc.credential_matched_risk.expected_default_rate:.2%} ({inc.uplift_matched_risk:+.0%})")
        flagged = [f"{r.attribute}={r.group}" for r in report.fairness if r.flagged]
        if report.fairness:
            typer.echo(f"fairness: {len(report.fairness)} groups, adverse-impact ratio below 0.80: "
                       f"{', '.join(flagged) or 'none'}")
        typer.echo(f"report: {report.report_html}")
