"""The local issuer registry: seeded from a synthetic labels.jsonl, behind the IssuerRegistry interface; a SQLite file
in the data directory by default, a table in Postgres with a database URL."""
from __future__ import annotations

import json

import pytest

from credlift.errors import UserInputError
from credlift.tools.registry import IssuerRegistry, LocalRegistry, default_registry


def write_labels(path, rows):
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")


def test_seeding_from_labels_registers_each_certificate_without_id_numbers(tmp_path, database_url):
    labels = tmp_path / "labels.jsonl"
    write_labels(labels, [
        {"file": "a.png", "type": "cet6", "fields": {"certificate_number": "212211001001234", "holder_name": "林晓雨",
                                                   "total_score": 520, "id_number": "110101199903120214"}},
        {"file": "b.png", "type": "degree", "fields": {"certificate_number": "1000342021001234", "holder_name": "王伟"}},
        {"file": "c.png", "type": "award", "fields": {}},
    ])
    assert default_registry(tmp_path / "data", database_url) is None  # never seeded
    registry = LocalRegistry.in_data_dir(tmp_path / "data", database_url)
    assert registry.seed_from_labels(labels) == 2
    assert isinstance(registry, IssuerRegistry)
    entry = registry.lookup("cet6", "2122 1100 1001 234")
    assert entry.holder_name == "林晓雨" and entry.fields["total_score"] == 520 and "id_number" not in entry.fields
    assert registry.lookup("cet4", "212211001001234") is not None  # CET-4 and CET-6 share one numbering space
    assert registry.lookup("degree", "0000000000000000") is None
    assert registry.seed_from_labels(labels) == 2 and registry.count() == 2  # seeding again replaces, adds nothing
    seeded = default_registry(tmp_path / "data", database_url)  # what another process opens
    assert seeded is not None and seeded.lookup("degree", "1000342021001234").holder_name == "王伟"
    assert [e.certificate_number for e in seeded.entries()] == ["212211001001234", "1000342021001234"]
    assert (tmp_path / "data" / "registry.sqlite3").exists() == (not database_url)
    seeded.close()
    registry.close()


def test_a_missing_or_broken_labels_file_is_a_sentence(tmp_path):
    registry = LocalRegistry(tmp_path / "r.sqlite3")
    with pytest.raises(UserInputError, match="does not exist"):
        registry.seed_from_labels(tmp_path / "nope.jsonl")
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(UserInputError, match="line 1"):
        registry.seed_from_labels(broken)
