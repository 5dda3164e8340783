"""Postgres that restarts: one connection pool per store with a health check on every checkout, and retries with
backoff on transient errors. An outage longer than the retries becomes TemporarilyUnavailableError (a friendly
"try again in a moment"); when the server is back the pool replaces its dead connections on the next checkout,
so the app needs no restart."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
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
