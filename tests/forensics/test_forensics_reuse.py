"""Reuse: a document seen before under another account, or a near copy carrying another number. The index on both
engines: SQLite in the data directory, and Postgres (shared by every app process and machine)."""
from __future__ import annotations

import numpy as np
import pytest

from forensic_pages import certificate, jpeg_bytes
from credlift.tools.forensics.context import AnalysisContext
from credlift.tools.forensics.signals.reuse import ReuseSignal
from credlift.tools.intake import load_upload


def _check(data: bytes, data_dir, number: str | None, account: str | None):
    upload = load_upload(data, "upload.jpg")
    ctx = AnalysisContext(upload=upload, certificate_number=number, account_id=account, data_dir=data_dir)
    return ReuseSignal().analyse(ctx)


def test_same_certificate_under_another_account_is_reuse(data_dir, database_settings):
    first = jpeg_bytes(certificate(seed=21))
    assert _check(first, data_dir, "191211001001234", "acct-alice").score == 0.0
    # another photo of the same certificate (re-encoded), now under a different account
    second = jpeg_bytes(certificate(seed=21), quality=80)
    signal = _check(second, data_dir, "191211001001234", "acct-bob")
    assert signal.score >= 0.9
    assert "another account" in signal.summary


def test_reuploading_the_same_file_on_the_same_account_is_not_fraud(data_dir, database_settings):
    data = jpeg_bytes(certificate(seed=22))
    assert _check(data, data_dir, "191211001005678", "acct-alice").score == 0.0
    assert _check(data, data_dir, "191211001005678", "acct-alice").score == 0.0


def test_near_duplicate_with_a_different_number_is_reuse(data_dir, database_settings):
    page = certificate(seed=23)
    assert _check(jpeg_bytes(page), data_dir, "191211001000001", "acct-alice").score == 0.0
    edited = page.copy()
    edited[560:600, 700:760] = np.array([236, 232, 222], np.uint8)  # a few digits painted over
    signal = _check(jpeg_bytes(edited), data_dir, "191211001000009", "acct-alice")
    assert signal.score >= 0.85
    assert "different certificate number" in signal.summary


def test_two_different_people_on_the_same_template_are_not_reuse(data_dir, database_settings):
    assert _check(jpeg_bytes(certificate(seed=24, score="512")), data_dir, "191211001000111", "acct-a").score == 0.0
    other = certificate(seed=25, score="598")
    other = other.copy()
    for y in (120, 345, 570):  # another holder: name, listening score and report number differ
        other[y - 5:y + 45, 560:900] = np.array([236, 232, 222], np.uint8)
    assert _check(jpeg_bytes(other), data_dir, "191211001000222", "acct-b").score == 0.0


def test_the_index_keeps_a_keyed_hash_of_the_number_never_the_number(data_dir):
    """Same number from another account still matches; the file holds no certificate number in plain, and a
    number an older version wrote in plain is replaced by its hash when the index opens."""
    import sqlite3
    from pathlib import Path

    from credlift.tools.forensics.signals.reuse import DB_NAME, ReuseIndex

    first = jpeg_bytes(certificate(seed=31))
    assert _check(first, data_dir, "191211001007777", "acct-alice").score == 0.0
    other_photo = jpeg_bytes(certificate(seed=32))  # another page, the same number, another account
    assert _check(other_photo, data_dir, "1912 1100 1007 777", "acct-bob").score >= 0.9
    raw = (Path(data_dir) / DB_NAME).read_bytes()
    assert b"191211001007777" not in raw
    with sqlite3.connect(Path(data_dir) / DB_NAME) as db, db:
        db.execute("INSERT INTO upload_fingerprints VALUES ('old', '0000000000000000', x'00', '191211009990000', "
                   "'acct-old', 0)")
    ReuseIndex(Path(data_dir))
    with sqlite3.connect(Path(data_dir) / DB_NAME) as db:
        stored = db.execute("SELECT certificate_number FROM upload_fingerprints WHERE sha256 = 'old'").fetchone()[0]
    assert len(stored) == 64 and stored != "191211009990000"


@pytest.mark.postgres
def test_two_machines_on_one_postgres_see_each_others_uploads(tmp_path, monkeypatch, postgres_database):
    """Two data directories (two machines' volumes) with one data key and one database: a certificate uploaded on
    one is reuse when another account uploads it on the other; the number is stored as its keyed hash only."""
    import base64

    import psycopg

    from credlift.settings import reset_settings_cache

    monkeypatch.setenv("CREDLIFT_DATA_KEY", base64.b64encode(b"k" * 32).decode())
    monkeypatch.setenv("CREDLIFT_DATABASE_URL", postgres_database)
    reset_settings_cache()
    try:
        assert _check(jpeg_bytes(certificate(seed=41)), tmp_path / "one", "191211001004141", "acct-alice").score == 0.0
        signal = _check(jpeg_bytes(certificate(seed=41), quality=80), tmp_path / "two", "191211001004141", "acct-bob")
        assert signal.score >= 0.9 and "another account" in signal.summary
        with psycopg.connect(postgres_database) as connection:
            numbers = [row[0] for row in connection.execute("SELECT certificate_number FROM upload_fingerprints")]
        assert len(numbers) == 2 and "191211001004141" not in numbers and all(len(n) == 64 for n in numbers)
        assert not (tmp_path / "one" / "forensics_reuse.sqlite3").exists()
    finally:
        reset_settings_cache()
