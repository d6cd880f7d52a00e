"""Writing seeded rows fast: batches of `bulk_create`, one transaction per step, and the
historical `created_at` dates written after the insert (`auto_now_add` sets today)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

BATCH = 2000
#: The standards the scale organization follows.
STANDARDS = ("iso9001-2015", "iso14001-2015", "iso27001-2022")
#: Reports a step's progress: (rows done, rows in all).
Advance = Callable[[int, int], None]


@contextmanager
def atomic() -> Iterator[None]:
    with transaction.atomic():
        yield


def batches(rows: list, advance: Advance, done: int = 0, total: int | None = None):
    total = total if total is not None else len(rows)
    for first in range(0, len(rows), BATCH):
        yield rows[first : first + BATCH]
        advance(done + min(first + BATCH, len(rows)), total)


def insert(model, rows: list, advance: Advance | None = None) -> list:
    made: list = []
    for chunk in batches(rows, advance or (lambda d, t: None)):
        made.extend(model.objects.bulk_create(chunk, batch_size=BATCH))
    return made


def set_created_at(model, pairs: list[tuple[int, dt.datetime]]) -> None:
    """created_at is set on insert (auto_now_add): the historical dates are written after."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for first in range(0, len(pairs), BATCH):
            chunk = pairs[first : first + BATCH]
            values = ", ".join(["(%s::bigint, %s::timestamptz)"] * len(chunk))
            params = [item for pair in chunk for item in pair]
            cursor.execute(
                f"UPDATE {table} AS t SET created_at = v.at, updated_at = v.at "  # noqa: S608
                f"FROM (VALUES {values}) AS v(id, at) WHERE t.id = v.id",
                params,
            )


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def archived_fields(state: dict[str, Any], moment: dt.datetime, archived: bool) -> dict[str, Any]:
    if not archived:
        return {}
    return {"archived_at": moment, "archived_by": state["manager"], "archive_reason": "Withdrawn."}
