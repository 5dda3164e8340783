"""Memory over a long run: one app process takes N sequential uploads; its RSS is read after each one.

`credlift bench --load` writes bench-load.json and bench-load.html (RSS per upload, with the warm-up mark). The
target (issue 32): RSS after N uploads within 10% of its value after the warm-up (50 uploads by default). The
uploads run in a spawned process of their own, so the figure is an app process's memory, not the bench's.
Images are cycled from a generated phone-photo set, each on a fresh account (as a real stream would: most
certificates are new; repeated ones go through the reuse index like any other).
"""
from __future__ import annotations

import base64
import html
import io
import json
import multiprocessing
import time
from pathlib import Path

from pydantic import BaseModel, Field

GROWTH_TARGET = 0.10
LOAD_TIMEOUT_S = 6 * 3600


class LoadRun(BaseModel):
    uploads: int
    warmup: int = Field(description="uploads before the reference reading")
    rss_mb: list[float] = Field(description="resident set size after each upload (MiB)")
    rss_after_warmup_mb: float
    rss_at_end_mb: float
    growth_after_warmup: float = Field(description="(end - after warm-up) / after warm-up")
    target: float = GROWTH_TARGET
    met: bool
    peak_rss_mb: float
    wall_s: float
    cpu_s: float
    decisions: dict[str, int] = Field(default_factory=dict)
    load_average_1m_at_start: float
    error: str = ""


def _run(images: list[tuple[str, dict]], uploads: int, state_dir: str, results) -> None:
    try:
        import psutil

        from credlift.evals.bench.latency import time_upload
        from credlift.evals.bench.memory import peak_rss_mb
        from credlift.evals.bench.service import service_on

        process = psutil.Process()
        rss: list[float] = []
        decisions: dict[str, int] = {}
        wall, cpu = time.perf_counter(), time.process_time()
        with service_on(Path(state_dir)) as service:
            for index in range(uploads):
                path, label = images[index % len(images)]
                timing = time_upload(service, Path(path), label)
                decisions[timing.decision] = decisions.get(timing.decision, 0) + 1
                rss.append(round(process.memory_info().rss / 2**20, 1))
        results.put({"rss_mb": rss, "decisions": decisions, "peak_rss_mb": peak_rss_mb(),
                     "wall_s": round(time.perf_counter() - wall, 1), "cpu_s": round(time.process_time() - cpu, 1)})
    except Exception as error:  # reported to the parent, which fails the run with the reason
        results.put({"error": f"{type(error).__name__}: {error}"})


def measure_load(dataset: Path, state_dir: Path, uploads: int, warmup: int = 50) -> LoadRun:
    import os

    from credlift.evals.bench.datasets import labelled_images

    if uploads < 2:
        raise ValueError("a load run needs at least 2 uploads")
    warmup = max(1, min(warmup, uploads // 2))
    images = [(str(p), row) for p, row in labelled_images(dataset)]
    load_at_start = round(os.getloadavg()[0], 2)
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_run, args=(images, uploads, str(state_dir), results), daemon=True)
    process.start()
    try:
        outcome = results.get(timeout=LOAD_TIMEOUT_S)
    finally:
        process.join(timeout=60)
        if process.is_alive():
            process.kill()
    if outcome.get("error"):
        raise RuntimeError(f"the load run failed: {outcome['error']}")
    rss = outcome["rss_mb"]
    reference, end = rss[warmup - 1], rss[-1]
    growth = round((end - reference) / reference, 4)
    return LoadRun(uploads=uploads, warmup=warmup, rss_mb=rss, rss_after_warmup_mb=reference, rss_at_end_mb=end,
                   growth_after_warmup=growth, met=growth <= GROWTH_TARGET, peak_rss_mb=outcome["peak_rss_mb"],
                   wall_s=outcome["wall_s"], cpu_s=outcome["cpu_s"], decisions=outcome["decisions"],
                   load_average_1m_at_start=load_at_start)


def write_load_report(run: LoadRun, directory: Path) -> Path:
    """bench-load.json and a self-contained bench-load.html (the RSS curve as a base64 PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "bench-load.json").write_text(run.model_dump_json(indent=2), encoding="utf-8")
    figure, axis = plt.subplots(figsize=(9, 3.4))
    axis.plot(range(1, run.uploads + 1), run.rss_mb, color="#4a7ab5")
    axis.axvline(run.warmup, color="#888", linestyle=":", label=f"after warm-up ({run.warmup})")
    axis.axhline(run.rss_after_warmup_mb * (1 + run.target), color="#c0392b", linestyle="--",
                 label=f"+{run.target:.0%} of the warm-up value")
    axis.set(title="app process memory over sequential uploads", xlabel="uploads", ylabel="RSS (MiB)")
    axis.legend()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    image = base64.b64encode(buffer.getvalue()).decode()
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td data-key='{k}'>{html.escape(str(v))}</td></tr>"
                   for k, v in run.model_dump(exclude={"rss_mb"}).items())
    page = (f"<!doctype html><meta charset='utf-8'><title>credlift bench --load</title>"
            f"<h1>Memory over {run.uploads} uploads</h1><p>Growth after warm-up: "
            f"<b>{run.growth_after_warmup:+.1%}</b> (target at most {run.target:.0%}: "
            f"{'met' if run.met else 'NOT met'}).</p><img alt='RSS per upload' src='data:image/png;base64,{image}'>"
            f"<table>{rows}</table>")
    path = directory / "bench-load.html"
    path.write_text(page, encoding="utf-8")
    return path


def load_summary(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))
