"""`credlift synth`: synthetic credential images with ground-truth labels (labels.jsonl)."""
from __future__ import annotations

from pathlib import Path

import typer


def _split(values: list[str] | None) -> list[str] | None:
    """--types cet4,cet6 and --types cet4 --types cet6 both work."""
    if not values:
        return None
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth(
        out: Path = typer.Option(..., "--out", help="directory for the images and labels.jsonl"),
        n: int = typer.Option(200, "--n", help="number of images"),
        seed: int = typer.Option(1, "--seed", help="same seed, same bytes"),
        types: list[str] = typer.Option(None, "--types", help="credential types, e.g. cet4,cet6,graduation (default: all)"),
        capture: str = typer.Option("mixed", "--capture", help="scan | photo | screenshot | mixed"),
        tamper_rate: float = typer.Option(0.0, "--tamper-rate", help="share of forged images, 0..1"),
        tamper_kinds: list[str] = typer.Option(
            None, "--tamper-kinds", help="copy_move,splice,retype,erase,metadata,ai_generated (default: all but ai_generated)"),
        workers: int = typer.Option(0, "--workers", help="processes (0: one per CPU core)"),
    ) -> None:
        """Generate certificate images (CET, graduation, degree, vocational, award, qualification) with labels."""
        import time

        from credlift.errors import UserInputError

        if seed < 0:
            raise UserInputError(f"seed must be zero or positive, not {seed}.")
        if workers < 0:
            raise UserInputError(f"workers must be zero or positive, not {workers}.")
        from credlift.evals.synth import generate_dataset

        started = time.perf_counter()
        labels = generate_dataset(out, n=n, seed=seed, types=_split(types), capture=capture, tamper_rate=tamper_rate,
                                  tamper_kinds=_split(tamper_kinds), workers=workers or None)
        tampered = sum(1 for row in labels if row["tampered"])
        typer.echo(f"wrote {len(labels)} images ({tampered} tampered) and labels.jsonl to {out} "
                   f"in {time.perf_counter() - started:.1f} s")
