"""Synthetic image sets for the benchmarks, generated once per configuration and cached under a work folder."""
from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

META_FILE = "bench-dataset.json"
SMALL_SET = 24


class DatasetSpec(BaseModel):
    """A set of certificates the benchmarks read; the same spec always gives the same bytes."""
    name: str
    n: int
    seed: int
    capture: str = "mixed"
    tamper_rate: float = 0.0
    types: list[str] | None = None

    @property
    def folder_name(self) -> str:
        return f"{self.name}-n{self.n}-s{self.seed}-{self.capture}-t{int(self.tamper_rate * 100)}"


def ensure_dataset(work_dir: Path, spec: DatasetSpec) -> Path:
    """The folder with images and labels.jsonl for `spec`, generated only when it is missing or different."""
    from credlift.evals.synth import generate_dataset

    folder = Path(work_dir) / "datasets" / spec.folder_name
    meta = folder / META_FILE
    if meta.is_file() and (folder / "labels.jsonl").is_file():
        if json.loads(meta.read_text(encoding="utf-8")) == spec.model_dump():
            return folder
    # small sets render faster in this process than in freshly spawned workers
    generate_dataset(folder, n=spec.n, seed=spec.seed, types=spec.types, capture=spec.capture,
                     tamper_rate=spec.tamper_rate, workers=1 if spec.n <= SMALL_SET else None)
    meta.write_text(json.dumps(spec.model_dump(), sort_keys=True), encoding="utf-8")
    return folder


def labelled_images(folder: Path) -> list[tuple[Path, dict]]:
    """(image path, label row) for every row of the set's labels.jsonl."""
    from credlift.tools.extraction.evaluation import label_image_path, read_labels

    return [(label_image_path(folder, row), row) for row in read_labels(folder)]
