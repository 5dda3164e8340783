"""A case's waiting time runs from when it entered the queue: an applicant's message or a staff note while it waits
does not restart the clock; leaving the queue stops it; an older database gains the column on open."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

from credlift.agent.case_store import CaseStore
from credlift.ui.web import case_page


def _store(tmp_path, url: str = "") -> CaseStore:
    return CaseStore(url, tmp_path / "cases.sqlite3")


def _walk_through_the_queue(store: CaseStore) -> None:
    case_id = store.open_case("thread-1", "demo-rider-01", "王**")
    assert store.summary(case_id).queued_at is None
    store.update_case(case_id, status="awaiting_review", decision="refer")
    entered = store.summary(case_id).queued_at
    assert entered is not None
    store.update_case(case_id, status="awaiting_review", verdict="tampered")  # the applicant writes meanwhile
    again = store.summary(case_id)
    assert again.queued_at == entered and again.updated_at > entered
    store.update_case(case_id, status="taken_over")  # a person takes it: still waiting for staff, same clock
    assert store.summary(case_id).queued_at == entered
    store.update_case(case_id, status="decided", decision="approve")
    assert store.summary(case_id).queued_at is None
    store.update_case(case_id, status="awaiting_review")  # back in the queue (an appeal): a new clock
    assert store.summary(case_id).queued_at > entered


def test_the_clock_starts_on_entering_the_queue_sqlite(tmp_path):
    _walk_through_the_queue(_store(tmp_path))


def test_the_clock_starts_on_entering_the_queue_postgres(tmp_path, postgres_database):
    _walk_through_the_queue(_store(tmp_path, postgres_database))


def test_a_database_from_an_older_version_gains_the_column(tmp_path):
    with sqlite3.connect(tmp_path / "cases.sqlite3") as old:
        old.execute("""CREATE TABLE cases (case_id TEXT PRIMARY KEY, thread_id TEXT UNIQUE NOT NULL,
            account_id TEXT NOT NULL, masked_name TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'open',
            credential_type TEXT NOT NULL DEFAULT '', verdict TEXT NOT NULL DEFAULT '',
            decision TEXT NOT NULL DEFAULT '', taken_over_by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""")
        old.execute("INSERT INTO cases VALUES ('case-old', 't-old', 'a', 'x', 'awaiting_review', '', '', '', '',"
                    " '2026-12-01T00:00:00+00:00', '2026-12-01T00:00:00+00:00')")
    store = _store(tmp_path)
    assert store.summary("case-old").queued_at is None
    store.update_case("case-old", status="awaiting_review")
    assert store.summary("case-old").queued_at is not None


def test_the_console_shows_time_in_the_queue_not_since_the_last_change():
    from credlift.agent.contracts import CaseSummary

    now = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
    case = CaseSummary(case_id="c", thread_id="t", account_id="a", masked_name="王**", status="awaiting_review",
                       updated_at=now - timedelta(minutes=2), queued_at=now - timedelta(hours=3))
    assert case_page.queue_rows([case], "en", now=now)[0][3] == "3 h"

