"""Reuse: the same document (or a near copy with another number) already uploaded by a different account.

Keeps its own table: perceptual hash, a small thumbnail to confirm near duplicates, a keyed hash of the certificate
number (credlift/crypto.py: equal numbers match, the number itself is not stored), sha256, account. The table is in a
SQLite file in the data directory, or in Postgres when `CREDLIFT_DATABASE_URL` is set (every app process and Ray
replica then sees every other's uploads). Re-uploading the same file on the same account is not fraud.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

import cv2
import imagehash
import numpy as np
from PIL import Image

from credlift.domain.authenticity import SignalReport
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.base import SignalRole  # what this signal is to fusion and the map

DB_NAME = "forensics_reuse.sqlite3"
PHASH_CANDIDATE_DISTANCE = 10
THUMB = 160
# One document with a local edit differs from its original in one or two places; two holders' certificates on
# the same template differ in many (name, scores, numbers, dates, photo).
MAX_EDITED_REGIONS = 2
MAX_CHANGED_SHARE = 0.03
CHANGED_LEVEL = 40


def _normalise(number: str | None) -> str:
    return "".join(ch for ch in (number or "").upper() if ch.isalnum())


def _thumbnail(gray: np.ndarray) -> np.ndarray:
    """Small grayscale copy, contrast-stretched so a re-encode or brightness change does not count as a change."""
    small = cv2.resize(gray, (THUMB, THUMB), interpolation=cv2.INTER_AREA).astype(np.float32)
    low, high = np.percentile(small, 1), np.percentile(small, 99)
    return np.clip((small - low) / max(high - low, 1.0) * 255.0, 0, 255).astype(np.uint8)


def _same_document(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal thumbnails, or ones that differ in at most a couple of compact places (an edited field)."""
    changed = (np.abs(a.astype(np.int16) - b.astype(np.int16)) > CHANGED_LEVEL).astype(np.uint8)
    if changed.mean() > MAX_CHANGED_SHARE:
        return False
    changed = cv2.morphologyEx(changed, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    regions, _ = cv2.connectedComponents(cv2.dilate(changed, np.ones((3, 9), np.uint8)))
    return regions - 1 <= MAX_EDITED_REGIONS


class ReuseIndex:
    """The fingerprints of everything uploaded before, by any account."""

    def __init__(self, data_dir: Path, cipher=None, database_url: str = "") -> None:
        from credlift.crypto import cipher_for_dir
        from credlift.database import Database

        data_dir.mkdir(parents=True, exist_ok=True)
        self.path = data_dir / DB_NAME
        self._cipher = cipher or cipher_for_dir(data_dir)
        # secure_delete: a replaced plain number is overwritten in the SQLite file, not left in a free page
        self._db = Database(database_url, self.path, name="credlift-reuse", pragmas=("secure_delete = ON",))
        self._db.create_schema(self._create_schema)

    def _create_schema(self) -> None:
        db = self._db
        db.execute(f"""CREATE TABLE IF NOT EXISTS upload_fingerprints (
            sha256 TEXT NOT NULL, phash TEXT NOT NULL, thumbnail {db.blob} NOT NULL,
            certificate_number TEXT NOT NULL DEFAULT '', account_id TEXT NOT NULL DEFAULT '',
            created_at {db.double} NOT NULL, PRIMARY KEY (sha256, account_id))""")
        db.execute("CREATE INDEX IF NOT EXISTS fingerprints_number ON upload_fingerprints(certificate_number)")
        # numbers written in plain by an older version are replaced by their keyed hash
        plain = db.execute("SELECT DISTINCT certificate_number FROM upload_fingerprints "
                           "WHERE certificate_number != '' AND length(certificate_number) != 64")
        for (number,) in plain:
            db.execute("UPDATE upload_fingerprints SET certificate_number = ? WHERE certificate_number = ?",
                       (self._number_key(number), number))

    def close(self) -> None:
        self._db.close()

    def _number_key(self, number: str | None) -> str:
        normal = _normalise(number)
        return self._cipher.keyed_hash(normal) if normal else ""

    def check_and_record(self, sha256: str, gray: np.ndarray, certificate_number: str | None,
                         account_id: str | None) -> tuple[float, str, dict]:
        phash = imagehash.phash(Image.fromarray(gray))
        thumb = _thumbnail(gray)
        number = self._number_key(certificate_number)
        account = account_id or ""
        findings: list[tuple[float, str]] = []
        rows = self._db.execute(
            "SELECT sha256, phash, thumbnail, certificate_number, account_id FROM upload_fingerprints")
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
            stored = np.frombuffer(other_thumb, np.uint8).reshape(THUMB, THUMB)
            if not _same_document(stored, thumb):
                continue
            if number and other_number and other_number != number:
                findings.append((0.9, "A near-identical image was uploaded before with a different certificate number."))
            elif other_account_differs:
                findings.append((0.85, "A near-identical image was uploaded before by another account."))
        self._db.execute("INSERT INTO upload_fingerprints VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                         (sha256, str(phash), thumb.tobytes(), number, account, time.time()))
        score, summary = max(findings, default=(0.0, "Not seen before under another account."))
        return score, summary, {"matches": len(findings), "seen_before": len(rows) > 0}


class ReuseSignal:
    name = "reuse"
    role = SignalRole(in_verdict=True, reads_text=True)

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir

    def analyse(self, ctx: AnalysisContext) -> SignalReport:
        data_dir = ctx.data_dir or self.data_dir
        if data_dir is None:
            from credlift.settings import get_settings

            data_dir = get_settings().data_dir
        index = reuse_index(Path(data_dir))
        score, summary, facts = index.check_and_record(ctx.upload.sha256, ctx.work_gray, ctx.certificate_number,
                                                       ctx.account_id)
        return SignalReport(name=self.name, score=score, summary=summary,
                            details={"matches": int(facts["matches"]), "has_number": bool(ctx.certificate_number)})


_INDEXES: dict[tuple[str, str], ReuseIndex] = {}
_INDEXES_LOCK = threading.Lock()
_KEPT_OPEN = 8


def reuse_index(data_dir: Path, database_url: str | None = None) -> ReuseIndex:
    """The index of this data directory, opened once per process (a few kept open, the oldest closed): in Postgres
    when `database_url` (default: the settings') is a postgres URL, else the data directory's SQLite file."""
    if database_url is None:
        from credlift.settings import get_settings

        database_url = get_settings().database_url
    key = (str(Path(data_dir).resolve()), database_url)
    with _INDEXES_LOCK:
        index = _INDEXES.get(key)
        if index is None:
            if len(_INDEXES) >= _KEPT_OPEN:
                _INDEXES.pop(next(iter(_INDEXES))).close()
            index = _INDEXES[key] = ReuseIndex(Path(data_dir), database_url=database_url)
        return index
