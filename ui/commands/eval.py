"""`credlift eval`: replay dialogue files and score them; ends with `N passed, M failed`."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import typer

DEFAULT_DIALOGUES = Path(__file__).resolve().parents[2] / "evals" / "dialogues"


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_(
        dialogues: Path = typer.Option(DEFAULT_DIALOGUES, "--dialogues", help="folder of *.yaml dialogue files (recursive)"),
        report: Path = typer.Option(None, "--report", help="write eval-summary.json and eval.html here"),
        trials: int = typer.Option(1, "--trials", min=1, max=20, help="run each dialogue K times; pass^k counts all-K passes"),
        via: str = typer.Option("", "--via", help="URL of a running credlift app to replay through gradio_client"),
        tags: list[str] = typer.Option(None, "--tags", help="only dialogues with one of these tags"),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="print the transcript of failures"),
        latency_clock: str = typer.Option("wall", "--latency-clock",
                                          help="how latency limits read a turn: wall (seconds waited) or work (the "
                                               "smaller of wall and CPU seconds: for a busy machine; in-process only)"),
        data_dir: Path = typer.Option(None, "--data-dir",
                                      help="in-process replay state, one folder per trial (default: a temporary folder, removed after)"),
        shard: str = typer.Option("", "--shard", metavar="K/N",
                                  help="only every N-th dialogue from the K-th (1 <= K <= N), in file order: N "
                                       "machines or test workers each replay one K and together the whole suite"),
    ) -> None:
        """Replay the dialogue suite (in-process by default) and report pass/fail per dialogue."""
        from credlift.evals.replay.format import load_suite, shard_slice
        from credlift.evals.replay.model_use import ModelUse, summary_line
        from credlift.evals.replay.report import summarise, write_report
        from credlift.evals.replay.runner import run_suite

        from credlift.errors import UserInputError

        if latency_clock not in ("wall", "work"):
            raise UserInputError(f"--latency-clock is wall or work, not '{latency_clock}'")
        if latency_clock == "work" and via:
            raise UserInputError("--latency-clock work needs the in-process replay: the app's CPU time cannot be "
                                 "read through --via")
        suite = load_suite(dialogues, tags=tags)
        if shard:
            suite = suite[slice(*shard_slice(shard))]
        if not suite:
            raise UserInputError(f"no dialogue files found in {dialogues}")
        scratch = None
        if via:
            from credlift.evals.replay.app_driver import AppDriver

            driver = AppDriver(via)
        else:
            from credlift.evals.replay.drivers import InProcessDriver

            # a fresh state per run: a second run must not see the first run's uploads as reused documents
            scratch = None if data_dir else Path(tempfile.mkdtemp(prefix="credlift-eval-"))
            driver = InProcessDriver(data_root=data_dir or scratch)

        def show(outcome) -> None:
            mark = "PASS" if outcome.passed else "FAIL"
            typer.echo(f"{mark} {outcome.id}" + (f" [trial {outcome.trial + 1}]" if trials > 1 else "")
                       + ("" if outcome.passed else f" — {outcome.failure}"))
            if verbose and not outcome.passed:
                for turn in outcome.turns:
                    typer.echo(f"    > {turn.kind}: {turn.input}")
                    for reply in turn.replies:
                        typer.echo(f"      < {reply}")

        try:
            result = run_suite(suite, driver, trials=trials, on_outcome=show, latency_clock=latency_clock)
        finally:
            if not via and scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)
        if report:
            write_report(result, report)
            typer.echo(f"report: {report / 'eval.html'}")
        use = summarise(result)["model_use"]
        if any(use.values()):  # what the models did and what the guard corrected (all 0 with no model and no upload)
            typer.echo(summary_line(ModelUse(**use)))
        typer.echo(f"{result.passed} passed, {result.failed} failed")
        if result.failed:
            raise typer.Exit(1)
