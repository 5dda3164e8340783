"""One credential file checked end to end (the pipeline's intake, extract, authenticate, validate): the
`credlift check` contract (`CheckResult.contract`, one JSON line per file), usable without the CLI."""
from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel, Field

from credlift.domain.applicant import ApplicantProfile
from credlift.redaction import mask_personal_fields
from credlift.domain.authenticity import AuthenticityReport
from credlift.domain.credential import CredentialRecord, ValidationReport
from credlift.errors import UserInputError


class CheckResult(BaseModel):
    """The result for one file; `contract()` is the JSON line `credlift check --json` prints."""
    file: str
    sha256: str | None = None
    authenticity: AuthenticityReport | None = None
    credential: CredentialRecord | None = None
    validation: ValidationReport | None = None
    timings_ms: dict[str, float] = Field(default_factory=dict)
    error: str | None = None

    @property
    def readable(self) -> bool:
        return self.error is None

    def contract(self) -> dict:
        if self.error is not None:
            return {"file": self.file, "sha256": self.sha256,
                    "authenticity": {"verdict": "unreadable", "score": 0.0, "signals": [], "reason": self.error},
                    "credential": {"type": "unknown", "fields": {}},
                    "validation": {"ok": False, "errors": [], "warnings": [], "registry_status": "not_applicable"},
                    "timings_ms": self.timings_ms, "error": self.error}
        credential = self.credential
        return {
            "file": self.file,
            "sha256": self.sha256,
            "authenticity": self.authenticity.cli_dict() | ({"reason": self.authenticity.reason} if self.authenticity.reason else {}),
            "credential": {"type": credential.type, "fields": masked_fields(credential),
                           "confidence": credential.confidence, "backend": credential.backend,
                           "warnings": credential.warnings},
            "validation": self.validation.cli_dict(),
            "timings_ms": self.timings_ms,
        }


def masked_fields(record: CredentialRecord) -> dict:
    """The check's output masks the resident ID number (the operator holds the file; the rest is what it says)."""
    return mask_personal_fields(record.fields, keys=("id_number",))


def check_file(path: Path, applicant: ApplicantProfile | None = None, data_dir: Path | None = None,
               registry=None) -> CheckResult:
    """The pipeline's first four stages (tools/pipeline.py), in its order; nothing is stored."""
    from credlift.tools import pipeline

    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        upload = pipeline.intake(Path(path))
    except UserInputError as error:
        timings["intake"] = _ms(started)
        return CheckResult(file=str(path), error=str(error), timings_ms=timings)
    timings["intake"] = _ms(started)

    reading = pipeline.extract(upload, check_meanwhile=True)  # authenticated next
    timings.update(reading.timings_ms)  # ocr, extract

    started = time.perf_counter()
    authenticity = pipeline.authenticate(upload, reading, account_id=applicant.account_id if applicant else None,
                                         data_dir=data_dir)
    timings["authenticity"] = _ms(started)

    started = time.perf_counter()
    validation = pipeline.validate(reading.credential, applicant=applicant, registry=registry)
    timings["validate"] = _ms(started)
    timings["total"] = round(sum(timings.values()), 1)
    return CheckResult(file=str(path), sha256=upload.sha256, authenticity=authenticity, credential=reading.credential,
                       validation=validation, timings_ms=timings)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 1)
