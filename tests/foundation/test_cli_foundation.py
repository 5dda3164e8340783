"""The command line: accounts and config print what they promise; bad input is one line and a non-zero exit."""
from __future__ import annotations

import json
import subprocess
import sys

from stdnum.cn import ric

from credlift.domain.applicant import mask_id_number, mask_name, redact_id_numbers
from credlift.tools.accounts import AccountStore, load_demo_profiles


def run_cli(*args: str, env_extra: dict | None = None, data_dir=None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", **(env_extra or {})}
    if data_dir is not None:
        env["CREDLIFT_DATA_DIR"] = str(data_dir)
    return subprocess.run([sys.executable, "-m", "credlift.ui.cli", *args], capture_output=True, text=True,
                          env=env, timeout=900)


def test_demo_accounts_have_valid_gb11643_id_numbers():
    profiles = load_demo_profiles()
    assert 8 <= len(profiles) <= 15
    assert all(ric.is_valid(p.id_number) for p in profiles)
    assert any(p.thin_file for p in profiles) and any(not p.thin_file for p in profiles)


def test_accounts_json_lists_masked_people(data_dir):
    result = run_cli("accounts", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert {"id", "name", "limit", "thin_file"} <= set(rows[0])
    full_ids = {p.id_number for p in load_demo_profiles()}
    assert not any(i in result.stdout for i in full_ids)
    graduate = next(r for r in rows if r["id"] == "demo-graduate-01")
    assert graduate["name"] == "林**" and graduate["limit"] == 2000


def test_config_masks_secrets(data_dir):
    result = run_cli("config", "--json", data_dir=data_dir,
                     env_extra={"CREDLIFT_LLM_API_KEY": "sk-very-secret",
                                "CREDLIFT_DATABASE_URL": "postgresql://bob:hunter2@db:5432/credlift"})
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert "sk-very-secret" not in result.stdout and "hunter2" not in result.stdout
    assert shown["database_url"] == "postgresql://********@db:5432/credlift"
    assert shown["data_dir"] == str(data_dir)


def test_unknown_option_is_one_line_and_non_zero(data_dir):
    result = run_cli("accounts", "--bogus", data_dir=data_dir)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_masking_keeps_first_three_and_last_four():
    assert mask_id_number("110105199912310022") == "110***********0022"
    assert mask_name("林晓雨") == "林**"
    assert redact_id_numbers("ID 110105199912310022 here") == "ID 110***********0022 here"


def test_account_store_records_an_increase_once_per_credential(data_dir, database_url):
    """On both engines: SQLite in the data directory, and Postgres, where a second store (another app process)
    sees the increase the first recorded."""
    from datetime import date

    store = AccountStore(data_dir / "db.sqlite3", database_url=database_url)
    updated = store.record_increase("demo-graduate-01", 4000, "cet6:191211001001234", date(2026, 11, 1))
    assert updated.current_limit == 4000 and updated.counted_credentials == ["cet6:191211001001234"]
    assert store.get("demo-graduate-01").last_increase_on == date(2026, 11, 1)
    other = AccountStore(data_dir / "db.sqlite3", database_url=database_url)  # seeding again keeps the increase
    assert other.get("demo-graduate-01").current_limit == 4000
    person = other.get("demo-graduate-01").id_number
    assert "demo-graduate-01" in other.accounts_of_person(person)
    assert {p.account_id for p in other.list()} == {p.account_id for p in load_demo_profiles()}
    other.reset_demo_accounts()
    assert store.get("demo-graduate-01").current_limit == next(
        p.current_limit for p in load_demo_profiles() if p.account_id == "demo-graduate-01")
    other.close()
    store.close()


def test_concurrent_increases_on_one_account_apply_one_and_refuse_the_stale(data_dir, database_url):
    """Two app processes (two stores) apply decisions made on the same starting limit at the same moment: the
    account's row is locked for the read and write, so exactly one is applied and the others are refused as stale
    (no lost update, both engines); the same credential applied again changes nothing."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import date

    from credlift.errors import StaleLimitError

    stores = [AccountStore(data_dir / "db.sqlite3", database_url=database_url) for _ in range(2)]
    start = stores[0].get("demo-graduate-01").current_limit

    def apply(index: int):
        try:
            return stores[index % 2].record_increase("demo-graduate-01", start + 100 * (index + 1), f"cet6:{index}",
                                                     date(2026, 11, 1), from_limit=start)
        except StaleLimitError as error:
            return error

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(apply, range(6)))
    applied = [o for o in outcomes if not isinstance(o, StaleLimitError)]
    assert len(applied) == 1 and sum(isinstance(o, StaleLimitError) for o in outcomes) == 5
    final = stores[1].get("demo-graduate-01")
    assert final.current_limit == applied[0].current_limit and final.counted_credentials == \
        applied[0].counted_credentials and len(final.counted_credentials) == 1
    key = final.counted_credentials[0]
    again = stores[0].record_increase("demo-graduate-01", final.current_limit + 500, key, date(2026, 11, 2),
                                      from_limit=start)  # a restart applying the same decision again
    assert again.current_limit == final.current_limit and again.last_increase_on == date(2026, 11, 1)
    for store in stores:
        store.close()
