"""What a home section holds: things to do, each linking to where it is done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.urls import NoReverseMatch, reverse

#: Items a section shows; the rest are counted and reached through its link.
SHOWN = 6
#: Rows a section fetches: a few beyond those shown, as its items are sorted again (overdue
#: first) after fetching.
FETCHED = 8

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class Item:
    """One thing to do (or to keep an eye on)."""

    title: str
    url: str
    #: A short word for the kind of task ("Approve", "Action"), shown as a badge.
    badge: str = ""
    #: Bootstrap colour of the badge.
    tone: str = "secondary"
    note: str = ""
    due: dt.date | None = None
    overdue: bool = False


@dataclass
class Section:
    """A block of the home page. `key` names its anchors: the section is `home-<key>`, its
    heading `<key>-heading` (pages and browser tests find them by these ids)."""

    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    #: (label, url) of the page with the whole list, or None.
    link: tuple[str, str] | None = None
    empty: str = "Nothing to do."
    #: Items beyond those shown.
    more: int = 0
    #: Shown for information (where things stand), not counted as things to do.
    info: bool = False
    #: Overdue items, those not shown included.
    overdue: int = 0


def overdue_first(items: Iterable[Item]) -> list[Item]:
    """Overdue first, then by due date, undated last; the order given breaks ties."""
    return sorted(items, key=lambda i: (not i.overdue, i.due or dt.date.max))


def section(
    key: str,
    title: str,
    items: Iterable[Item],
    *,
    link: tuple[str, str] | None = None,
    empty: str = "Nothing to do.",
    total: int | None = None,
    late: int | None = None,
    limit: int = SHOWN,
    ordered: bool = False,
    info: bool = False,
) -> Section:
    """A section showing the first `limit` items (overdue first unless `ordered`); `total`
    and `late` are how many there are, and how many are overdue, when the caller fetched only
    some of them."""
    rows = list(items) if ordered else overdue_first(items)
    count = len(rows) if total is None else max(total, len(rows))
    overdue = sum(1 for item in rows if item.overdue) if late is None else late
    shown = rows[:limit]
    return Section(key, title, shown, link, empty, count - len(shown), info, overdue)


def first_rows(rows: QuerySet[_M], late: Q, *order: str) -> tuple[list[_M], int, int]:
    """The first rows of a section by `order`, how many rows there are, and how many are late
    (`late`): two queries, whatever their number."""
    counts = rows.aggregate(total=Count("pk"), late=Count("pk", filter=late))
    return list(rows.order_by(*order)[:FETCHED]), counts["total"], counts["late"]


def url(name: str, *args: object) -> str:
    """The page's address, or "" when that page is not built (an item then shows unlinked)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def link(label: str, name: str, *args: object, query: str = "") -> tuple[str, str] | None:
    address = url(name, *args)
    return (label, f"{address}{query}") if address else None


def due_note(due: dt.date | None, today: dt.date, what: str = "due") -> str:
    if due is None:
        return ""
    if due < today:
        return f"{what} {due:%Y-%m-%d}, {(today - due).days} days ago"
    return f"{what} {due:%Y-%m-%d}"
