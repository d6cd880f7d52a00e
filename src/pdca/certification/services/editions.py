"""Editions and their transitions, as a certification body sees them (reference 8).

A standard's edition is named in full (`ISO 9001:2015+A1:2024`, `Standard.full_name`). When
the catalog holds a newer edition that replaces it (`Standard.successor`), the old edition is
in transition: the new edition's `transition_ends` is the last day a certificate to the old one
is valid, and its `new_certificates_until` the last day a new or renewed certificate to the old
one may be issued. Both are data, corrected in the catalog, never in code; when the catalog
marks them `transition_provisional`, every page and answer says so.

Everything here reads the successor through `replaced_by`, so a list that prefetches its
standards with `standards_prefetch()` costs no query per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from pdca.standards.models import Standard

__all__ = [
    "EditionTransition",
    "issuing_problem",
    "standard_facts",
    "standards_prefetch",
    "standards_query",
    "transition_of",
    "transitions_of",
    "urgent",
]


def standards_query() -> QuerySet[Standard]:
    """Standards with their successor joined (one query, whatever the number of editions)."""
    return Standard.objects.select_related("replaced_by").order_by("name", "edition")


def standards_prefetch(lookup: str = "standards") -> Prefetch:
    """Prefetch `lookup` (a many-to-many to Standard) with each successor joined."""
    return Prefetch(lookup, queryset=standards_query())


@dataclass(frozen=True)
class EditionTransition:
    """The transition of one edition to the one that replaces it."""

    standard: Standard
    successor: Standard

    @property
    def ends(self) -> dt.date | None:
        return self.successor.transition_ends

    @property
    def new_certificates_until(self) -> dt.date | None:
        return self.successor.new_certificates_until

    @property
    def provisional(self) -> bool:
        return self.successor.transition_provisional

    @property
    def note(self) -> str:
        return self.successor.transition_note

    def ended(self, on: dt.date) -> bool:
        """Whether certificates to the old edition are no longer valid on `on`."""
        return self.ends is not None and on > self.ends

    def issuing_until(self) -> dt.date | None:
        """The last day a new or renewed certificate to the old edition may be issued."""
        return self.new_certificates_until or self.ends

    def sentence(self, on: dt.date | None = None) -> str:
        """`In transition: move to ISO 14001:2026 by 2029-04-15 (provisional date).`"""
        mark = " (provisional date)" if self.provisional else ""
        target = self.successor.full_name
        if self.ends is None:
            return f"In transition: move to {target} (the deadline is not set yet)."
        if on is not None and self.ended(on):
            return (
                f"Transition to {target} ended on {self.ends:%Y-%m-%d}{mark}: certificates to "
                f"{self.standard.full_name} are not valid after it."
            )
        return f"In transition: move to {target} by {self.ends:%Y-%m-%d}{mark}."

    def as_dict(self, on: dt.date | None = None) -> dict[str, Any]:
        """The `transition` object of the API."""
        return {
            "standard": self.standard.code,
            "full_name": self.standard.full_name,
            "successor": self.successor.code,
            "successor_full_name": self.successor.full_name,
            "ends": self.ends,
            "new_certificates_until": self.new_certificates_until,
            "provisional": self.provisional,
            "ended": self.ended(on) if on is not None else False,
            "note": self.note,
            "text": self.sentence(on),
        }


def transition_of(standard: Standard) -> EditionTransition | None:
    """The transition of `standard` to the edition replacing it, or None when none does."""
    successor = standard.successor
    return EditionTransition(standard, successor) if successor is not None else None


def transitions_of(standards: Iterable[Standard]) -> list[EditionTransition]:
    """The transitions of those of `standards` that a newer edition replaces, most urgent
    first (a transition without a deadline last)."""
    found = [t for t in (transition_of(s) for s in standards) if t is not None]
    return sorted(found, key=lambda t: (t.ends is None, t.ends or dt.date.max, t.standard.code))


def urgent(transitions: list[EditionTransition]) -> EditionTransition | None:
    """The transition with the earliest deadline (the first of `transitions_of`)."""
    return transitions[0] if transitions else None


def standard_facts(standard: Standard, on: dt.date | None = None) -> dict[str, Any]:
    """A standard as certificates name it: code, name, edition with its amendments, full name,
    whether the catalog marks it provisional, and its transition (None when not replaced)."""
    found = transition_of(standard)
    return {
        "code": standard.code,
        "name": standard.name,
        "edition": standard.edition,
        "edition_label": standard.edition_label,
        "full_name": standard.full_name,
        "title": standard.title,
        "provisional": standard.provisional,
        "transition": found.as_dict(on) if found is not None else None,
    }


def issuing_problem(standards: Iterable[Standard], on: dt.date, *, renewal: bool) -> str | None:
    """Why no certificate to `standards` may be issued on `on`, or None. A new or renewed
    certificate (`renewal` covers initial, recertification and restoration) is refused after
    the new edition's `new_certificates_until` (its `transition_ends` when that is not set);
    any certificate to an edition whose transition has ended is refused."""
    for found in transitions_of(standards):
        mark = " (provisional date)" if found.provisional else ""
        target = found.successor.full_name
        if found.ended(on):
            assert found.ends is not None
            return (
                f"{found.standard.full_name} is replaced by {target}: its transition ended on "
                f"{found.ends:%Y-%m-%d}{mark}, so no certificate to it may be issued. Certify "
                f"to {target}."
            )
        until = found.issuing_until()
        if renewal and until is not None and on > until:
            return (
                f"{found.standard.full_name} is replaced by {target}: no new or renewed "
                f"certificate to it after {until:%Y-%m-%d}{mark}. Transfer the client to "
                f"{target} first (a transition audit and decision), or certify to it."
            )
    return None
