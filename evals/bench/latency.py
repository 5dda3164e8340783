"""Time to decision: each certificate uploaded through `CredliftService.upload` on a fresh account, with the
time of every stage read from the progress lines the service emits as each node starts (wall and CPU), and the
time of every authenticity check from the report (`AuthenticityReport.timings_ms`, collected as each report is made)."""
from __future__ import annotations

import time
from contextlib import contextmanager
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
    stages_cpu_s: dict[str, float] = Field(default_factory=dict, description="CPU time of this process per stage")
    checks_ms: dict[str, dict[str, float]] = Field(default_factory=dict, description="per authenticity check run: "
                                                   "wall and cpu milliseconds")
    skipped: list[str] = Field(default_factory=list, description="checks the cascade did not run")
    decision: str = "none"


class LatencyResult(BaseModel):
    uploads: list[UploadTiming]
    warmup_uploads: int
    total_s: dict = Field(description="time to decision (upload call to result), all captures")
    by_capture: dict[str, dict] = Field(default_factory=dict, description="time to decision per capture style")
    cpu_s: dict = Field(default_factory=dict, description="CPU seconds per upload: what an application costs, whatever the load")
    stages_s: dict[str, dict] = Field(default_factory=dict, description="per stage p50/p95")
    stages_cpu_s: dict[str, dict] = Field(default_factory=dict, description="per stage CPU seconds p50/p95/mean")
    checks_cpu_ms: dict[str, dict] = Field(default_factory=dict, description="per authenticity check, CPU ms over "
                                           "the uploads it ran on")
    checks_wall_ms: dict[str, dict] = Field(default_factory=dict, description="per authenticity check, wall ms")
    checks_skipped: dict[str, int] = Field(default_factory=dict, description="uploads on which the cascade skipped "
                                           "each check")


def _stage_of_progress(lang: str) -> dict[str, str]:
    from credlift.prompts import has_reply, reply

    return {reply(f"progress.{stage}", lang): stage for stage in STAGES if has_reply(f"progress.{stage}", lang)}


@contextmanager
def collected_reports():
    """The authenticity reports made while inside (tools/forensics/assess.REPORT_OBSERVERS)."""
    from credlift.tools.forensics import assess

    reports: list = []
    assess.REPORT_OBSERVERS.append(reports.append)
    try:
        yield reports
    finally:
        assess.REPORT_OBSERVERS.remove(reports.append)


def time_upload(service, image: Path, label: dict, lang: str = "zh") -> UploadTiming:
    """One application: a fresh account, a greeting, then the upload timed from call to decision."""
    stage_of = _stage_of_progress(lang)
    profile = service.create_account(applicant_for(label, "latency"))
    thread_id = service.start(profile.account_id, lang=lang).thread_id
    marks: list[tuple[str, float, float]] = []
    data = image.read_bytes()
    with collected_reports() as reports:
        cpu_started = time.process_time()
        started = time.perf_counter()
        result = service.upload(thread_id, [(image.name, data)],
                                on_progress=lambda line: marks.append((stage_of.get(line, line), time.perf_counter(),
                                                                       time.process_time())))
        finished = time.perf_counter()
        cpu_finished = time.process_time()
    cpu = cpu_finished - cpu_started
    stages: dict[str, float] = {}
    stages_cpu: dict[str, float] = {}
    # a stage lasts from its own progress line to the next one (the last until the result is back)
    for (stage, at, cpu_at), (_, following, cpu_following) in zip(marks, [*marks[1:], ("end", finished, cpu_finished)]):
        stages[stage] = round(stages.get(stage, 0.0) + following - at, 4)
        stages_cpu[stage] = round(stages_cpu.get(stage, 0.0) + cpu_following - cpu_at, 4)
    if marks:
        stages["before_first_stage"] = round(marks[0][1] - started, 4)
        stages_cpu["before_first_stage"] = round(marks[0][2] - cpu_started, 4)
    checks: dict[str, dict[str, float]] = {}
    skipped: list[str] = []
    for report in reports:
        for name, spent in report.timings_ms.items():
            entry = checks.setdefault(name, {"wall": 0.0, "cpu": 0.0})
            entry["wall"] += float(spent.get("wall", 0.0))
            entry["cpu"] += float(spent.get("cpu", 0.0))
        skipped += [name for name in report.skipped if name not in skipped]
    return UploadTiming(file=image.name, capture=str(label.get("capture", "unknown")),
                        credential_type=str(label.get("type", "")), total_s=round(finished - started, 4),
                        cpu_s=round(cpu, 4), stages_s=stages, stages_cpu_s=stages_cpu, checks_ms=checks,
                        skipped=skipped, decision=result.decision.kind if result.decision else "none")


def measure_latency(dataset: Path, state_dir: Path, limit: int, warmup: int = 1, progress=None) -> LatencyResult:
    images = labelled_images(dataset)[: limit + warmup]
    timings: list[UploadTiming] = []
    with service_on(state_dir) as service:
        for index, (path, label) in enumerate(images):
            timing = time_upload(service, path, label)
            if index >= warmup:
                timings.append(timing)
            if progress:
                progress(f"latency {index + 1}/{len(images)}: {timing.total_s:.2f}s, CPU {timing.cpu_s:.2f}s "
                         f"({timing.capture})")
    captures = sorted({t.capture for t in timings})
    stage_names = [s for s in (*STAGES, "before_first_stage") if any(s in t.stages_s for t in timings)]
    check_names = sorted({name for t in timings for name in t.checks_ms},
                         key=lambda n: -sum(t.checks_ms.get(n, {}).get("cpu", 0.0) for t in timings))
    skipped_names = sorted({name for t in timings for name in t.skipped})
    return LatencyResult(
        uploads=timings, warmup_uploads=warmup, total_s=describe([t.total_s for t in timings]),
        cpu_s=describe([t.cpu_s for t in timings]),
        by_capture={c: describe([t.total_s for t in timings if t.capture == c]) for c in captures},
        stages_s={s: describe([t.stages_s[s] for t in timings if s in t.stages_s]) for s in stage_names},
        stages_cpu_s={s: describe([t.stages_cpu_s[s] for t in timings if s in t.stages_cpu_s]) for s in stage_names},
        checks_cpu_ms={n: describe([t.checks_ms[n]["cpu"] for t in timings if n in t.checks_ms]) for n in check_names},
        checks_wall_ms={n: describe([t.checks_ms[n]["wall"] for t in timings if n in t.checks_ms]) for n in check_names},
        checks_skipped={n: sum(1 for t in timings if n in t.skipped) for n in skipped_names})
