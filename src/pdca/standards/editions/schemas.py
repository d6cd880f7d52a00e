"""API schemas of editions: a standard's amendments and transition, and the comparison of two
editions (`GET /standards/{old}/transition/{new}/` in pdca.standards.api)."""

import datetime as dt
from typing import Literal

from ninja import Schema
from pydantic import Field

from pdca.standards.editions.selectors import Line
from pdca.standards.models import EditionMapping, Standard

ChangeKind = Literal["new", "changed", "split", "merged", "moved", "removed", "same"]


class AmendmentOut(Schema):
    code: str = Field(description="e.g. A1:2024")
    title: str
    published: dt.date
    summary: str = Field(description="What the amendment asks, in our words")


class EditionTransitionOut(Schema):
    """The transition from the replaced edition to this one (set on the new edition)."""

    ends: dt.date | None = Field(
        description="Certificates to the replaced edition are not valid after this date"
    )
    new_certificates_until: dt.date | None = Field(
        description="Last date for new or renewed certificates to the replaced edition"
    )
    provisional: bool = Field(description="The dates are not yet confirmed")
    note: str


class EditionRef(Schema):
    code: str
    full_name: str
    edition_label: str
    provisional: bool
    provisional_note: str


class EditionRequirementRef(Schema):
    id: int
    number: str
    title: str
    provisional: bool


class EditionLineOut(Schema):
    change: EditionMapping.Change
    old: EditionRequirementRef | None = Field(description="Null for a new requirement")
    new: EditionRequirementRef | None = Field(description="Null for a removed requirement")
    note: str = Field(description="Our note on what changed")
    needs_work: bool = Field(
        description="The organization's work on the old requirement does not carry over as it "
        "is (new, changed, split)"
    )
    provisional: bool = Field(description="A requirement on either side is provisional")


class EditionChangeCounts(Schema):
    new: int
    changed: int
    split: int
    merged: int
    moved: int
    removed: int
    same: int


class EditionDiffOut(Schema):
    old: EditionRef
    new: EditionRef
    transition: EditionTransitionOut | None = Field(
        description="The transition's dates, when the new edition replaces the old one"
    )
    provisional: bool = Field(
        description="Anything here is provisional: an edition, the dates or a requirement"
    )
    total: int = Field(description="Number of lines of the whole transition")
    counts: EditionChangeCounts = Field(description="Lines of each change (whole transition)")
    whats_new: list[EditionLineOut] = Field(
        description="New, changed and split requirements of the new edition: what to work on"
    )
    lines: list[EditionLineOut] = Field(
        description="Every line in the new edition's order (only the chosen changes when "
        "`change` is given)"
    )


def transition_out(standard: Standard) -> dict | None:
    if not standard.replaces_id:
        return None
    return {
        "ends": standard.transition_ends,
        "new_certificates_until": standard.new_certificates_until,
        "provisional": standard.transition_provisional,
        "note": standard.transition_note,
    }


def line_out(line: Line) -> dict:
    return {
        "change": line.change,
        "old": line.old,
        "new": line.new,
        "note": line.note,
        "needs_work": line.needs_work,
        "provisional": line.provisional,
    }
