"""Issuer registries: did the issuer really issue this certificate to this person?

`IssuerRegistry` is the interface a real registry (CHSI for graduation and degree records, the CET score query,
the skills certificate query) can implement. `LocalRegistry` is the embedded one: a table of issued certificates,
seeded from a synthetic `labels.jsonl`, in a SQLite file in the data directory or, when `CREDLIFT_DATABASE_URL` is
set, in Postgres (credlift/database.py).
"""
from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

from pydantic import BaseModel, Field

from credlift.domain.credential import CredentialRecord, FieldValue
from credlift.errors import UserInputError

RegistryStatus = Literal["verified", "not_found", "mismatch", "unavailable", "not_applicable"]

#: fields an issuer's record is compared on, where both sides have them
COMPARED_FIELDS: tuple[str, ...] = ("holder_name", "school", "issue_date", "total_score", "level", "degree_level",
                                    "major", "occupation", "skill_level", "competition", "award_level",
                                    "qualification_level", "exam_session")


class RegistryEntry(BaseModel):
    """What the issuer's records say about one certificate."""
    credential_type: str
    certificate_number: str
    holder_name: str = ""
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    source: str = "local"


class RegistryCheck(BaseModel):
    """The outcome of asking the issuer: verified / not_found / mismatch / unavailable (or not_applicable)."""
    status: RegistryStatus
    mismatched_fields: list[str] = Field(default_factory=list)
    entry: RegistryEntry | None = None
    source: str = Field(default="", description="who answered: 'local', 'synth', 'issuer:cet', ...")


@runtime_checkable
class IssuerRegistry(Protocol):
    def lookup(self, credential_type: str, certificate_number: str) -> RegistryEntry | None:
        """The issuer's record of this certificate, or None when the issuer has no such certificate.

        Raise `credlift.errors.BackendUnavailableError` when the registry cannot be asked right now.
        """


def _registry_type(credential_type: str) -> str:
    # CET-4 and CET-6 share one numbering space (the level is a digit of the number)
    return "cet" if credential_type in ("cet4", "cet6") else credential_type


def _normalised_number(number: str) -> str:
    from credlift.tools.credential_numbers import normalise_number

    return normalise_number(str(number))


REGISTRY_FILE = "registry.sqlite3"
_TABLE = "issued_certificates"
_COLUMNS = "credential_type, certificate_number, holder_name, fields_json, source"


class LocalRegistry:
    """Issued certificates in SQLite (`<data_dir>/registry.sqlite3`), or in Postgres with a `database_url`."""

    def __init__(self, path: Path, database_url: str = "", create: bool = True):
        from credlift.database import Database

        self.path = Path(path)
        self._db = Database(database_url, self.path, name="credlift-registry")
        if create:
            self._db.create_schema(lambda: self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {_TABLE} ("
                " registry_type TEXT NOT NULL, certificate_number TEXT NOT NULL, credential_type TEXT NOT NULL,"
                " holder_name TEXT NOT NULL DEFAULT '', fields_json TEXT NOT NULL, source TEXT NOT NULL,"
                " PRIMARY KEY (registry_type, certificate_number))"))

    @property
    def where(self) -> str:
        """Where the table is, for messages (never the database password)."""
        return "Postgres (CREDLIFT_DATABASE_URL)" if self._db.postgres else str(self.path)

    @property
    def seeded(self) -> bool:
        """Whether the table exists (it is made when the registry is first seeded)."""
        return self._db.has_table(_TABLE)

    @classmethod
    def in_data_dir(cls, data_dir: Path, database_url: str = "") -> LocalRegistry:
        return cls(Path(data_dir) / REGISTRY_FILE, database_url)

    @classmethod
    def for_settings(cls, settings) -> LocalRegistry:
        """The table these settings name (Postgres when they have a database URL), created if missing."""
        return cls.in_data_dir(settings.data_dir, settings.database_url)

    def add(self, entry: RegistryEntry) -> None:
        self.add_many([entry])

    def add_many(self, entries: Iterable[RegistryEntry]) -> int:
        rows = [(_registry_type(e.credential_type), _normalised_number(e.certificate_number), e.credential_type,
                 e.holder_name, json.dumps(e.fields, ensure_ascii=False), e.source) for e in entries]
        self._db.execute_many(
            f"INSERT INTO {_TABLE} (registry_type, certificate_number, credential_type, holder_name, fields_json, "
            "source) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (registry_type, certificate_number) DO UPDATE SET credential_type = excluded.credential_type, "
            "holder_name = excluded.holder_name, fields_json = excluded.fields_json, source = excluded.source", rows)
        return len(rows)

    @staticmethod
    def _entry(row: tuple) -> RegistryEntry:
        return RegistryEntry(credential_type=row[0], certificate_number=row[1], holder_name=row[2],
                             fields=json.loads(row[3]), source=row[4])

    def lookup(self, credential_type: str, certificate_number: str) -> RegistryEntry | None:
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM {_TABLE} WHERE registry_type = ? AND certificate_number = ?",
                                (_registry_type(credential_type), _normalised_number(certificate_number)))
        return self._entry(rows[0]) if rows else None

    def entries(self) -> list[RegistryEntry]:
        """Every certificate in the table (to seed the issuer simulator from the demo data)."""
        rows = self._db.execute(f"SELECT {_COLUMNS} FROM {_TABLE} ORDER BY registry_type, certificate_number")
        return [self._entry(row) for row in rows]

    def count(self) -> int:
        return int(self._db.execute(f"SELECT COUNT(*) FROM {_TABLE}")[0][0])

    def close(self) -> None:
        self._db.close()

    def seed_from_labels(self, labels_path: Path) -> int:
        """Adds every certificate of a synthetic `labels.jsonl` as issued (a tampered image keeps the genuine
        fields the generator started from, where the row has them)."""
        return self.add_many(entries_from_labels(labels_path))


def entries_from_labels(labels_path: Path) -> list[RegistryEntry]:
    """The registry entries of a synthetic `labels.jsonl` (rows without a type or number skipped); a missing file
    or a line that is not JSON is a UserInputError naming it."""
    labels_path = Path(labels_path)
    if not labels_path.is_file():
        raise UserInputError(f"the labels file '{labels_path}' does not exist")
    entries = []
    with labels_path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise UserInputError(f"line {number} of '{labels_path.name}' is not JSON") from None
            entry = entry_from_label(row)
            if entry is not None:
                entries.append(entry)
    return entries


def entry_from_label(row: dict) -> RegistryEntry | None:
    """A registry entry from one synthetic label row (None when the row has no type or number)."""
    credential_type = row.get("type") or row.get("credential_type")
    fields = row.get("original_fields") or row.get("genuine_fields") or row.get("fields") or {}
    number = fields.get("certificate_number")
    if not credential_type or not number:
        return None
    kept = {key: value for key, value in fields.items() if key != "id_number"}  # the registry needs no ID numbers
    return RegistryEntry(credential_type=credential_type, certificate_number=str(number),
                         holder_name=str(fields.get("holder_name") or ""), fields=kept, source="synth")


def check_against_registry(record: CredentialRecord, registry: IssuerRegistry | None) -> RegistryCheck:
    """Looks the record's certificate up and compares the fields both sides have.

    A record that carries a CHSI online verification code is looked up by that code where the registry can
    (`lookup_report`); the certificate number it certifies is then compared too. A registry that says it does
    not serve the type (`serves`) leaves the record unchecked (not_applicable)."""
    from credlift.database import TRANSIENT_ERRORS
    from credlift.errors import BackendUnavailableError

    number = record.fields.get("certificate_number")
    code = record.fields.get("verification_code")
    by_code = bool(code) and hasattr(registry, "lookup_report")
    if registry is None or (not number and not by_code) or record.type in ("other", "unknown"):
        return RegistryCheck(status="not_applicable")
    if not by_code and hasattr(registry, "serves") and not registry.serves(record.type):
        return RegistryCheck(status="not_applicable")
    try:
        entry = registry.lookup_report(str(code)) if by_code else registry.lookup(record.type, str(number))
    except (BackendUnavailableError, sqlite3.Error, OSError, *TRANSIENT_ERRORS) as error:
        return RegistryCheck(status="unavailable", source=str(getattr(error, "issuer", "") or ""))
    if entry is None:
        return RegistryCheck(status="not_found")
    issued = dict(entry.fields)
    if entry.holder_name:
        issued["holder_name"] = entry.holder_name
    compared = COMPARED_FIELDS + (("certificate_number",) if by_code else ())
    if by_code:
        issued["certificate_number"] = entry.certificate_number
    mismatched = [key for key in compared
                  if record.fields.get(key) not in (None, "") and issued.get(key) not in (None, "")
                  and _comparable(record.fields[key]) != _comparable(issued[key])]
    if (_registry_type(entry.credential_type) == "cet" or by_code) and entry.credential_type != record.type:
        mismatched.insert(0, "type")
    return RegistryCheck(status="mismatch" if mismatched else "verified", mismatched_fields=mismatched, entry=entry,
                         source=entry.source)


def _comparable(value: FieldValue) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace(" ", "").strip()


def default_registry(data_dir: Path, database_url: str = "") -> LocalRegistry | None:
    """The local registry of this data directory (or of this Postgres database), when one has been seeded."""
    from credlift.database import is_postgres_url

    path = Path(data_dir) / REGISTRY_FILE
    if not is_postgres_url(database_url):
        return LocalRegistry(path) if path.exists() else None
    registry = LocalRegistry(path, database_url, create=False)
    if registry.seeded:
        return registry
    registry.close()
    return None
