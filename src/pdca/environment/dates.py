"""When compliance evaluations fall due."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_due(registered_on: dt.date, last_evaluated_on: dt.date | None, months: int) -> dt.date:
    """The next evaluation: `months` after the last one recorded, or after the obligation was
    registered while none has been."""
    return add_months(last_evaluated_on or registered_on, months)
