"""How well extraction reads a labelled set (synthetic `labels.jsonl` + images): type accuracy, per-field exact
match, and time per image. Used by `credlift extraction evaluate` and the benchmark suite (`credlift bench`)."""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from pydantic import BaseModel, Field

from credlift.errors import UserInputError

#: the fields the accuracy targets are stated for (where a credential prints them)
HEADLINE_FIELDS: tuple[str, ...] = ("holder_name", "certificate_number", "school", "issue_date", "total_score")


class FieldAccuracy(BaseModel):
    field: str
    total: int
    correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 1.0


class ExtractionMiss(BaseModel):
    file: str
    field: str
    expected: str
    read: str


class ExtractionEvaluation(BaseModel):
    images: int
    type_accuracy: float
    field_accuracy: dict[str, float] = Field(description="exact match per field, over images that print it")
    field_counts: dict[str, int] = Field(default_factory=dict)
    p50_s: float
    p95_s: float
    mean_s: float
    cpu_p50_s: float = Field(default=0.0, description="CPU seconds per image (all threads): the work, whatever else runs")
    misses: list[ExtractionMiss] = Field(default_factory=list, description="first misses, for error analysis")
    type_confusions: dict[str, int] = Field(default_factory=dict, description="'expected->read': count")

    def headline(self) -> dict[str, float]:
        return {key: self.field_accuracy[key] for key in HEADLINE_FIELDS if key in self.field_accuracy}

    def summary(self) -> str:
        fields = ", ".join(f"{key} {value:.1%}" for key, value in self.headline().items())
        return (f"{self.images} images: type {self.type_accuracy:.1%}; {fields}; "
                f"time per image p50 {self.p50_s:.3f} s, p95 {self.p95_s:.3f} s (CPU p50 {self.cpu_p50_s:.3f} s)")


def read_labels(data_dir: Path) -> list[dict]:
    labels_path = Path(data_dir) / "labels.jsonl"
    if not labels_path.is_file():
        raise UserInputError(f"no labels.jsonl in '{data_dir}'; make a set with `credlift synth --out DIR`")
    rows = [json.loads(line) for line in labels_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not rows:
        raise UserInputError(f"'{labels_path}' has no rows")
    return rows


def label_image_path(data_dir: Path, row: dict) -> Path:
    name = row.get("file") or row.get("image") or row.get("path")
    if not name:
        raise UserInputError("a labels.jsonl row has no 'file'")
    path = Path(name)
    return path if path.is_absolute() else Path(data_dir) / path


def values_match(expected, read) -> bool:
    if expected is None:
        return read is None
    if read is None:
        return False
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        try:
            return abs(float(read) - float(expected)) < 1e-6
        except (TypeError, ValueError):
            return False
    return str(expected).replace(" ", "") == str(read).replace(" ", "")


def evaluate_extraction(data_dir: Path, limit: int | None = None, fields: tuple[str, ...] | None = None,
                        keep_misses: int = 50) -> ExtractionEvaluation:
    """Reads every untampered image of a labelled set and scores it against its labels."""
    from credlift.tools.extraction import extract_credential
    from credlift.tools.intake import load_upload

    rows = [row for row in read_labels(data_dir) if not row.get("tampered") and row.get("tamper", "none") in ("none", None)]
    if limit:
        rows = rows[:limit]
    seconds: list[float] = []
    cpu_seconds: list[float] = []
    type_correct = 0
    totals: dict[str, int] = {}
    correct: dict[str, int] = {}
    misses: list[ExtractionMiss] = []
    confusions: dict[str, int] = {}
    for row in rows:
        path = label_image_path(data_dir, row)
        started, cpu_started = time.perf_counter(), time.process_time()
        upload = load_upload(path)
        record = extract_credential(upload)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
        expected_type = row.get("type") or row.get("credential_type")
        if record.type == expected_type:
            type_correct += 1
        else:
            key = f"{expected_type}->{record.type}"
            confusions[key] = confusions.get(key, 0) + 1
        expected_fields = row.get("fields", {})
        for key in fields or tuple(expected_fields):
            if key not in expected_fields or expected_fields[key] in (None, ""):
                continue
            totals[key] = totals.get(key, 0) + 1
            if values_match(expected_fields[key], record.fields.get(key)):
                correct[key] = correct.get(key, 0) + 1
            elif len(misses) < keep_misses:
                shown_expected, shown_read = expected_fields[key], record.fields.get(key)
                if key == "id_number":
                    from credlift.domain.applicant import mask_id_number

                    shown_expected, shown_read = mask_id_number(str(shown_expected)), mask_id_number(str(shown_read or ""))
                misses.append(ExtractionMiss(file=path.name, field=key, expected=str(shown_expected), read=str(shown_read)))
    ordered = sorted(seconds) or [0.0]
    return ExtractionEvaluation(
        images=len(rows),
        type_accuracy=type_correct / len(rows) if rows else 0.0,
        field_accuracy={key: correct.get(key, 0) / total for key, total in sorted(totals.items())},
        field_counts=dict(sorted(totals.items())),
        p50_s=round(statistics.median(ordered), 4),
        p95_s=round(ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))], 4),
        mean_s=round(statistics.fmean(ordered), 4),
        cpu_p50_s=round(statistics.median(cpu_seconds), 4) if cpu_seconds else 0.0,
        misses=misses,
        type_confusions=confusions,
    )
