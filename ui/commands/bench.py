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
        load: int = typer.Option(0, "--load", help="instead: N sequential uploads in one app process, its memory "
                                                   "read after each (bench-load.json/html; e.g. --load 500)"),
        load_warmup: int = typer.Option(50, "--load-warmup", help="uploads before the reference memory reading"),
    ) -> None:
        """Measure time to decision, throughput (1 and 2 workers), peak memory, and peers side by side."""
        if load:
            _load(load, load_warmup, work_dir, report, seed)
            return
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
        same = summary["scaling"]["same_threads"]
        typer.echo(f"{same['workers']} workers on {same['threads_per_worker']} thread(s) each: {fmt(same['speedup'])}x "
                   f"one worker on as many ({fmt(same['one_worker']['applications_per_minute'])} applications/min)")
        promise = summary["promise"]
        typer.echo(f"the header promises a decision within {promise['header_s']:.0f} s: p95 "
                   f"{fmt(promise['p95_s'])} s, {'kept' if promise['kept'] else 'NOT kept'}")
        if summary.get("scale"):
            scale = summary["scale"]
            typer.echo(f"scale (Ray): {fmt(figures['uploads_per_minute_ray_1_replica'])} / "
                       f"{fmt(figures['uploads_per_minute_ray_2_replicas'])} uploads/min with 1 / 2 replicas; overhead "
                       f"per upload CPU {fmt(scale['overhead_cpu'])}, wall {fmt(scale['overhead_wall'])}; "
                       f"{fmt(figures['cores_for_1000_uploads_per_minute'])} cores for 1000 uploads/min")
        typer.echo(f"report: {report / 'bench.html'}")


def _load(uploads: int, warmup: int, work_dir: Path, report: Path, seed: int) -> None:
    from credlift.errors import UserInputError
    from credlift.evals.bench.datasets import DatasetSpec, ensure_dataset
    from credlift.evals.bench.load import measure_load, write_load_report

    if uploads < 2:
        raise UserInputError("--load needs at least 2 uploads")
    images = ensure_dataset(work_dir, DatasetSpec(name="phone", n=min(uploads, 40) + 2, seed=seed, capture="photo"))
    typer.echo(f"{uploads} sequential uploads in one app process ...", err=True)
    run = measure_load(images, work_dir / "state" / "load", uploads=uploads, warmup=warmup)
    page = write_load_report(run, report)
    typer.echo(f"RSS after {run.warmup} uploads {run.rss_after_warmup_mb:.1f} MiB, after {run.uploads} "
               f"{run.rss_at_end_mb:.1f} MiB: growth {run.growth_after_warmup:+.1%} (target <= {run.target:.0%}, "
               f"{'met' if run.met else 'NOT met'}); CPU {run.cpu_s:.0f} s, wall {run.wall_s:.0f} s")
    typer.echo(f"report: {page}")


def fmt(value) -> str:
    return "-" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)
