"""What a review input is: a key, a title, the clauses that ask for it, the standards that
ask for it (none: every system), and a function that compiles its figures for a window of
time. The figures are plain JSON, so that approved minutes keep them as they were."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

#: Figures of one input: {"figures": [{label, value, url, tone}], "rows": [{label, detail,
#: url}], "note": str}.
Figures = dict[str, Any]


def months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    # The last day of a shorter month stands in for the 29th to 31st.
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class Window:
    """What an input is compiled for: the organization and system, the review (None for a
    preview), the date the data is read as of, and the start of the period under review (the
    previous review's date, or one review interval before)."""

    organization: Any
    system: Any
    review: Any
    as_of: dt.date
    start: dt.date
    standards: tuple[str, ...]

    def dated(self, field: str) -> Q:
        """A date field within the period: after its start, up to the as-of date."""
        return Q(**{f"{field}__gt": self.start, f"{field}__lte": self.as_of})

    def timed(self, field: str) -> Q:
        """A date-and-time field within the period (by its local date)."""
        return Q(**{f"{field}__date__gt": self.start, f"{field}__date__lte": self.as_of})

    def existed(self, field: str = "created_at") -> Q:
        """Rows that existed on the as-of date."""
        return Q(**{f"{field}__date__lte": self.as_of})

    @property
    def period_label(self) -> str:
        return f"from {self.start:%Y-%m-%d} to {self.as_of:%Y-%m-%d}"


@dataclass(frozen=True)
class InputDef:
    key: str
    title: str
    clauses: str
    compile: Callable[[Window], Figures]
    #: Code prefixes of the standards that ask for it ("iso14001"); empty: every standard.
    standards: tuple[str, ...] = ()

    def applies(self, adopted: tuple[str, ...]) -> bool:
        if not self.standards:
            return True
        return any(code.startswith(prefix) for code in adopted for prefix in self.standards)


# --- building blocks of the figures ---------------------------------------------------------


def link(url_name: str, **params: Any) -> str:
    url = reverse(url_name)
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(clean)}" if clean else url


def figure(label: str, value: Any, url: str = "", tone: str = "") -> dict[str, Any]:
    """One figure; `tone` is "bad" when it asks for attention and "good" when it reassures
    (nothing reassures about a zero)."""
    if tone == "good" and not value:
        tone = ""
    return {"label": label, "value": value, "url": url, "tone": tone}


def row(label: str, detail: str = "", url: str = "") -> dict[str, str]:
    return {"label": label, "detail": detail, "url": url}


def figures(items: list[dict], rows: list[dict] | None = None, note: str = "") -> Figures:
    return {"figures": items, "rows": rows or [], "note": note}


def bad_if(value: int | float | None) -> str:
    return "bad" if value else ""


#: Filled by `common` and `standards` (imported below), in the order the minutes show them.
INPUTS: list[InputDef] = []


def declare(
    key: str, title: str, clauses: str, *, standards: tuple[str, ...] = ()
) -> Callable[[Callable[[Window], Figures]], Callable[[Window], Figures]]:
    def wrap(function: Callable[[Window], Figures]) -> Callable[[Window], Figures]:
        if any(existing.key == key for existing in INPUTS):
            raise ValueError(f"review input {key!r} is declared twice")
        INPUTS.append(InputDef(key, title, clauses, function, standards))
        return function

    return wrap


def inputs_for(adopted: tuple[str, ...]) -> list[InputDef]:
    """The inputs a system with these standards must review, common ones first."""
    from pdca.reviews.inputs import common, standards  # noqa: F401  (they declare the inputs)

    return [item for item in INPUTS if item.applies(adopted)]
