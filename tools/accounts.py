"""The account store: demo applicants seeded from tools/data/demo_accounts.yaml into the SQLite database.

A lender replaces this with its own customer system behind the same methods.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date
from pathlib import Path

import yaml
from stdnum.cn import ric

from credlift.crypto import FieldCipher, cipher_for_dir
from credlift.domain.applicant import ApplicantProfile
from credlift.errors import NotFoundError, UserInputError

DEMO_ACCOUNTS_FILE = Path(__file__).parent / "data" / "demo_accounts.yaml"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY,
    profile_json TEXT NOT NULL,
    demo INTEGER NOT NULL DEFAULT 0
)
"""
# profile_json is encrypted (names and ID numbers at rest); id_hash is the keyed hash of the ID number, so the
# same person is found across accounts without storing the number.


def load_demo_profiles() -> list[ApplicantProfile]:
    rows = yaml.safe_load(DEMO_ACCOUNTS_FILE.read_text(encoding="utf-8"))["accounts"]
    return [ApplicantProfile(**row) for row in rows]


def check_id_number(id_number: str) -> str:
    """GB 11643 check (area, birth date, check character) through python-stdnum."""
    try:
        return ric.validate(id_number)
    except Exception as error:  # stdnum raises several ValidationError subclasses
        raise UserInputError(f"the ID number is not valid ({error})") from None


class AccountStore:
    """Accounts by id. Thread-safe; one SQLite connection per store; profiles encrypted at rest."""

    def __init__(self, db_path: Path, cipher: FieldCipher | None = None):
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self._cipher = cipher or cipher_for_dir(db_path.parent)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(db_path), check_same_thread=False)
        self._db.execute(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(accounts)")}
        if "id_hash" not in columns:
            self._db.execute("ALTER TABLE accounts ADD COLUMN id_hash TEXT NOT NULL DEFAULT ''")
        self._db.commit()
        self.seed_demo_accounts()

    def _row(self, profile: ApplicantProfile) -> tuple[str, str]:
        return self._cipher.seal(profile.model_dump_json()), self._cipher.keyed_hash(profile.id_number)

    def _profile(self, stored: str) -> ApplicantProfile:
        return ApplicantProfile.model_validate_json(self._cipher.open(stored))

    def accounts_of_person(self, id_number: str) -> list[str]:
        """Account ids held by the person with this ID number (matched by keyed hash)."""
        with self._lock:
            rows = self._db.execute("SELECT account_id FROM accounts WHERE id_hash = ? ORDER BY account_id",
                                    (self._cipher.keyed_hash(id_number),)).fetchall()
        return [row[0] for row in rows]

    def seed_demo_accounts(self) -> None:
        with self._lock:
            for profile in load_demo_profiles():
                self._db.execute(
                    "INSERT OR IGNORE INTO accounts (account_id, profile_json, id_hash, demo) VALUES (?, ?, ?, 1)",
                    (profile.account_id, *self._row(profile)),
                )
            self._db.commit()

    def get(self, account_id: str) -> ApplicantProfile:
        with self._lock:
            row = self._db.execute("SELECT profile_json FROM accounts WHERE account_id = ?", (account_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"no account with id '{account_id}' (see `credlift accounts`)")
        return self._profile(row[0])

    def list(self) -> list[ApplicantProfile]:
        with self._lock:
            rows = self._db.execute("SELECT profile_json FROM accounts ORDER BY demo DESC, account_id").fetchall()
        return [self._profile(r[0]) for r in rows]

    def save(self, profile: ApplicantProfile, demo: bool = False) -> ApplicantProfile:
        check_id_number(profile.id_number)
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO accounts (account_id, profile_json, id_hash, demo) VALUES (?, ?, ?, ?)",
                (profile.account_id, *self._row(profile), int(demo)),
            )
            self._db.commit()
        return profile

    def record_increase(self, account_id: str, new_limit: int, credential_key: str, on: date) -> ApplicantProfile:
        profile = self.get(account_id)
        # A higher limit does not change what is owed: the balance stays, its share of the limit falls.
        utilisation = min(1.0, profile.balance_owed / new_limit) if new_limit > 0 else profile.utilisation
        updated = profile.model_copy(update={
            "current_limit": new_limit,
            "utilisation": utilisation,
            "last_increase_on": on,
            "counted_credentials": [*profile.counted_credentials, credential_key],
        })
        return self.save(updated, demo=True)

    def reset_demo_accounts(self) -> None:
        with self._lock:
            self._db.execute("DELETE FROM accounts WHERE demo = 1")
            self._db.commit()
        self.seed_demo_accounts()

    def close(self) -> None:
        self._db.close()


def summary_row(profile: ApplicantProfile) -> dict:
    """What `credlift accounts` shows: personal data masked."""
    return {
        "id": profile.account_id,
        "name": profile.masked_name,
        "id_number": profile.masked_id_number,
        "limit": profile.current_limit,
        "utilisation": profile.utilisation,
        "months_on_book": profile.months_on_book,
        "delinquent_last_12m": profile.delinquent_last_12m,
        "income_band": profile.income_band,
        "thin_file": profile.thin_file,
        "occupation": profile.occupation,
    }


def dumps_summary(profiles: list[ApplicantProfile]) -> str:
    return "\n".join(json.dumps(summary_row(p), ensure_ascii=False) for p in profiles)
