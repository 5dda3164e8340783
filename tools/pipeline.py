"""One upload's way through the house, in one order (docs/architecture.md).

    intake -> extract -> authenticate -> validate -> assess -> decide

- intake: sniff the bytes, decode, store the original once by content hash (tools/intake.py)
- extract (read): OCR once, classify, parse: the credential record (tools/extraction); the checks of the file
  alone run meanwhile on a second lane when the thread budget has one (tools/forensics/early.py)
- authenticate: forensics on the image, given the record's certificate number and the account, so the reuse
  check can see "same number from another account" and "same image, another number" (tools/forensics)
- validate: formats, checksums, consistency, the holder against the account (tools/extraction/validators.py)
- assess: the scorecard, then risk reasoning (tools/risk)
- decide: the policy engine (tools/limits.py)

The chat app (agent/nodes, one node per stage, in `STAGES` order), `credlift check` (`check_file`, the first
four stages) and the benchmarks (through the chat app) all run these functions; none calls the tools itself.
The stage names are the graph's node names, which the dialogue format (`tools_called`) keeps stable.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from credlift.domain.authenticity import AuthenticityReport
from credlift.domain.credential import CredentialRecord, OcrLine, ValidationReport

STAGES: tuple[str, ...] = ("intake", "extract", "authenticate", "validate", "assess", "decide")


def intake(source: Path | bytes, filename: str | None = None, store_in: Path | None = None):
    """The decoded `UploadedImage` (raises UnsupportedFileError with a sentence); with `store_in`, the original
    bytes are kept there by content hash."""
    from credlift.tools.intake import load_upload, store_upload

    upload = load_upload(source, filename)
    if store_in is not None:
        store_upload(upload, store_in)
    return upload


def warm_up() -> None:
    """Loads the reader's and the checks' models now (after the thread budget is applied), so the first upload is
    not slower than the rest: the OCR engine's sessions, forensics' detectors, network and fusion, and the region
    table the ID-number checks read (python-stdnum parses it on first use: about 40 ms)."""
    from stdnum.cn import ric

    from credlift.tools.extraction.ocr import warm_up as warm_up_reader
    from credlift.tools.forensics.assess import warm_up as warm_up_checks

    warm_up_reader()
    warm_up_checks()
    ric.is_valid("11010519491231002X")


@dataclass
class Reading:
    """What the page says: the OCR lines (read once) and the record parsed from them (or a vision model's)."""
    lines: list[OcrLine]
    credential: CredentialRecord
    timings_ms: dict[str, float] = field(default_factory=dict)  # "ocr" and "extract" (parsing, or the VLM)


def extract(upload, check_meanwhile: bool = False) -> Reading:
    """The page read. With `check_meanwhile` (a caller that authenticates the upload next, in this process) and two
    lanes in the worker's thread budget, the checks of the file alone start first, on their own thread, and run
    while the page is read; `authenticate` picks them up (tools/forensics/early.py)."""
    from credlift.tools.extraction import extract_credential
    from credlift.tools.extraction.ocr import read_page

    if check_meanwhile:
        from credlift.tools.forensics import early

        early.start(upload)
    started = time.perf_counter()
    page = read_page(upload.rgb)
    lines = page.lines
    read = time.perf_counter()
    # the read measured the photo's quality; on a page read at its own size that is this image's (larger ones are
    # read scaled down, and their quality is measured again on the image itself)
    quality = page.quality
    same_image = quality is not None and (quality.height, quality.width) == tuple(upload.rgb.shape[:2])
    credential = extract_credential(upload, ocr_lines=lines, quality=quality if same_image else None)
    return Reading(lines=lines, credential=credential,
                   timings_ms={"ocr": round((read - started) * 1000.0, 1),
                               "extract": round((time.perf_counter() - read) * 1000.0, 1)})


def certificate_number(credential: CredentialRecord | None) -> str | None:
    value = credential.fields.get("certificate_number") if credential is not None else None
    return None if value in (None, "") else str(value)


def authenticate(upload, reading: Reading, account_id: str | None = None, data_dir: Path | None = None,
                 overlay_dir: Path | None = None) -> AuthenticityReport:
    from credlift.tools.forensics import assess_authenticity

    return assess_authenticity(upload, ocr_lines=reading.lines, certificate_number=certificate_number(reading.credential),
                               account_id=account_id, data_dir=data_dir, overlay_dir=overlay_dir)


def validate(credential: CredentialRecord, applicant=None, registry=None) -> ValidationReport:
    from credlift.tools.extraction.validators import validate_credential

    return validate_credential(credential, applicant=applicant, registry=registry)


def assess(applicant, credential: CredentialRecord, clauses, reasoner=None, lang: str = "zh"):
    """(risk score, assessment): the scorecard, then the risk LLM when one is given, else the rule reasoner.
    The third value is the LLM's rejection reason when its answer was not used."""
    from credlift.tools.risk.reasoning import assess_risk
    from credlift.tools.risk.scorecard import load_default_scorecard

    risk_score = load_default_scorecard().score(applicant, credential)
    if reasoner is not None:
        assessment, rejected = reasoner.assess(applicant, credential, risk_score, clauses, lang=lang)
        return risk_score, assessment, rejected
    return risk_score, assess_risk(applicant, credential, risk_score, clauses), None


def decide(applicant, credential: CredentialRecord, validation: ValidationReport, authenticity: AuthenticityReport,
           risk_score, assessment=None, review_cleared: bool = False, **options):
    from credlift.tools import limits

    return limits.decide(applicant, credential, validation, authenticity, risk_score, assessment=assessment,
                         review_cleared=review_cleared, **options)
