"""Applications per minute with 1 and 2 worker processes, each with its own service and data folder.

Every worker imports the app, builds its service and uploads one warm-up certificate before a shared start
signal; only the uploads after the signal count. A worker also reports its peak memory (RSS), which is the
memory of one app process under load.
"""
from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

from pydantic import BaseModel, Field

from credlift.evals.bench.datasets import labelled_images

WORKER_TIMEOUT_S = 1800


class WorkerReport(BaseModel):
    worker: int
    applications: int
    busy_s: float
    cpu_s: float = Field(default=0.0, description="CPU seconds of this worker process over its counted uploads")
    peak_rss_mb: float
    threads: int = Field(default=0, description="the thread budget this worker's library pools ran with")
    decisions: dict[str, int] = Field(default_factory=dict)
    error: str = ""


class ThroughputRun(BaseModel):
    workers: int
    applications: int
    wall_s: float
    applications_per_minute: float
    peak_rss_mb: float = Field(description="largest peak RSS of one worker process")
    cpu_s_per_application: float = Field(default=0.0, description="the workers' CPU seconds over the applications")
    worker_reports: list[WorkerReport]


def _worker(index: int, jobs: list[tuple[str, dict]], warmup: tuple[str, dict], state_dir: str,
            ready, start, results) -> None:
    try:
        from credlift.evals.bench.latency import time_upload
        from credlift.evals.bench.memory import peak_rss_mb
        from credlift.evals.bench.service import service_on

        from credlift import threads

        with service_on(Path(state_dir)) as service:
            time_upload(service, Path(warmup[0]), warmup[1])
            ready.release()
            start.wait()
            began, cpu_began = time.perf_counter(), time.process_time()
            decisions: dict[str, int] = {}
            for path, label in jobs:
                timing = time_upload(service, Path(path), label)
                decisions[timing.decision] = decisions.get(timing.decision, 0) + 1
            results.put(WorkerReport(worker=index, applications=len(jobs), busy_s=round(time.perf_counter() - began, 3),
                                     cpu_s=round(time.process_time() - cpu_began, 3), peak_rss_mb=peak_rss_mb(), threads=threads.current(),
                                     decisions=decisions).model_dump())
    except Exception as error:  # reported to the parent, which fails the run with the reason
        ready.release()
        results.put(WorkerReport(worker=index, applications=0, busy_s=0.0, peak_rss_mb=0.0,
                                 error=f"{type(error).__name__}: {error}").model_dump())


def measure_throughput(dataset: Path, state_dir: Path, workers: int, applications: int) -> ThroughputRun:
    """`applications` uploads shared round-robin between `workers` processes; wall time from the start signal."""
    images = [(str(p), row) for p, row in labelled_images(dataset)]
    warmup, pool = images[0], images[1:]
    if not pool:
        raise ValueError("the throughput set needs at least two images")
    jobs = [pool[i % len(pool)] for i in range(applications)]
    shares = [jobs[w::workers] for w in range(workers)]
    context = multiprocessing.get_context("spawn")
    ready, start, results = context.Semaphore(0), context.Event(), context.Queue()
    processes = [context.Process(target=_worker, args=(w, shares[w], warmup, str(state_dir / f"worker-{w + 1}"),
                                                       ready, start, results), daemon=True)
                 for w in range(workers)]
    # each worker sizes its thread pools from the cores and the workers sharing them (credlift/threads.py)
    previous = os.environ.get("CREDLIFT_WORKERS")
    os.environ["CREDLIFT_WORKERS"] = str(workers)
    try:
        for process in processes:
            process.start()
    finally:
        if previous is None:
            os.environ.pop("CREDLIFT_WORKERS", None)
        else:
            os.environ["CREDLIFT_WORKERS"] = previous
    for _ in processes:
        ready.acquire(timeout=WORKER_TIMEOUT_S)
    began = time.perf_counter()
    start.set()
    reports = [WorkerReport.model_validate(results.get(timeout=WORKER_TIMEOUT_S)) for _ in processes]
    wall = time.perf_counter() - began
    for process in processes:
        process.join(timeout=30)
    failed = [r.error for r in reports if r.error]
    if failed:
        raise RuntimeError(f"a throughput worker failed: {failed[0]}")
    done = sum(r.applications for r in reports)
    return ThroughputRun(workers=workers, applications=done, wall_s=round(wall, 3),
                         applications_per_minute=round(done / wall * 60.0, 2),
                         peak_rss_mb=max(r.peak_rss_mb for r in reports),
                         cpu_s_per_application=round(sum(r.cpu_s for r in reports) / max(1, done), 3),
                         worker_reports=sorted(reports, key=lambda r: r.worker))
