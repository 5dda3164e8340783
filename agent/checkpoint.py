"""Where the conversation's checkpoints live: a SQLite file in data_dir by default, Postgres when configured."""
from __future__ import annotations

import sqlite3
import sys
from contextlib import AbstractContextManager

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from pydantic import BaseModel

from credlift.settings import Settings

CHECKPOINT_FILE = "checkpoints.sqlite3"


_STATE_MODULES = ("credlift.agent.state", "credlift.agent.contracts", "credlift.domain", "credlift.tools.budget",
                  "credlift.tools.limits")


def credlift_model_types() -> list[type]:
    """Every pydantic model credlift defines (loaded so far): the only classes checkpoints may revive."""
    import importlib

    for module_name in _STATE_MODULES:
        try:
            importlib.import_module(module_name)
        except ImportError:  # a tool not installed yet contributes no types
            pass

    found: list[type] = []
    for name, module in list(sys.modules.items()):
        if not name.startswith("credlift.") or module is None:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == name:
                found.append(value)
    return found


def serializer(settings: Settings | None = None) -> SerializerProtocol:
    """Checkpoints revive only credlift's own types; with settings, they are encrypted at rest (AES-GCM, the data
    key): conversations carry names and ID numbers."""
    plain = JsonPlusSerializer(allowed_msgpack_modules=credlift_model_types())
    if settings is None:
        return plain
    from langgraph.checkpoint.serde.encrypted import EncryptedSerializer

    from credlift.crypto import cipher_for

    return EncryptedSerializer(cipher_for(settings), serde=plain)


def open_checkpointer(settings: Settings) -> tuple[BaseCheckpointSaver, AbstractContextManager | None]:
    """The saver plus the connection to close at shutdown."""
    if settings.uses_postgres:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row

        from credlift.database import open_pool, with_retries, with_schema_lock

        # A health-checked pool: after a server restart the next checkout gets a fresh connection.
        pool = open_pool(settings.database_url, name="credlift-checkpoints", prepare_threshold=0, row_factory=dict_row)
        saver = PostgresSaver(pool, serde=serializer(settings))
        with_retries(lambda: with_schema_lock(settings.database_url, saver.setup), "checkpoint setup")
        return saver, pool
    from langgraph.checkpoint.sqlite import SqliteSaver

    settings.ensure_dirs()
    connection = sqlite3.connect(str(settings.data_dir / CHECKPOINT_FILE), check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    saver = SqliteSaver(connection, serde=serializer(settings))
    saver.setup()
    return saver, connection
