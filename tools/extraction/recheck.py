"""Re-checking an archive of uploads (after a detector update): `credlift check DIR [--ray]`.

Every file under DIR gets `credlift check`'s four stages (tools/extraction/check.py) and one JSON line in the output
file, keyed by its content hash and the detector that judged it (`detector_fingerprint`: the forensic models' files
and the fusion model's version). The output is resumable: a line is written and flushed as soon as its file is
done, and a second run skips every file whose content hash already has a line from the same detector (after a
detector update, everything is checked again). Files with the same content are checked once.

With `ray=True` the files go through Ray Data: a stream of paths, `map_batches` on an actor pool of
`settings.ray_replicas` replicas (tools/ray_analysis.AnalysisReplica: models loaded once per replica); results
come back as they finish and are written at once. Ray Data rather than bare Ray tasks: it gives the actor pool,
the streaming with back-pressure (an archive of millions of files is never all in flight) and the retries of a
failed worker without code of ours; what it costs is a few seconds of start-up per run, nothing per file.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from credlift.errors import UserInputError


@dataclass
class RecheckSummary:
    files: int = 0            # files found under the folder
    checked: int = 0          # checked in this run
    skipped: int = 0          # already in the output from the same detector (or a duplicate of a file checked now)
    unreadable: int = 0       # checked in this run and not readable as a credential
    verdicts: dict[str, int] = field(default_factory=dict)
    detector: str = ""
    output: str = ""


@lru_cache(maxsize=1)
def detector_fingerprint() -> str:
    """The forensic models' files (tools/forensics/models) and the fusion model's version, hashed: a new detector
    is a new fingerprint."""
    from credlift.tools.forensics.fusion import MODEL_VERSION

    models = Path(__file__).resolve().parents[1] / "forensics" / "models"
    digest = hashlib.sha256(MODEL_VERSION.encode())
    for path in sorted(p for p in models.rglob("*") if p.is_file()):
        digest.update(path.relative_to(models).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return f"{MODEL_VERSION}:{digest.hexdigest()[:12]}"


def archive_files(directory: Path, skip: Path | None = None) -> list[Path]:
    """Every regular file under the folder (hidden ones aside), in a stable order."""
    directory = Path(directory)
    if not directory.is_dir():
        raise UserInputError(f"{directory} is not a folder")
    skip_resolved = skip.resolve() if skip is not None else None
    files = sorted(p for p in directory.rglob("*")
                   if p.is_file() and not any(part.startswith(".") for part in p.relative_to(directory).parts)
                   and p.resolve() != skip_resolved)
    if not files:
        raise UserInputError(f"{directory} holds no files to check")
    return files


def done_keys(output: Path, detector: str) -> set[str]:
    """The content hashes the output already holds a line for, from this detector (a torn last line is ignored)."""
    done: set[str] = set()
    if not output.exists():
        return done
    for line in output.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and row.get("detector") == detector and row.get("sha256"):
            done.add(row["sha256"])
    return done


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def recheck(directory: Path, output: Path, settings, applicant=None, use_ray: bool = False,
            render: Callable[[dict], dict] = lambda line: line,
            progress: Callable[[str], None] = lambda line: None) -> RecheckSummary:
    """Checks what the output does not hold yet; `render` turns a contract into the line written (the CLI masks
    personal data there), `progress` gets one line per file."""
    output = Path(output)
    detector = detector_fingerprint()
    files = archive_files(directory, skip=output)
    done = done_keys(output, detector)
    summary = RecheckSummary(files=len(files), detector=detector, output=str(output))
    todo: list[tuple[Path, str]] = []
    for path in files:
        sha256 = file_sha256(path)
        if sha256 in done:
            summary.skipped += 1
            continue
        done.add(sha256)
        todo.append((path, sha256))
    progress(f"{len(files)} files, {summary.skipped} already checked by detector {detector}, {len(todo)} to check"
             + (" on Ray" if use_ray and todo else ""))
    if not todo:
        return summary
    output.parent.mkdir(parents=True, exist_ok=True)
    results = (_on_ray(todo, settings, applicant) if use_ray else _here(todo, settings, applicant))
    with open(output, "a+", encoding="utf-8") as sink:
        sink.seek(0, 2)
        if sink.tell() > 0:  # a line torn by an interrupted run gets its own line end
            sink.seek(sink.tell() - 1)
            if sink.read(1) != "\n":
                sink.write("\n")
        for number, (path, sha256, contract) in enumerate(results, start=1):
            line = render(contract) | {"file": str(path), "sha256": sha256, "detector": detector}
            sink.write(json.dumps(line, ensure_ascii=False) + "\n")
            sink.flush()
            summary.checked += 1
            verdict = (line.get("authenticity") or {}).get("verdict", "unreadable")
            summary.unreadable += verdict == "unreadable" and bool(line.get("error"))
            summary.verdicts[verdict] = summary.verdicts.get(verdict, 0) + 1
            progress(f"[{number}/{len(todo)}] {path.name}: {verdict}")
    return summary


def _here(todo: list[tuple[Path, str]], settings, applicant) -> Iterator[tuple[Path, str, dict]]:
    from credlift.tools.extraction.check import check_file
    from credlift.tools.issuers import registry_for

    registry = registry_for(settings)
    for path, sha256 in todo:
        yield path, sha256, check_file(path, applicant=applicant, data_dir=settings.data_dir,
                                       registry=registry).contract()


class CheckBatch:
    """Ray Data's callable class: one replica per actor, a batch of paths in, their contracts (JSON) out."""

    def __init__(self, environment: dict[str, str], threads: int, applicant_json: str | None,
                 data_dir: str) -> None:
        from credlift.domain.applicant import ApplicantProfile
        from credlift.tools.ray_analysis import AnalysisReplica

        self.replica = AnalysisReplica(environment, threads)
        self.applicant = ApplicantProfile.model_validate_json(applicant_json) if applicant_json else None
        self.data_dir = data_dir

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        lines = [json.dumps(self.replica.check(str(path), self.applicant, self.data_dir).contract(),
                            ensure_ascii=False) for path in batch["path"]]
        return {"path": np.asarray(batch["path"]), "sha256": np.asarray(batch["sha256"]),
                "contract": np.asarray(lines, dtype=object)}


def _on_ray(todo: list[tuple[Path, str]], settings, applicant) -> Iterator[tuple[Path, str, dict]]:
    from ray.data import DataContext

    from credlift.tools.ray_analysis import ensure_ray, settings_environment

    ray = ensure_ray(settings)
    context = DataContext.get_current()
    context.enable_progress_bars = False  # our own progress line per file instead
    context.print_on_execution_start = False
    cpus = settings.ray_cpus_per_replica
    dataset = ray.data.from_items([{"path": str(path.resolve()), "sha256": sha256} for path, sha256 in todo],
                                  override_num_blocks=len(todo))
    checked = dataset.map_batches(
        CheckBatch, batch_size=1, num_cpus=cpus, concurrency=min(settings.ray_replicas, len(todo)),
        fn_constructor_kwargs={"environment": settings_environment(settings), "threads": max(1, int(cpus)),
                               "applicant_json": applicant.model_dump_json() if applicant else None,
                               "data_dir": str(Path(settings.data_dir).resolve())})
    by_path = {str(path.resolve()): path for path, _ in todo}
    for row in checked.iter_rows():
        yield by_path.get(str(row["path"]), Path(str(row["path"]))), str(row["sha256"]), json.loads(row["contract"])
