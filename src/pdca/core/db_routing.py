"""Reports read from a replica when one is configured (`PDCA_REPLICA_DATABASE_URL`).

`DATABASES["replica"]` exists only when the setting is given, and `ReplicaRouter` is installed
only then: without it nothing changes. Even with it, reads go to the replica only inside
`reading_from_replica()` (the worker enters it for job kinds registered with `reads_replica=True`:
reports that read much and write nothing), and never inside a transaction on the primary (a
transaction that writes must read what it wrote, and its locks). Writes always go to the
primary, as do the queue's and the jobs' own rows (a job's progress is written while it runs).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
#: (app label, model name) read from the primary even inside the block: bookkeeping that the
#: running job writes itself.
PRIMARY_ONLY_APPS = frozenset({"django_tasks_db", "sessions", "axes"})
PRIMARY_ONLY_MODELS = frozenset({("core", "job")})

_reading = contextvars.ContextVar("pdca_reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextlib.contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads of the block go to the replica when one is configured (see the module)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def reads_replica_now(model: Any = None) -> bool:
    """Whether a read of `model` made now goes to the replica."""
    # The router is installed only with a replica, so no check for one here.
    if not _reading.get():
        return False
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return False
    if model is not None:
        meta = model._meta
        if meta.app_label in PRIMARY_ONLY_APPS or (meta.app_label, meta.model_name) in (
            PRIMARY_ONLY_MODELS
        ):
            return False
    return True


class ReplicaRouter:
    """Installed by the settings when PDCA_REPLICA_DATABASE_URL is set."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return REPLICA if reads_replica_now(model) else DEFAULT_DB_ALIAS

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
