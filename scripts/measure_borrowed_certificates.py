"""The borrowed-certificate attack: the applicant's own name edited onto someone else's certificate.

For every name edit (retype or splice of holder_name) in a generated set, the applicant is the forged name with an
ID number of their own; the page is read (OCR, extraction) and validated against that applicant, as the app does.
The control: honest degree and graduation pages checked against their real holder (no HOLDER_ finding expected).

    .venv/bin/python scripts/measure_borrowed_certificates.py DATA_DIR [HONEST_COUNT]

(DATA_DIR from `credlift synth --out DATA_DIR --n 400 --seed 202 --capture mixed --tamper-rate 0.5`.)
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np

from credlift.domain.applicant import ApplicantProfile
from credlift.tools import credential_numbers as numbers
from credlift.tools.extraction import extract_credential
from credlift.tools.extraction.ocr import read_page
from credlift.tools.extraction.validators import validate_credential
from credlift.tools.intake import load_upload
from credlift.tools.limits import HOLDER_CODES

TODAY = date(2026, 11, 25)


def someone(rng: np.random.Generator, birth: date | None = None, gender: str | None = None) -> str:
    birth = birth or date(1995 + int(rng.integers(0, 8)), int(rng.integers(1, 13)), int(rng.integers(1, 28)))
    gender = gender or str(rng.choice(["male", "female"]))
    return numbers.make_resident_id("310101", birth, int(rng.integers(1, 999)), gender=gender)


def applicant(name: str, id_number: str) -> ApplicantProfile:
    return ApplicantProfile(account_id="measure", name=name, id_number=id_number, current_limit=3000,
                            utilisation=0.2, months_on_book=12, delinquent_last_12m=0)


def errors(path: Path, profile: ApplicantProfile) -> list[str]:
    upload = load_upload(path)
    record = extract_credential(upload, ocr_lines=read_page(upload.rgb).lines)
    report = validate_credential(record, applicant=profile, today=TODAY)
    return [finding.code for finding in report.findings if finding.severity == "error"]


def main(data_dir: Path, honest_count: int) -> None:
    rng = np.random.default_rng(7)
    rows = [json.loads(line) for line in (data_dir / "labels.jsonl").read_text(encoding="utf-8").splitlines() if line]
    attacks = [r for r in rows if r["tampered"] and "holder_name" in (r.get("tampered_fields") or {})]
    caught, total = Counter(), Counter()
    for row in attacks:
        codes = errors(data_dir / row["file"], applicant(row["tampered_fields"]["holder_name"], someone(rng)))
        total[row["type"]] += 1
        caught[row["type"]] += any(code in HOLDER_CODES for code in codes)
        print("attack", row["file"], row["tamper_kind"], codes, flush=True)
    print(f"name edits caught by the holder checks: {sum(caught.values())} / {sum(total.values())}",
          dict(caught), dict(total))
    honest = [r for r in rows if not r["tampered"] and r["type"] in ("degree", "graduation")][:honest_count]
    flagged = 0
    for row in honest:
        fields = row["fields"]
        real = someone(rng, date.fromisoformat(fields["birth_date"]), fields["gender"])
        codes = errors(data_dir / row["file"], applicant(fields["holder_name"], real))
        flagged += any(code.startswith("HOLDER_") for code in codes)
        print("honest", row["file"], codes, flush=True)
    print(f"honest degree/graduation pages with a HOLDER_ finding: {flagged} / {len(honest)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 30)
