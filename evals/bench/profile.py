"""A CPU profile of one pipeline stage (cProfile on the process's CPU clock, so a busy machine does not skew it):
the stage runs alone on a few images, everything before it done first and not profiled. `extract` is profiled
with the checks of the file alone that run beside the read in the app when the worker has two lanes
(tools/forensics/early.py), one after the other here so that the profiler, which sees one thread, sees them."""
from __future__ import annotations

import cProfile
import pstats
import time
from pathlib import Path

from pydantic import BaseModel, Field

# the stages that run alone as pipeline functions (tools/pipeline.py); the others need the chat app's state
PROFILABLE = ("intake", "extract", "authenticate", "validate")


class ProfileRow(BaseModel):
    function: str
    calls: int
    own_cpu_s: float
    cumulative_cpu_s: float


class StageProfile(BaseModel):
    stage: str
    images: int
    cpu_s: float = Field(description="CPU seconds of the profiled stage over all its images (profiler overhead in)")
    rows: list[ProfileRow] = Field(default_factory=list, description="functions by cumulative CPU, largest first")


def _where(key: tuple[str, int, str]) -> str:
    filename, line, name = key
    if filename == "~":
        return name  # a builtin: '<built-in method ...>'
    parts = Path(filename).parts
    for anchor in ("site-packages", "credlift", "tools", "agent", "evals"):
        if anchor in parts:
            parts = parts[parts.index(anchor) + (1 if anchor == "site-packages" else 0):]
            break
    return f"{'/'.join(parts[-3:])}:{line}({name})"


def _extract_as_the_app_does(upload) -> None:
    """The read, then (with two lanes) the checks the app runs beside it, in this thread."""
    from credlift import threads
    from credlift.tools import pipeline
    from credlift.tools.forensics.context import AnalysisContext
    from credlift.tools.forensics.early import run_early

    pipeline.extract(upload)
    if threads.lanes() > 1:
        run_early(AnalysisContext(upload=upload))


def profile_stage(stage: str, images: list[Path], top: int = 20) -> StageProfile:
    """Profiles `stage` (one of PROFILABLE) on `images`; the rows are the `top` functions by cumulative CPU."""
    from credlift.tools import pipeline

    if stage not in PROFILABLE:
        raise ValueError(f"stage {stage!r} does not run alone; profile one of {', '.join(PROFILABLE)}")
    profiler = cProfile.Profile(time.process_time)
    spent = 0.0
    for path in images:
        if stage == "intake":
            run = lambda path=path: pipeline.intake(path)  # noqa: E731
        else:
            upload = pipeline.intake(path)
            if stage == "extract":
                run = lambda upload=upload: _extract_as_the_app_does(upload)  # noqa: E731
            else:
                reading = pipeline.extract(upload)
                run = ((lambda upload=upload, reading=reading: pipeline.authenticate(upload, reading))
                       if stage == "authenticate" else (lambda reading=reading: pipeline.validate(reading.credential)))
        started = time.process_time()
        profiler.runcall(run)
        spent += time.process_time() - started
    stats = pstats.Stats(profiler)
    rows = sorted(((key, value) for key, value in stats.stats.items()), key=lambda item: -item[1][3])[:top]
    return StageProfile(stage=stage, images=len(images), cpu_s=round(spent, 3),
                        rows=[ProfileRow(function=_where(key), calls=int(value[1]), own_cpu_s=round(value[2], 4),
                                         cumulative_cpu_s=round(value[3], 4)) for key, value in rows])


def slowest_stage(stages_cpu_s: dict[str, dict]) -> str:
    """The profilable stage with the largest CPU p50 (authenticate when none was measured)."""
    measured = {s: (d.get("p50") or 0.0) for s, d in stages_cpu_s.items() if s in PROFILABLE}
    return max(measured, key=measured.get) if measured and max(measured.values()) > 0 else "authenticate"
