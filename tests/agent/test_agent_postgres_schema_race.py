"""App processes that start together on one fresh Postgres database create the schema once, without failing on
each other (CREATE TABLE IF NOT EXISTS races with a concurrent twin; credlift takes an advisory lock)."""
from __future__ import annotations

import threading

import pytest


@pytest.mark.postgres
def test_case_stores_and_checkpointers_starting_together_share_one_schema(tmp_path, postgres_database):
    from credlift.agent.case_store import CaseStore
    from credlift.agent.checkpoint import open_checkpointer
    from credlift.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", database_url=postgres_database)
    starting, errors, opened = threading.Barrier(6), [], []

    def start(kind: str) -> None:
        try:
            starting.wait(timeout=600)
            if kind == "cases":
                opened.append(CaseStore(postgres_database, tmp_path / "cases.sqlite3"))
            else:
                _, pool = open_checkpointer(settings)
                opened.append(pool)
        except Exception as error:  # the race shows as UniqueViolation on pg_type
            errors.append(f"{kind}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=start, args=(kind,)) for kind in ("cases", "checkpoints") * 3]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=900)
    try:
        assert errors == [] and len(opened) == 6
        store = opened[0] if isinstance(opened[0], CaseStore) else next(o for o in opened if isinstance(o, CaseStore))
        case_id = store.open_case("thread-race", "demo-graduate-01", "林**")
        assert store.case_for_thread("thread-race") == case_id
    finally:
        for item in opened:
            item.close()
