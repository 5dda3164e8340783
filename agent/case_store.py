"""Cases, upload outcomes, decisions, staff-side messages and the audit log.

SQLite in data_dir by default; Postgres when `database_url` is a postgres URL. The SQL is the common subset of
both (text keys, `ON CONFLICT DO NOTHING`), so every write keyed by an id is idempotent: a node re-run after a
restart or a resume writes nothing twice.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone
from pathlib import Path

from credlift.agent.contracts import AuditEntry, CaseSummary, ChatMessage, UploadOutcome
from credlift.crypto import FieldCipher, cipher_for_dir
from credlift.database import Database
from credlift.domain import LimitDecision
from credlift.domain.applicant import redact_id_numbers
from credlift.errors import NotFoundError

_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS cases (
        case_id TEXT PRIMARY KEY, thread_id TEXT UNIQUE NOT NULL, account_id TEXT NOT NULL,
        masked_name TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'open',
        credential_type TEXT NOT NULL DEFAULT '', verdict TEXT NOT NULL DEFAULT '',
        decision TEXT NOT NULL DEFAULT '', taken_over_by TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL, queued_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS upload_outcomes (
        case_id TEXT NOT NULL, upload_id TEXT NOT NULL, sha256 TEXT NOT NULL, outcome_json TEXT NOT NULL,
        at TEXT NOT NULL, PRIMARY KEY (case_id, upload_id))""",
    """CREATE TABLE IF NOT EXISTS decisions (
        decision_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, decision_json TEXT NOT NULL,
        applied INTEGER NOT NULL DEFAULT 0, at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS side_messages (
        message_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, role TEXT NOT NULL, author TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL, at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS audit_log (
        entry_id TEXT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        case_id TEXT, detail TEXT NOT NULL DEFAULT '')""",
]


# statuses in which a case waits for staff: its waiting time runs from the moment it entered one of them
WAITING = ("awaiting_review", "taken_over")
_SUMMARY_COLUMNS = "case_id, thread_id, account_id, masked_name, status, credential_type, verdict, decision, updated_at, queued_at"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class CaseStore:
    """A case is one applicant conversation (one thread); it collects uploads, decisions and staff actions.

    Columns that may carry personal data (upload outcomes with the fields and text read, decisions, messages,
    audit details) are encrypted at rest (credlift/crypto.py)."""

    def __init__(self, database_url: str, sqlite_path: Path, cipher: FieldCipher | None = None):
        self._cipher = cipher or cipher_for_dir(sqlite_path.parent)
        self._db = Database(database_url, sqlite_path, name="credlift-cases")
        self._db.create_schema(self._create_schema)  # several app processes may start together on one database

    def _create_schema(self) -> None:
        for statement in _SCHEMA:
            self._db.execute(statement)
        self._db.add_column("cases", "queued_at", "TEXT")

    # cases
    def open_case(self, thread_id: str, account_id: str, masked_name: str) -> str:
        existing = self.case_for_thread(thread_id)
        if existing:
            return existing
        case_id = "case-" + uuid.uuid5(uuid.NAMESPACE_URL, f"credlift:{thread_id}").hex[:12]
        now = _now()
        self._db.execute(
            "INSERT INTO cases (case_id, thread_id, account_id, masked_name, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (case_id, thread_id, account_id, masked_name, now, now))
        return case_id

    def case_for_thread(self, thread_id: str) -> str | None:
        rows = self._db.execute("SELECT case_id FROM cases WHERE thread_id = ?", (thread_id,))
        return rows[0][0] if rows else None

    def summary(self, case_id: str) -> CaseSummary:
        rows = self._db.execute(f"SELECT {_SUMMARY_COLUMNS} FROM cases WHERE case_id = ?", (case_id,))
        if not rows:
            raise NotFoundError(f"no case with id '{case_id}'")
        return self._summary(rows[0])

    @staticmethod
    def _summary(row: tuple) -> CaseSummary:
        return CaseSummary(case_id=row[0], thread_id=row[1], account_id=row[2], masked_name=row[3], status=row[4],
                           credential_type=row[5], verdict=row[6], decision=row[7], updated_at=_time(row[8]),
                           queued_at=_time(row[9]))

    def cases(self, status: str | None = None) -> list[CaseSummary]:
        query = f"SELECT {_SUMMARY_COLUMNS} FROM cases"
        rows = self._db.execute(query + (" WHERE status = ?" if status else "") + " ORDER BY updated_at DESC",
                                (status,) if status else ())
        return [self._summary(row) for row in rows]

    def update_case(self, case_id: str, **columns: str) -> None:
        allowed = {"status", "credential_type", "verdict", "decision", "taken_over_by"}
        sets = {k: v for k, v in columns.items() if k in allowed}
        if not sets:
            return
        now = _now()
        assignments = ", ".join(f"{k} = ?" for k in sets)
        values: tuple = tuple(sets.values())
        if "status" in sets:
            # entering a waiting status starts the clock; staying in one keeps it; leaving stops it
            waiting = ", ".join("?" * len(WAITING))
            assignments += (f", queued_at = CASE WHEN ? NOT IN ({waiting}) THEN NULL "
                            f"WHEN status IN ({waiting}) AND queued_at IS NOT NULL THEN queued_at ELSE ? END")
            values += (sets["status"], *WAITING, *WAITING, now)
        self._db.execute(f"UPDATE cases SET {assignments}, updated_at = ? WHERE case_id = ?", (*values, now, case_id))

    def taken_over_by(self, case_id: str) -> str:
        rows = self._db.execute("SELECT taken_over_by FROM cases WHERE case_id = ?", (case_id,))
        return rows[0][0] if rows else ""

    # uploads
    def record_upload(self, case_id: str, outcome: UploadOutcome) -> None:
        """Latest outcome per upload (later pipeline steps add to it)."""
        payload = self._cipher.seal(outcome.model_dump_json())
        self._db.execute(
            "INSERT INTO upload_outcomes (case_id, upload_id, sha256, outcome_json, at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (case_id, upload_id) DO UPDATE SET outcome_json = excluded.outcome_json, at = excluded.at",
            (case_id, outcome.upload_id, outcome.sha256, payload, _now()))

    def uploads(self, case_id: str) -> list[UploadOutcome]:
        rows = self._db.execute("SELECT outcome_json FROM upload_outcomes WHERE case_id = ? ORDER BY at", (case_id,))
        return [UploadOutcome.model_validate_json(self._cipher.open(row[0])) for row in rows]

    # decisions
    def record_decision(self, decision_id: str, case_id: str, decision: LimitDecision) -> LimitDecision:
        """Stores the decision once; a re-run gets the stored one back (so the engine is not asked twice)."""
        self._db.execute(
            "INSERT INTO decisions (decision_id, case_id, decision_json, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (decision_id, case_id, self._cipher.seal(decision.model_dump_json()), _now()))
        stored = self.decision(decision_id)
        assert stored is not None
        return stored

    def decision(self, decision_id: str) -> LimitDecision | None:
        rows = self._db.execute("SELECT decision_json FROM decisions WHERE decision_id = ?", (decision_id,))
        return LimitDecision.model_validate_json(self._cipher.open(rows[0][0])) if rows else None

    def decisions(self, case_id: str) -> list[tuple[str, LimitDecision, bool]]:
        rows = self._db.execute(
            "SELECT decision_id, decision_json, applied FROM decisions WHERE case_id = ? ORDER BY at", (case_id,))
        return [(row[0], LimitDecision.model_validate_json(self._cipher.open(row[1])), bool(row[2])) for row in rows]

    def mark_applied(self, decision_id: str) -> bool:
        """True the first time only: the account limit is changed once per decision."""
        rows = self._db.execute(
            "UPDATE decisions SET applied = 1 WHERE decision_id = ? AND applied = 0 RETURNING decision_id",
            (decision_id,))
        return bool(rows)

    def is_applied(self, decision_id: str) -> bool:
        rows = self._db.execute("SELECT applied FROM decisions WHERE decision_id = ?", (decision_id,))
        return bool(rows and rows[0][0])

    # messages staff see outside the bot's conversation (staff replies, messages queued while a person handles it)
    def add_side_message(self, case_id: str, message: ChatMessage, message_id: str | None = None) -> None:
        self._db.execute(
            "INSERT INTO side_messages (message_id, case_id, role, author, text, at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (message_id or uuid.uuid4().hex, case_id, message.role, message.author, self._cipher.seal(message.text),
             (message.at or datetime.now(timezone.utc)).isoformat()))

    def side_messages(self, case_id: str) -> list[ChatMessage]:
        rows = self._db.execute(
            "SELECT role, author, text, at FROM side_messages WHERE case_id = ? ORDER BY at", (case_id,))
        return [ChatMessage(role=row[0], author=row[1], text=self._cipher.open(row[2]), at=_time(row[3]))
                for row in rows]

    # audit
    def audit(self, actor: str, action: str, case_id: str | None = None, detail: str = "",
              entry_id: str | None = None) -> None:
        """Append-only; `entry_id` makes an entry idempotent (a re-run node does not log twice)."""
        self._db.execute(
            "INSERT INTO audit_log (entry_id, at, actor, action, case_id, detail) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING",
            (entry_id or uuid.uuid4().hex, _now(), actor, action, case_id, self._cipher.seal(redact_id_numbers(detail))))

    def audit_log(self, case_id: str | None = None) -> list[AuditEntry]:
        query = "SELECT at, actor, action, case_id, detail FROM audit_log"
        rows = self._db.execute(query + (" WHERE case_id = ?" if case_id else "") + " ORDER BY at",
                                (case_id,) if case_id else ())
        return [AuditEntry(at=_time(row[0]), actor=row[1], action=row[2], case_id=row[3],
                           detail=self._cipher.open(row[4])) for row in rows]

    def close(self) -> None:
        self._db.close()
