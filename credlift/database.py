"""The stores' databases: SQLite in the data directory by default, Postgres when `CREDLIFT_DATABASE_URL` names one.

`Database` runs the SQL both engines share (`?` placeholders, `ON CONFLICT`), `create_schema` creates a store's
tables once however many processes start together. Every store (cases and audit, accounts, the reuse index, the
local issuer table) is one module that uses them.

Postgres that restarts: one connection pool per store with a health check on every checkout, and retries with
backoff on transient errors. An outage longer than the retries becomes TemporarilyUnavailableError (a friendly
"try again in a moment"); when the server is back the pool replaces its dead connections on the next checkout,
so the app needs no restart."""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

logger = logging.getLogger(__name__)
T = TypeVar("T")

try:
    import psycopg
    from psycopg_pool import ConnectionPool, PoolTimeout

    TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout)
except ImportError:  # SQLite-only installs
    ConnectionPool = None  # type: ignore[assignment,misc]
    TRANSIENT_ERRORS = ()

CHECKOUT_TIMEOUT_S = 2.0      # how long one checkout waits for a connection before counting as a failure
RETRY_DELAYS_S = (0.2, 0.6)  # backoff between the attempts of one statement


def open_pool(url: str, name: str, max_size: int = 4, **connection_kwargs: Any):
    """A pool whose every checkout is health-checked (a connection broken by a restart is replaced)."""
    pool = ConnectionPool(url, min_size=1, max_size=max_size, name=name, open=False, timeout=CHECKOUT_TIMEOUT_S,
                          check=ConnectionPool.check_connection, reconnect_timeout=3600.0,
                          kwargs={"autocommit": True, **connection_kwargs})
    pool.open(wait=True, timeout=30.0)
    return pool


def with_retries(call: Callable[[], T], what: str = "database call", delays: tuple[float, ...] = RETRY_DELAYS_S) -> T:
    """`call()`, retried after each delay on a transient error; the last error is raised."""
    for attempt in range(len(delays) + 1):
        try:
            return call()
        except TRANSIENT_ERRORS as error:
            if attempt == len(delays):
                raise
            logger.warning("%s failed (%s), retry %d in %.1f s", what, type(error).__name__, attempt + 1,
                           delays[attempt])
            time.sleep(delays[attempt])
    raise AssertionError("unreachable")


SCHEMA_LOCK_KEY = 0x63726564  # one advisory lock for every schema change credlift makes ("cred")
SCHEMA_LOCK_WAIT_S = 300.0


def with_schema_lock(url: str, create: Callable[[], T]) -> T:
    """`create()` while holding a Postgres advisory lock, so that app processes starting together do not race
    to create the same tables (CREATE TABLE IF NOT EXISTS is not safe against a concurrent twin)."""
    with psycopg.connect(url, autocommit=True) as connection:
        # polled, not blocking: a waiter parked in pg_advisory_lock() holds a snapshot, and the checkpointer's
        # CREATE INDEX CONCURRENTLY under the lock waits for every snapshot: the two would wait on each other
        deadline = time.monotonic() + SCHEMA_LOCK_WAIT_S
        while not connection.execute("SELECT pg_try_advisory_lock(%s)", (SCHEMA_LOCK_KEY,)).fetchone()[0]:
            if time.monotonic() > deadline:
                raise TimeoutError(f"another process held the schema lock for over {SCHEMA_LOCK_WAIT_S:.0f} s")
            time.sleep(0.2)
        try:
            return create()
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK_KEY,))


def is_postgres_url(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


class Database:
    """`?` placeholders on both engines. SQLite (`sqlite_path`, when `database_url` is empty): one connection in
    WAL mode serialised by a lock. Postgres: a health-checked connection pool, each statement retried with backoff
    on transient errors (a server restart)."""

    def __init__(self, database_url: str, sqlite_path: Path, name: str = "credlift", pragmas: Sequence[str] = ()):
        self._lock = threading.RLock()
        self.url = database_url
        self.postgres = is_postgres_url(database_url)
        if self.postgres:
            self._pool: Any = open_pool(database_url, name=name)
        else:
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(str(sqlite_path), check_same_thread=False, isolation_level=None,
                                         timeout=10)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA busy_timeout=5000")
            for pragma in pragmas:
                self._conn.execute(f"PRAGMA {pragma}")

    @property
    def blob(self) -> str:
        """The column type of bytes."""
        return "BYTEA" if self.postgres else "BLOB"

    @property
    def double(self) -> str:
        """The column type of a float with a double's precision (Postgres' REAL is a single)."""
        return "DOUBLE PRECISION" if self.postgres else "REAL"

    def execute(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.postgres:
            return with_retries(lambda: self._execute_postgres(sql.replace("?", "%s"), params), self._pool.name)
        with self._lock:
            cursor = self._conn.execute(sql, params)
            try:
                return list(cursor.fetchall()) if cursor.description else []
            finally:
                cursor.close()

    def _execute_postgres(self, sql: str, params: tuple) -> list[tuple]:
        with self._pool.connection() as connection:
            cursor = connection.execute(sql, params)
            return list(cursor.fetchall()) if cursor.description else []

    def execute_many(self, sql: str, rows: Iterable[tuple]) -> None:
        """One statement for many rows, in one transaction (all rows or none)."""
        rows = list(rows)
        if not rows:
            return
        if self.postgres:
            def write() -> None:
                with self._pool.connection() as connection, connection.transaction():
                    connection.cursor().executemany(sql.replace("?", "%s"), rows)

            with_retries(write, self._pool.name)
            return
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(sql, rows)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def in_transaction(self, body: Callable[[Callable[..., list[tuple]]], T]) -> T:
        """`body(execute)` in one transaction: every statement it runs through `execute(sql, params)` commits
        together or not at all. A read meant to be written back takes `FOR UPDATE` (ends in ` FOR UPDATE`): on Postgres
        it locks the row against other processes; SQLite's BEGIN IMMEDIATE already holds the write lock. On
        Postgres the whole body is retried on a transient error, so it must not act outside the database."""
        if self.postgres:
            def attempt() -> T:
                with self._pool.connection() as connection, connection.transaction():
                    def execute(sql: str, params: tuple = ()) -> list[tuple]:
                        cursor = connection.execute(sql.replace("?", "%s"), params)
                        return list(cursor.fetchall()) if cursor.description else []

                    return body(execute)

            return with_retries(attempt, self._pool.name)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                def execute(sql: str, params: tuple = ()) -> list[tuple]:
                    cursor = self._conn.execute(sql.replace(" FOR UPDATE", ""), params)
                    try:
                        return list(cursor.fetchall()) if cursor.description else []
                    finally:
                        cursor.close()

                result = body(execute)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
            return result

    def has_table(self, table: str) -> bool:
        if self.postgres:
            return self.execute("SELECT to_regclass(?) IS NOT NULL", (table,))[0][0]
        return bool(self.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)))

    def add_column(self, table: str, column: str, kind: str) -> None:
        """Adds a column a database made by an older version lacks (idempotent on both engines)."""
        if self.postgres:
            self.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {kind}")
        elif column not in {row[1] for row in self.execute(f"PRAGMA table_info({table})")}:
            self.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    def create_schema(self, create: Callable[[], T]) -> T:
        """`create()` (idempotent statements) once per process; on Postgres under the schema lock, so app
        processes that start together do not race to create the same tables."""
        if self.postgres:
            return with_retries(lambda: with_schema_lock(self.url, create), f"{self._pool.name} schema")
        return create()

    def close(self) -> None:
        with self._lock:
            if self.postgres:
                self._pool.close()
            else:
                self._conn.close()
