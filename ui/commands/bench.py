"""`credlift bench`: time to decision, throughput, memory and peer comparisons, written to one report."""
from __future__ import annotations

from pathlib import Path

import typer


def _parse_sizes(values: list[str] | None) -> dict[str, int]:
    from credlift.errors import UserInputError
    from credlift.evals.bench.run import BenchSizes

    known = set(BenchSizes.model_fields)
    sizes: dict[str, int] = {}
    for item in ",".join(values or []).split(","):
        if not item.strip():
            continue
        name, _, count = item.partition("=")
        name = name.strip()
        if name not in known:
            raise UserInputError(f"unknown size '{name}'; use name=count with names {', '.join(sorted(known))}")
        if not count.strip().isdigit() or int(count) < 1:
            raise UserInputError(f"size '{name}' needs a whole number of at least 1, got '{count}'")
        sizes[name] = int(count)
    return sizes


def register(app: typer.Typer) -> None:
    @app.command("bench")
    def bench(
        report: Path = typer.Option(Path("reports"), "--report", help="write bench-summary.json and bench.html here"),
        quick: bool = typer.Option(False, "--quick", help="small sizes (CI): a few uploads and images per benchmark"),
        sizes: list[str] = typer.Option(None, "--sizes",
                                        help="override sizes, e.g. latency=60,throughput=40,reading=40,authenticity=160,decisions=2000"),
        work_dir: Path = typer.Option(Path("data") / "bench", "--work-dir", help="cached image sets and benchmark state"),
        seed: int = typer.Option(20261124, "--seed", help="seed of the generated image sets"),
    ) -> None:
        """Measure time to decision, throughput (1 and 2 workers), peak memory, and peers side by side."""
        from credlift.evals.bench.run import BenchSizes, run_bench

        overrides = _parse_sizes(sizes)
        chosen = (BenchSizes.quick() if quick else BenchSizes()).with_overrides(overrides)
        if chosen.throughput < 2:
            from credlift.errors import UserInputError

            raise UserInputError("throughput needs at least 2 applications (one per worker)")
        summary = run_bench(chosen, work_dir, report, seed=seed, progress=lambda line: typer.echo(line, err=True))
        figures = summary["figures"]
        for key, target in summary["targets"].items():
            typer.echo(f"{key}: {fmt(target['measured'])} (target {target['target']}, {'met' if target['met'] else 'NOT met'})")
        typer.echo(f"time to decision p50 {fmt(figures['time_to_decision_p50_s'])} s; "
                   f"1 worker {fmt(figures['applications_per_minute_1_worker'])} applications/min")
        typer.echo(f"report: {report / 'bench.html'}")


def fmt(value) -> str:
    return "-" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)
