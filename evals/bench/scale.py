"""The scale section of `credlift bench` (issue 27): the per-upload analysis (read, authenticate, validate) on Ray
replicas against the same analysis in-process, and what 1,000 uploads a minute would take.

- overhead: the same uploads, one at a time, alternately in-process and on one Ray replica; wall seconds and CPU
  seconds per upload (on Ray: this process's CPU plus the replica's), and the Ray path's extra as a fraction
- throughput: the uploads through 1 and 2 replicas, as many in flight as twice the replicas; uploads per minute
  and CPU seconds per upload
- estimate: cores for 1,000 uploads a minute = CPU seconds per upload x 1000 / 60 / the utilisation a cluster is
  run at, for the analysis workers (the replicas' CPU per upload) and for the app processes (a whole application's
  CPU minus the analysis, plus the Ray client's share)

Each run has its own data folder, so the reuse check never sees an upload from another run. A local Ray instance
(127.0.0.1, `cpus` CPUs) is started for the section and shut down after it.
"""
from __future__ import annotations

import hashlib
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

UPLOADS_PER_MINUTE_GOAL = 1000
UTILISATION = 0.7  # a cluster sized to run at 70 % CPU keeps headroom for peaks and retries


@dataclass(frozen=True)
class Stored:
    path: str
    filename: str
    sha256: str


class PathCost(BaseModel):
    uploads: int
    wall_s_per_upload: float
    cpu_s_per_upload: float


class ScaleRun(BaseModel):
    replicas: int
    uploads: int
    wall_s: float
    uploads_per_minute: float
    cpu_s_per_upload: float = Field(description="the replicas' and this process's CPU seconds over the uploads")
    replica_cpu_s_per_upload: float
    replica_load_s: float = Field(description="model loading in one replica, before the clock starts")


class ScaleReport(BaseModel):
    uploads: int
    cpus: int
    in_process: PathCost
    on_ray: PathCost
    overhead_wall: float = Field(description="Ray path's wall time per upload over in-process, minus 1")
    overhead_cpu: float = Field(description="Ray path's CPU seconds per upload over in-process, minus 1")
    runs: dict[str, ScaleRun]
    speedup_2_replicas: float | None
    estimate: dict


def _store(paths: list[Path], data_dir: Path) -> list[Stored]:
    from credlift.tools.intake import store_bytes

    stored = []
    for path in paths:
        data = path.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        stored.append(Stored(str(store_bytes(data, data_dir, sha256)), path.name, sha256))
    return stored


def _chain(analysis, ref: Stored, applicant, data_dir: Path):
    reading = analysis.extract(ref)
    analysis.authenticate(ref, reading, account_id=applicant.account_id, data_dir=data_dir,
                          overlay_dir=data_dir / "overlays")
    analysis.validate(reading.credential, applicant)


def _settings(state_dir: Path, name: str, cpus: int, replicas: int = 1):
    from credlift.settings import Settings

    settings = Settings(data_dir=state_dir / name, ray_address="local", ray_num_cpus=cpus, ray_replicas=replicas)
    settings.ensure_dirs()
    return settings


def _warm(analysis, ref: Stored, applicant, data_dir: Path) -> None:
    """Every replica analyses the warm-up upload once (first-call costs out of the measurement)."""
    ray = analysis._ray
    for replica in analysis.replicas:
        reading = ray.get(replica.extract.remote(ref.path, ref.filename, ref.sha256))
        ray.get(replica.authenticate.remote(ref.path, ref.filename, ref.sha256, reading, applicant.account_id,
                                            str(data_dir.resolve()), None))
        ray.get(replica.validate.remote(reading.credential, applicant))


def _replica_cpu(analysis) -> float:
    return sum(usage["cpu_s"] for usage in analysis.usage())


def measure_scale(dataset: Path, state_dir: Path, uploads: int, cpus: int = 2,
                  application_cpu_s: float | None = None, progress=print) -> ScaleReport:
    from credlift.evals.bench.datasets import labelled_images
    from credlift.tools.accounts import AccountStore
    from credlift.tools.analysis import LocalAnalysis
    from credlift.tools.issuers import registry_for
    from credlift.tools.ray_analysis import RayAnalysis, ensure_ray

    images = [path for path, _ in labelled_images(dataset)]
    if len(images) < 2:
        raise ValueError("the scale set needs at least two images")
    warmup_path, pool = images[0], images[1:]
    chosen = [pool[i % len(pool)] for i in range(uploads)]
    state_dir = Path(state_dir)
    local_settings = _settings(state_dir, "in-process", cpus)
    applicant = AccountStore.for_settings(local_settings).get("demo-graduate-03")
    ray = ensure_ray(local_settings)
    try:
        # overhead: one upload at a time, alternately here and on one replica
        progress("scale: Ray path overhead, one upload at a time ...")
        local = LocalAnalysis(registry_for(local_settings))
        here_refs = _store([warmup_path, *chosen], local_settings.data_dir)
        ray_settings = _settings(state_dir, "ray-sequential", cpus)
        remote = RayAnalysis.connect(ray_settings, replicas=1)
        ray_refs = _store([warmup_path, *chosen], ray_settings.data_dir)
        _chain(local, here_refs[0], applicant, local_settings.data_dir)
        _warm(remote, ray_refs[0], applicant, ray_settings.data_dir)
        here_wall = here_cpu = there_wall = there_cpu = 0.0
        replica_before = _replica_cpu(remote)
        for here_ref, ray_ref in zip(here_refs[1:], ray_refs[1:]):
            wall, cpu = time.perf_counter(), time.process_time()
            _chain(local, here_ref, applicant, local_settings.data_dir)
            here_wall += time.perf_counter() - wall
            here_cpu += time.process_time() - cpu
            wall, cpu = time.perf_counter(), time.process_time()
            _chain(remote, ray_ref, applicant, ray_settings.data_dir)
            there_wall += time.perf_counter() - wall
            there_cpu += time.process_time() - cpu
        there_cpu += _replica_cpu(remote) - replica_before
        remote.close()
        in_process = PathCost(uploads=uploads, wall_s_per_upload=round(here_wall / uploads, 4),
                              cpu_s_per_upload=round(here_cpu / uploads, 4))
        on_ray = PathCost(uploads=uploads, wall_s_per_upload=round(there_wall / uploads, 4),
                          cpu_s_per_upload=round(there_cpu / uploads, 4))

        runs: dict[str, ScaleRun] = {}
        for replicas in (1, 2):
            progress(f"scale: throughput with {replicas} Ray replica(s) ...")
            settings = _settings(state_dir, f"ray-{replicas}", cpus, replicas)
            analysis = RayAnalysis.connect(settings, replicas=replicas)
            refs = _store([warmup_path, *chosen], settings.data_dir)
            _warm(analysis, refs[0], applicant, settings.data_dir)
            load_s = max(usage["load_s"] for usage in analysis.usage())
            replica_before, cpu = _replica_cpu(analysis), time.process_time()
            began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=2 * replicas) as pool_:
                list(pool_.map(lambda ref: _chain(analysis, ref, applicant, settings.data_dir), refs[1:]))
            wall = time.perf_counter() - began
            replica_cpu = _replica_cpu(analysis) - replica_before
            driver_cpu = time.process_time() - cpu
            analysis.close()
            runs[str(replicas)] = ScaleRun(
                replicas=replicas, uploads=uploads, wall_s=round(wall, 3),
                uploads_per_minute=round(uploads / wall * 60.0, 2),
                cpu_s_per_upload=round((replica_cpu + driver_cpu) / uploads, 4),
                replica_cpu_s_per_upload=round(replica_cpu / uploads, 4), replica_load_s=load_s)
    finally:
        ray.shutdown()
    one = runs["1"].uploads_per_minute
    return ScaleReport(uploads=uploads, cpus=cpus, in_process=in_process, on_ray=on_ray,
                       overhead_wall=round(on_ray.wall_s_per_upload / in_process.wall_s_per_upload - 1.0, 4),
                       overhead_cpu=round(on_ray.cpu_s_per_upload / in_process.cpu_s_per_upload - 1.0, 4),
                       runs=runs, speedup_2_replicas=round(runs["2"].uploads_per_minute / one, 3) if one else None,
                       estimate=estimate_cores(runs["2"], in_process, application_cpu_s))


def estimate_cores(run: ScaleRun, in_process: PathCost, application_cpu_s: float | None) -> dict:
    """Cores for UPLOADS_PER_MINUTE_GOAL, from measured CPU seconds per upload, at UTILISATION."""
    per_second = UPLOADS_PER_MINUTE_GOAL / 60.0
    worker_cpu = run.replica_cpu_s_per_upload
    client_cpu = max(0.0, run.cpu_s_per_upload - run.replica_cpu_s_per_upload)
    # the app's own share of an application: everything but the analysis, plus the Ray client's work
    app_cpu = (max(0.0, application_cpu_s - in_process.cpu_s_per_upload) + client_cpu
               if application_cpu_s is not None else None)
    workers = worker_cpu * per_second / UTILISATION
    apps = app_cpu * per_second / UTILISATION if app_cpu is not None else None
    return {"uploads_per_minute": UPLOADS_PER_MINUTE_GOAL, "utilisation": UTILISATION,
            "worker_cpu_s_per_upload": worker_cpu, "app_cpu_s_per_application": (round(app_cpu, 4)
                                                                                  if app_cpu is not None else None),
            "busy_worker_cores": round(worker_cpu * per_second, 2),
            "worker_cores": round(workers, 1), "app_cores": round(apps, 1) if apps is not None else None,
            "total_cores": round(workers + (apps or 0.0), 1)}
