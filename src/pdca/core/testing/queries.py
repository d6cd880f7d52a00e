from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(call: Callable[[], object]) -> tuple[int, object]:
    """Run `call` and return how many database queries it made, and its result."""
    with CaptureQueriesContext(connection) as ctx:
        result = call()
    return len(ctx.captured_queries), result
