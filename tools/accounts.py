"""The account store: demo applicants seeded from tools/data/demo_accounts.yaml into the database (a SQLite file
in the data directory, or Postgres when `CREDLIFT_DATABASE_URL` is set: credlift/database.py).

A lender replaces this with its own customer system behind the same methods.
"""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import yaml
from stdnum.cn import ric

from credlift.crypto import FieldCipher, cipher_for_dir
from credlift.database import Database
from credlift.domain.applicant import ApplicantProfile
from credlift.errors import NotFoundError, StaleLimitError, UserInputError

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
    """Accounts by id. Thread-safe; profiles encrypted at rest. SQLite at `db_path` by default, Postgres when
    `database_url` is a postgres URL (app processes on several machines then share the accounts)."""

    def __init__(self, db_path: Path, cipher: FieldCipher | None = None, database_url: str = ""):
        self._cipher = cipher or cipher_for_dir(db_path.parent)
        self._db = Database(database_url, db_path, name="credlift-accounts")
        self._db.create_schema(self._create_schema)
        self.seed_demo_accounts()

    @classmethod
    def for_settings(cls, settings, cipher: FieldCipher | None = None) -> "AccountStore":
        """The accounts these settings name: Postgres when they have a database URL, else the data directory's file."""
        return cls(settings.db_path, cipher, database_url=settings.database_url)

    def _create_schema(self) -> None:
        self._db.execute(_SCHEMA)
        self._db.add_column("accounts", "id_hash", "TEXT NOT NULL DEFAULT ''")

    def _row(self, profile: ApplicantProfile) -> tuple[str, str]:
        return self._cipher.seal(profile.model_dump_json()), self._cipher.keyed_hash(profile.id_number)

    def _profile(self, stored: str) -> ApplicantProfile:
        return ApplicantProfile.model_validate_json(self._cipher.open(stored))

    def accounts_of_person(self, id_number: str) -> list[str]:
        """Account ids held by the person with this ID number (matched by keyed hash)."""
        rows = self._db.execute("SELECT account_id FROM accounts WHERE id_hash = ? ORDER BY account_id",
                                (self._cipher.keyed_hash(id_number),))
        return [row[0] for row in rows]

    def seed_demo_accounts(self) -> None:
        """The demo accounts that are missing (one that exists keeps its limit and history)."""
        self._db.execute_many(
            "INSERT INTO accounts (account_id, profile_json, id_hash, demo) VALUES (?, ?, ?, 1) ON CONFLICT DO NOTHING",
            [(profile.account_id, *self._row(profile)) for profile in load_demo_profiles()])

    def get(self, account_id: str) -> ApplicantProfile:
        rows = self._db.execute("SELECT profile_json FROM accounts WHERE account_id = ?", (account_id,))
        if not rows:
            raise NotFoundError(f"no account with id '{account_id}' (see `credlift accounts`)")
        return self._profile(rows[0][0])

    def list(self) -> list[ApplicantProfile]:
        rows = self._db.execute("SELECT profile_json FROM accounts ORDER BY demo DESC, account_id")
        return [self._profile(r[0]) for r in rows]

    def save(self, profile: ApplicantProfile, demo: bool = False) -> ApplicantProfile:
        check_id_number(profile.id_number)
        self._db.execute(
            "INSERT INTO accounts (account_id, profile_json, id_hash, demo) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (account_id) DO UPDATE SET profile_json = excluded.profile_json, "
            "id_hash = excluded.id_hash, demo = excluded.demo",
            (profile.account_id, *self._row(profile), int(demo)),
        )
        return profile

    def record_increase(self, account_id: str, new_limit: int, credential_key: str, on: date,
                        from_limit: int | None = None) -> ApplicantProfile:
        """Raises the limit to `new_limit` and counts the credential, in one transaction with the account's row
        locked, so two app processes applying decisions at once cannot lose one. A credential already counted
        changes nothing (a decision applied again after a restart). `from_limit`: the limit the decision was made
        on; when the account's limit is no longer that (another decision was applied in the meantime), nothing is
        changed and StaleLimitError says so."""
        def apply(execute) -> ApplicantProfile:
            rows = execute("SELECT profile_json FROM accounts WHERE account_id = ? FOR UPDATE", (account_id,))
            if not rows:
                raise NotFoundError(f"no account with id '{account_id}' (see `credlift accounts`)")
            profile = self._profile(rows[0][0])
            if credential_key in profile.counted_credentials:
                return profile
            if from_limit is not None and profile.current_limit != from_limit:
                raise StaleLimitError(
                    f"the limit of {account_id} is {profile.current_limit}, not the {from_limit} this decision was "
                    "made on: another decision was applied in the meantime")
            # A higher limit does not change what is owed: the balance stays, its share of the limit falls.
            utilisation = min(1.0, profile.balance_owed / new_limit) if new_limit > 0 else profile.utilisation
            updated = profile.model_copy(update={
                "current_limit": new_limit,
                "utilisation": utilisation,
                "last_increase_on": on,
                "counted_credentials": [*profile.counted_credentials, credential_key],
            })
            check_id_number(updated.id_number)
            execute("UPDATE accounts SET profile_json = ?, id_hash = ?, demo = 1 WHERE account_id = ?",
                    (*self._row(updated), account_id))
            return updated

        return self._db.in_transaction(apply)

    def reset_demo_accounts(self) -> None:
        self._db.execute("DELETE FROM accounts WHERE demo = 1")
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
