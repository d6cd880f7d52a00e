"""Durations in hours, read as people say them ("1 day", "2 weeks")."""

from __future__ import annotations

_UNITS = ((720, "month"), (168, "week"), (24, "day"))


def duration_label(hours: int | None) -> str:
    """`4` → "4 h", `24` → "1 day", `336` → "2 weeks", `30` → "30 h" (not a whole unit)."""
    if hours is None:
        return ""
    for size, unit in _UNITS:
        if hours >= size and hours % size == 0:
            count = hours // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{hours} h"
