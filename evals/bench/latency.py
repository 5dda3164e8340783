"""Time to decision: each certificate uploaded through `CredliftService.upload` on a fresh account, with the
time of every stage read from the progress lines the service emits as each node starts."""
from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel, Field

from credlift.evals.bench.applicants import applicant_for
from credlift.evals.bench.datasets import labelled_images
from credlift.evals.bench.service import service_on
from credlift.evals.bench.stats import describe

STAGES = ("intake", "authenticate", "extract", "validate", "assess", "decide", "explain", "budget")


class UploadTiming(BaseModel):
    file: str
    capture: str
    credential_type: str
    total_s: float
    cpu_s: float = Field(default=0.0, description="CPU time of this process (all threads) during the upload")
    stages_s: dict[str, float] = Field(default_factory=dict)
    decision: str = "none"


class LatencyResult(BaseModel):
    uploads: list[UploadTiming]
    warmup_uploads: int
    total_s: dict = Field(description="time to decision (upload call to result), all captures")
    by_capture: dict[str, dict] = Field(default_factory=dict, description="time to decision per capture style")
    cpu_s: dict = Field(default_factory=dict, description="CPU seconds per upload: what an application costs, whatever the load")
    stages_s: dict[str, dict] = Field(default_factory=dict, description="per stage p50/p95")


def _stage_of_progress(lang: str) -> dict[str, str]:
    from credlift.prompts import has_reply, reply

    return {reply(f"progress.{stage}", lang): stage for stage in STAGES if has_reply(f"progress.{stage}", lang)}


def time_upload(service, image: Path, label: dict, lang: str = "zh") -> UploadTiming:
    """One application: a fresh account, a greeting, then the upload timed from call to decision."""
    stage_of = _stage_of_progress(lang)
    profile = service.create_account(applicant_for(label, "latency"))
    thread_id = service.start(profile.account_id, lang=lang).thread_id
    marks: list[tuple[str, float]] = []
    data = image.read_bytes()
    cpu_started = time.process_time()
    started = time.perf_counter()
    result = service.upload(thread_id, [(image.name, data)],
                            on_progress=lambda line: marks.append((stage_of.get(line, line), time.perf_counter())))
    finished = time.perf_counter()
    cpu = time.process_time() - cpu_started
    stages: dict[str, float] = {}
    # a stage lasts from its own progress line to the next one (the last until the result is back)
    for (stage, at), (_, following) in zip(marks, [*marks[1:], ("end", finished)]):
        stages[stage] = round(stages.get(stage, 0.0) + following - at, 4)
    if marks:
        stages["before_first_stage"] = round(marks[0][1] - started, 4)
    return UploadTiming(file=image.name, capture=str(label.get("capture", "unknown")),
                        credential_type=str(label.get("type", "")), total_s=round(finished - started, 4),
                        cpu_s=round(cpu, 4), stages_s=stages, decision=result.decision.kind if result.decision else "none")


def measure_latency(dataset: Path, state_dir: Path, limit: int, warmup: int = 1, progress=None) -> LatencyResult:
    images = labelled_images(dataset)[: limit + warmup]
    timings: list[UploadTiming] = []
    with service_on(state_dir) as service:
        for index, (path, label) in enumerate(images):
            timing = time_upload(service, path, label)
            if index >= warmup:
                timings.append(timing)
            if progress:
                progress(f"latency {index + 1}/{len(images)}: {timing.total_s:.2f}s ({timing.capture})")
    captures = sorted({t.capture for t in timings})
    stage_names = [s for s in (*STAGES, "before_first_stage") if any(s in t.stages_s for t in timings)]
    return LatencyResult(
        uploads=timings, warmup_uploads=warmup, total_s=describe([t.total_s for t in timings]),
        cpu_s=describe([t.cpu_s for t in timings]),
        by_capture={c: describe([t.total_s for t in timings if t.capture == c]) for c in captures},
        stages_s={s: describe([t.stages_s[s] for t in timings if s in t.stages_s]) for s in stage_names})
