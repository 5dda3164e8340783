"""`credlift extraction ...`: evaluate extraction on a labelled set, seed the local issuer registry."""
from __future__ import annotations

import json
from pathlib import Path

import typer

extraction_app = typer.Typer(help="Credential extraction: evaluation and the local issuer registry.", no_args_is_help=True)


@extraction_app.command("evaluate")
def evaluate(data: Path = typer.Option(..., "--data", help="a folder made by `credlift synth` (labels.jsonl + images)"),
             limit: int = typer.Option(0, "--limit", help="only the first N images (0: all)"),
             as_json: bool = typer.Option(False, "--json", help="print the evaluation as JSON"),
             misses: int = typer.Option(0, "--misses", help="also print the first N misread fields")) -> None:
    """Type accuracy, exact match per field and time per image on a labelled set."""
    from credlift.tools.extraction.ocr import warm_up
    from credlift.tools.extraction.evaluation import evaluate_extraction

    warm_up()  # model loading is not per-image time
    evaluation = evaluate_extraction(data, limit=limit or None)
    if as_json:
        typer.echo(json.dumps(evaluation.model_dump(), ensure_ascii=False))
        return
    typer.echo(evaluation.summary())
    for key, value in evaluation.field_accuracy.items():
        typer.echo(f"  {key:<22}{value:7.1%}  (n={evaluation.field_counts[key]})")
    if evaluation.type_confusions:
        typer.echo("  type confusions: " + ", ".join(f"{k} x{v}" for k, v in evaluation.type_confusions.items()))
    for miss in evaluation.misses[:misses]:
        typer.echo(f"  miss {miss.file} {miss.field}: expected {miss.expected!r}, read {miss.read!r}")


@extraction_app.command("seed-registry")
def seed_registry(labels: Path = typer.Option(..., "--labels", help="a synthetic labels.jsonl")) -> None:
    """Adds the certificates of a synthetic set to the local issuer registry (as issued)."""
    from credlift.settings import get_settings
    from credlift.tools.registry import LocalRegistry

    settings = get_settings()
    settings.ensure_dirs()
    registry = LocalRegistry.for_settings(settings)
    added = registry.seed_from_labels(labels)
    typer.echo(f"{added} certificates added; the registry in {registry.where} now holds {registry.count()}")


def register(app: typer.Typer) -> None:
    app.add_typer(extraction_app, name="extraction")
