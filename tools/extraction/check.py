"""One credential file checked end to end (intake, OCR once, authenticity, extraction, validation): the
`credlift check` contract of DESIGN.md, usable without the CLI."""
from __future__ import annotations

import time
from pathlib import Path

from pydantic import BaseModel, Field

from credlift.domain.applicant import ApplicantProfile, mask_id_number
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
    fields = dict(record.fields)
    if fields.get("id_number"):
        fields["id_number"] = mask_id_number(str(fields["id_number"]))
    return fields


def check_file(path: Path, applicant: ApplicantProfile | None = None, data_dir: Path | None = None,
               registry=None) -> CheckResult:
    from credlift.tools.extraction import extract_credential
    from credlift.tools.extraction.ocr import read_page
    from credlift.tools.extraction.validators import validate_credential
    from credlift.tools.forensics import assess_authenticity
    from credlift.tools.intake import load_upload

    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        upload = load_upload(Path(path))
    except UserInputError as error:
        timings["intake"] = _ms(started)
        return CheckResult(file=str(path), error=str(error), timings_ms=timings)
    timings["intake"] = _ms(started)

    started = time.perf_counter()
    page = read_page(upload.rgb)
    timings["ocr"] = _ms(started)

    started = time.perf_counter()
    credential = extract_credential(upload, ocr_lines=page.lines)
    timings["extract"] = _ms(started)

    started = time.perf_counter()
    authenticity = assess_authenticity(upload, ocr_lines=page.lines,
                                       certificate_number=_text(credential.fields.get("certificate_number")),
                                       account_id=applicant.account_id if applicant else None, data_dir=data_dir)
    timings["authenticity"] = _ms(started)

    started = time.perf_counter()
    validation = validate_credential(credential, applicant=applicant, registry=registry)
    timings["validate"] = _ms(started)
    timings["total"] = round(sum(timings.values()), 1)
    return CheckResult(file=str(path), sha256=upload.sha256, authenticity=authenticity, credential=credential,
                       validation=validation, timings_ms=timings)


def _text(value) -> str | None:
    return None if value in (None, "") else str(value)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000.0, 1)
