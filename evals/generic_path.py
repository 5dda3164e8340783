"""How well the generic path reads credentials of no registered type (issue 25.4): a held-out sample of taxonomy
kinds drawn as pages (evals/synth/unknown_kinds.py), read by OCR and the generic reader, placed in the taxonomy.

`evaluate_generic_path(n, seed)` -> per page: the kind and class expected and found, and the common schema's
fields read exactly. The right class is what the policy acts on (review or not counted)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class GenericPathReport:
    seed: int
    pages: list[dict] = field(default_factory=list)

    @property
    def right_class(self) -> int:
        return sum(page["class_found"] == page["class_expected"] for page in self.pages)

    @property
    def right_kind(self) -> int:
        return sum(page["kind_found"] == page["kind_expected"] for page in self.pages)

    def field_accuracy(self) -> dict[str, float]:
        keys = sorted({key for page in self.pages for key in page["fields_right"]})
        return {key: float(np.mean([page["fields_right"][key] for page in self.pages if key in page["fields_right"]]))
                for key in keys}

    def summary(self) -> str:
        n = len(self.pages)
        fields = ", ".join(f"{key} {100 * value:.0f}%" for key, value in self.field_accuracy().items())
        return (f"{n} pages of unknown kinds (seed {self.seed}): right class {self.right_class}/{n}, right kind "
                f"{self.right_kind}/{n}; fields exact: {fields}")


def held_out_kinds(n: int, seed: int):
    """`n` kinds of the file (not the registered types), drawn without replacement by `seed`."""
    from credlift.knowledge.taxonomy import REGISTERED, taxonomy

    kinds = [kind for kind in taxonomy().kinds if kind.policy_class != REGISTERED]
    picks = np.random.default_rng([seed, 4]).choice(len(kinds), size=min(n, len(kinds)), replace=False)
    return [kinds[int(i)] for i in picks]


def evaluate_generic_path(n: int = 30, seed: int = 2540, capture_style: str = "scan") -> GenericPathReport:
    from credlift.evals.synth.encode import decode
    from credlift.evals.synth.unknown_kinds import draw_unknown
    from credlift.tools.extraction.backends.ocr_backend import record_from_lines
    from credlift.tools.extraction.ocr import read_page

    report = GenericPathReport(seed=seed)
    for index, kind in enumerate(held_out_kinds(n, seed)):
        data, _, label = draw_unknown(kind, seed * 1000 + index, capture_style)
        page = read_page(decode(data))
        record = record_from_lines(page.lines, page.quality, page.rotation_degrees)
        expected = label["fields"]
        report.pages.append({
            "kind_expected": kind.id, "class_expected": kind.policy_class, "type_found": record.type,
            "kind_found": record.fields.get("credential_kind"), "class_found": record.fields.get("policy_class"),
            "fields_right": {key: str(record.fields.get(key)) == str(value) for key, value in expected.items()},
        })
    return report
