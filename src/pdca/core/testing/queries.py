from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import connection
from django.test.utils import CaptureQueriesContext

_T = TypeVar("_T")


def count_queries(call: Callable[[], _T]) -> tuple[int, _T]:
    """Run `call` and return how many database queries it made, and its result."""
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx.captured_queries), result
