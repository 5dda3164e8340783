"""The per-upload analysis on Ray: a pool of replicas (Ray actors), each with the OCR engine, the forensic signals and
the fusion model loaded once, running the pipeline's read, authenticate and validate stages (tools/pipeline.py).

`CREDLIFT_RAY_ADDRESS` picks the cluster: `local` starts one inside this process on 127.0.0.1
(`CREDLIFT_RAY_NUM_CPUS` CPUs, 0 = all), anything else is passed to `ray.init(address=...)` (`auto`, `HOST:PORT`
of a head started with `ray start --head`, or `ray://HOST:10001`). Each app process gets its own
`CREDLIFT_RAY_REPLICAS` replicas of `CREDLIFT_RAY_CPUS_PER_REPLICA` CPUs. A new upload goes to the next replica in
turn and stays with it (remembered by content hash), so the image decoded for the read stage is still there for
authenticate; after a restart another replica may get it, which only costs decoding it again.

A replica receives the app's settings (as CREDLIFT_* variables: the same data folder, key and issuer registry)
and the stored upload's path, never the bytes: the upload store (`data_dir/uploads`, by content hash) is shared by
the app processes and the workers. A call that takes longer than `CREDLIFT_RAY_TIMEOUT_S` fails like any tool
failure (the applicant gets a sentence, the case log the reason).
"""
from __future__ import annotations

import os
import time
from pathlib import Path


def settings_environment(settings) -> dict[str, str]:
    """The settings as CREDLIFT_* variables (secrets included, paths absolute), for a replica's process; the
    replica itself never goes to Ray again."""
    from pydantic import SecretStr

    environment: dict[str, str] = {}
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        elif isinstance(value, Path):
            value = str(value.resolve())
        elif isinstance(value, bool):
            value = "true" if value else "false"
        elif value is None:
            continue
        environment[f"CREDLIFT_{name.upper()}"] = str(value)
    environment["CREDLIFT_RAY_ADDRESS"] = ""
    return environment


class AnalysisReplica:
    """One worker's models and stages (a Ray actor; also usable directly, which is how it is tested)."""

    def __init__(self, environment: dict[str, str], threads: int = 1) -> None:
        os.environ.update(environment)
        from credlift import threads as pools
        from credlift.settings import get_settings, reset_settings_cache
        from credlift.tools.issuers import registry_for
        from credlift.tools.pipeline import warm_up

        reset_settings_cache()
        pools.apply(threads)
        started = time.perf_counter()
        warm_up()                 # the OCR engine's sessions, the checks' models and the fusion
        self.registry = registry_for(get_settings())
        self.load_s = round(time.perf_counter() - started, 3)

    def extract(self, path: str, filename: str, sha256: str):
        from credlift.tools import pipeline
        from credlift.tools.analysis import decode_stored

        return pipeline.extract(decode_stored(path, filename, sha256))

    def authenticate(self, path: str, filename: str, sha256: str, reading, account_id: str | None,
                     data_dir: str | None, overlay_dir: str | None):
        from credlift.tools import pipeline
        from credlift.tools.analysis import decode_stored

        return pipeline.authenticate(decode_stored(path, filename, sha256), reading, account_id=account_id,
                                     data_dir=Path(data_dir) if data_dir else None,
                                     overlay_dir=Path(overlay_dir) if overlay_dir else None)

    def validate(self, credential, applicant=None):
        from credlift.tools import pipeline

        return pipeline.validate(credential, applicant=applicant, registry=self.registry)

    def check(self, path: str, applicant=None, data_dir: str | None = None):
        """`credlift check` on one file (tools/extraction/check.py): the four stages, nothing stored."""
        from credlift.tools.extraction.check import check_file

        return check_file(Path(path), applicant=applicant, data_dir=Path(data_dir) if data_dir else None,
                          registry=self.registry)

    def usage(self) -> dict:
        """This replica's process: its id, CPU seconds so far and model loading time (for the bench)."""
        return {"pid": os.getpid(), "cpu_s": time.process_time(), "load_s": self.load_s}


def ensure_ray(settings):
    """Ray connected as the settings say (once per process); returns the `ray` module."""
    import ray

    if ray.is_initialized():
        return ray
    if settings.ray_address == "local":
        ray.init(address="local", num_cpus=settings.ray_num_cpus or None, include_dashboard=False,
                 log_to_driver=False, _node_ip_address="127.0.0.1", configure_logging=False)
    else:
        ray.init(address=settings.ray_address, log_to_driver=False, configure_logging=False)
    return ray


class RayAnalysis:
    """The stages on a pool of replicas; the same methods as tools.analysis.LocalAnalysis."""
    where = "ray"

    def __init__(self, ray, replicas: list, settings) -> None:
        import threading
        from collections import OrderedDict

        self._ray, self.replicas, self.settings = ray, replicas, settings
        self.timeout_s = settings.ray_timeout_s
        self._assigned: OrderedDict[str, int] = OrderedDict()  # content hash -> replica, the most recent 4096
        self._turn = 0
        self._lock = threading.Lock()

    @classmethod
    def connect(cls, settings, replicas: int | None = None) -> "RayAnalysis":
        ray = ensure_ray(settings)
        cpus = settings.ray_cpus_per_replica
        remote = ray.remote(num_cpus=cpus, max_restarts=2, max_task_retries=1)(AnalysisReplica)
        environment = settings_environment(settings)
        pool = [remote.remote(environment, max(1, int(cpus))) for _ in range(replicas or settings.ray_replicas)]
        analysis = cls(ray, pool, settings)
        analysis._ray.get([replica.usage.remote() for replica in pool], timeout=max(analysis.timeout_s, 300.0))
        return analysis

    def replica_for(self, sha256: str | None = None):
        """The replica this upload went to before, else the next in turn."""
        with self._lock:
            index = self._assigned.get(sha256) if sha256 else None
            if index is None:
                index, self._turn = self._turn % len(self.replicas), self._turn + 1
            if sha256:
                self._assigned[sha256] = index
                self._assigned.move_to_end(sha256)
                while len(self._assigned) > 4096:
                    self._assigned.popitem(last=False)
        return self.replicas[index]

    def _get(self, reference):
        return self._ray.get(reference, timeout=self.timeout_s)

    def extract(self, ref):
        return self._get(self.replica_for(ref.sha256).extract.remote(_absolute(ref.path), ref.filename, ref.sha256))

    def authenticate(self, ref, reading, account_id: str | None = None, data_dir: Path | None = None,
                     overlay_dir: Path | None = None):
        return self._get(self.replica_for(ref.sha256).authenticate.remote(
            _absolute(ref.path), ref.filename, ref.sha256, reading, account_id, _absolute(data_dir),
            _absolute(overlay_dir)))

    def validate(self, credential, applicant=None):
        return self._get(self.replica_for().validate.remote(credential, applicant))

    def usage(self) -> list[dict]:
        return self._get([replica.usage.remote() for replica in self.replicas])

    def close(self) -> None:
        for replica in self.replicas:
            self._ray.kill(replica)
        self.replicas = []


def _absolute(path) -> str | None:
    return str(Path(path).resolve()) if path else None

