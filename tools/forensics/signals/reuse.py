"""Reuse: the same document (or a near copy with another number) already uploaded by a different account.

Keeps its own SQLite table in the data directory: perceptual hash, a small thumbnail to confirm near
duplicates, certificate number, sha256, account. Re-uploading the same file on the same account is not fraud.
"""
from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

import cv2
import imagehash
import numpy as np
from PIL import Image

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext

DB_NAME = "forensics_reuse.sqlite3"
PHASH_CANDIDATE_DISTANCE = 10
THUMB = 96
# mean absolute difference of normalised thumbnails below which two images are the same document
NEAR_DUPLICATE_MAD = 0.09


def _normalise(number: str | None) -> str:
    return "".join(ch for ch in (number or "").upper() if ch.isalnum())


def _thumbnail(gray: np.ndarray) -> np.ndarray:
    small = cv2.resize(gray, (THUMB, THUMB), interpolation=cv2.INTER_AREA).astype(np.float32)
    return ((small - small.mean()) / (small.std() + 1e-3)).astype(np.float16)


class ReuseIndex:
    """The fingerprints of everything uploaded before, by any account."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        with closing(self._connect()) as db, db:
            db.execute("""CREATE TABLE IF NOT EXISTS upload_fingerprints (
                sha256 TEXT NOT NULL, phash TEXT NOT NULL, thumbnail BLOB NOT NULL,
                certificate_number TEXT NOT NULL DEFAULT '', account_id TEXT NOT NULL DEFAULT '',
                created_at REAL NOT NULL, PRIMARY KEY (sha256, account_id))""")
            db.execute("CREATE INDEX IF NOT EXISTS fingerprints_number ON upload_fingerprints(certificate_number)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def check_and_record(self, sha256: str, gray: np.ndarray, certificate_number: str | None,
                         account_id: str | None) -> tuple[float, str, dict]:
        phash = imagehash.phash(Image.fromarray(gray))
        thumb = _thumbnail(gray)
        number = _normalise(certificate_number)
        account = account_id or ""
        findings: list[tuple[float, str]] = []
        with closing(self._connect()) as db:
            rows = db.execute("SELECT sha256, phash, thumbnail, certificate_number, account_id FROM upload_fingerprints"
                              ).fetchall()
        for other_sha, other_phash, other_thumb, other_number, other_account in rows:
            # an account can only be "another" when both uploads name one
            other_account_differs = bool(account) and bool(other_account) and other_account != account
            if number and other_number == number and other_account_differs:
                findings.append((0.95, "The same certificate number was uploaded before by another account."))
                continue
            if other_sha == sha256:
                if other_account_differs:
                    findings.append((0.95, "This exact file was uploaded before by another account."))
                continue
            if phash - imagehash.hex_to_hash(other_phash) > PHASH_CANDIDATE_DISTANCE:
                continue
            stored = np.frombuffer(other_thumb, np.float16).astype(np.float32).reshape(THUMB, THUMB)
            if float(np.mean(np.abs(stored - thumb.astype(np.float32)))) > NEAR_DUPLICATE_MAD:
                continue
            if number and other_number and other_number != number:
                findings.append((0.9, "A near-identical image was uploaded before with a different certificate number."))
            elif other_account_differs:
                findings.append((0.85, "A near-identical image was uploaded before by another account."))
        with closing(self._connect()) as db, db:
            db.execute("INSERT OR IGNORE INTO upload_fingerprints VALUES (?, ?, ?, ?, ?, ?)",
                       (sha256, str(phash), thumb.tobytes(), number, account, time.time()))
        score, summary = max(findings, default=(0.0, "Not seen before under another account."))
        return score, summary, {"matches": len(findings), "seen_before": len(rows) > 0}


class ReuseSignal:
    name = "reuse"

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        data_dir = ctx.data_dir or self.data_dir
        if data_dir is None:
            from credlift.settings import get_settings

            data_dir = get_settings().data_dir
        index = ReuseIndex(Path(data_dir))
        score, summary, facts = index.check_and_record(ctx.upload.sha256, ctx.work_gray, ctx.certificate_number,
                                                       ctx.account_id)
        return SignalReport(name=self.name, score=score, summary=summary,
                            details={"matches": int(facts["matches"]), "has_number": bool(ctx.certificate_number)})
