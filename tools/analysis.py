"""Where an upload's analysis runs: the pipeline's read, authenticate and validate stages (tools/pipeline.py) in
this process, or on Ray workers when `CREDLIFT_RAY_ADDRESS` is set (tools/ray_analysis.py).

Both give the same results (tests/scale/test_ray_analysis.py): the Ray replicas call the same pipeline functions,
with the same settings (the driver's CREDLIFT_* environment travels with them). The upload itself is not sent:
a replica reads it from the store by content hash (`data_dir/uploads`), which is therefore shared by every app
process and worker (one machine, or a shared volume: deploy/).

    analysis = analysis_for(settings, registry)
    reading = analysis.extract(ref)                       # ref: anything with .path, .filename, .sha256
    report = analysis.authenticate(ref, reading, account_id=..., data_dir=..., overlay_dir=...)
    validation = analysis.validate(reading.credential, applicant)
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Protocol


class StoredUpload(Protocol):
    path: str
    filename: str
    sha256: str


@lru_cache(maxsize=8)
def decode_stored(path: str, filename: str, sha256: str):
    """The pipeline's intake of a stored upload, decoded once per process (an LRU by content hash)."""
    from credlift.tools import pipeline

    return pipeline.intake(Path(path), filename)


class LocalAnalysis:
    """The stages in this process (the default)."""
    where = "in-process"

    def __init__(self, registry=None) -> None:
        self.registry = registry

    def extract(self, ref: StoredUpload):
        from credlift.tools import pipeline

        # authenticate comes next, in this process: the checks of the file alone run while the page is read
        return pipeline.extract(decode_stored(ref.path, ref.filename, ref.sha256), check_meanwhile=True)

    def authenticate(self, ref: StoredUpload, reading, account_id: str | None = None, data_dir: Path | None = None,
                     overlay_dir: Path | None = None):
        from credlift.tools import pipeline

        return pipeline.authenticate(decode_stored(ref.path, ref.filename, ref.sha256), reading,
                                     account_id=account_id, data_dir=data_dir, overlay_dir=overlay_dir)

    def validate(self, credential, applicant=None):
        from credlift.tools import pipeline

        return pipeline.validate(credential, applicant=applicant, registry=self.registry)

    def close(self) -> None:
        pass


def analysis_for(settings, registry=None):
    """Ray replicas when the settings name a Ray cluster, else this process."""
    if settings.ray_address:
        from credlift.tools.ray_analysis import RayAnalysis

        return RayAnalysis.connect(settings)
    return LocalAnalysis(registry)
