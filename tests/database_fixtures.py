"""Databases for the tests of every folder (registered in tests/conftest.py): a throwaway PostgreSQL on 127.0.0.1
(Debian's postgresql 15 binaries, installed by scripts/setup.sh; run as an unprivileged user when the tests run as
root), a fresh database on it per test, a server a test may restart, and `database_url`: each store test run once
on the embedded SQLite default and once on Postgres."""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from local_servers import free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "credliftpg"


def _as_pg_user(command: list[str]) -> list[str]:
    """initdb/pg_ctl refuse to run as root: run them as an unprivileged user (created if needed)."""
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam(PG_USER)
    except KeyError:
        made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", PG_USER],
                              capture_output=True)
        if made.returncode not in (0, 9):  # 9: another test worker created it a moment ago
            raise RuntimeError(f"useradd {PG_USER} failed: {made.stderr.decode(errors='replace').strip()}")
    return ["runuser", "-u", PG_USER, "--", *command]


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL 15 server started for this test session on a random port; torn down afterwards."""
    root = Path(tempfile.mkdtemp(prefix="credlift-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        _as_pg_user(["true"])
        shutil.chown(root, PG_USER)
        shutil.chown(data, PG_USER)
    os.chmod(root, 0o700)
    port = free_port()
    subprocess.run(_as_pg_user([str(PG_BIN / "initdb"), "-D", str(data), "-U", "credlift", "--auth=trust",
                                "-E", "UTF8", "--locale=C"]), check=True, capture_output=True)
    subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w",
                                "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"]),
                   check=True, capture_output=True)
    try:
        yield f"postgresql://credlift@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                       capture_output=True)
        time.sleep(0.2)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def postgres_database(postgres_url):
    """A fresh database on the session's server."""
    import psycopg

    name = f"credlift_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return postgres_url.rsplit("/", 1)[0] + f"/{name}"


class PostgresServer:
    """A PostgreSQL server of its own that a test may stop and start again (same port, same data)."""

    def __init__(self, root: Path):
        self.root, self.data, self.port = root, root / "data", free_port()

    @property
    def url(self) -> str:
        return f"postgresql://credlift@127.0.0.1:{self.port}/postgres"

    def init(self) -> None:
        self.data.mkdir()
        if os.geteuid() == 0:
            _as_pg_user(["true"])
            shutil.chown(self.root, PG_USER)
            shutil.chown(self.data, PG_USER)
        os.chmod(self.root, 0o700)
        subprocess.run(_as_pg_user([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "credlift", "--auth=trust",
                                    "-E", "UTF8", "--locale=C"]), check=True, capture_output=True)

    def start(self) -> None:
        subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                                    "-w", "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                                                "-c fsync=off", "start"]), check=True, capture_output=True)

    def stop(self, mode: str = "fast") -> None:
        subprocess.run(_as_pg_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"]),
                       capture_output=True)


@pytest.fixture()
def postgres_server():
    """A throwaway PostgreSQL for one test, which the test may restart."""
    server = PostgresServer(Path(tempfile.mkdtemp(prefix="credlift-pg-restart-")))
    server.init()
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")
        time.sleep(0.2)
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """"" (the embedded SQLite files in the data directory), then a fresh Postgres database's URL."""
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("postgres_database")


@pytest.fixture()
def database_settings(database_url, data_dir, monkeypatch):
    """The settings of a fresh data directory on `database_url` (CREDLIFT_DATABASE_URL set, settings re-read)."""
    from credlift.settings import get_settings, reset_settings_cache

    monkeypatch.setenv("CREDLIFT_DATABASE_URL", database_url)
    reset_settings_cache()
    yield get_settings()
    reset_settings_cache()
