"""What the XLSX export and import share: the file's constants (content type, sheet name, size
limits), the columns of the Items sheet with their headers and help, the cell styles, the
status words a cell may hold, and small helpers (`clean_text`, `covers_label`,
`export_items`, `filename`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill

from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.xlsx import (  # noqa: F401  (re-exported: the import guards are shared)
    MAX_INFLATED_BYTES,
    MAX_UPLOAD_BYTES,
)
from pdca.standards.models import Requirement

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEMS_SHEET = "Items"

FORMAT_NAME = "pdca gap assessment"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    editable: bool
    help: str
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column(
        "id",
        "ID",
        8,
        False,
        "The item's number in pdca. Never change it: rows are matched to items by it.",
        ("itemid", "item"),
    ),
    Column(
        "standards",
        "Standards",
        30,
        False,
        "The requirements the item covers. An item shared "
        "by several standards through a common core clause is assessed once for all.",
        ("standard",),
    ),
    Column(
        "number",
        "Requirement",
        12,
        False,
        "The clause or control number.",
        ("requirementnumber", "number", "clause"),
    ),
    Column("title", "Title", 44, False, "The requirement's title."),
    Column(
        "status",
        "Status",
        15,
        True,
        "One of the statuses below (the drop-down offers them).",
        ("state",),
    ),
    Column(
        "owner",
        "Owner e-mail",
        28,
        True,
        "The e-mail address of an active member of the "
        "organization who is responsible; empty for nobody.",
        ("owner", "owneremail", "email"),
    ),
    Column(
        "target_date",
        "Target date",
        13,
        True,
        "When the item should be done: a date cell, or text written YYYY-MM-DD; empty for none.",
        ("targetdate", "duedate", "due"),
    ),
    Column("notes", "Notes", 40, True, "Free text."),
    Column(
        "justification",
        "Justification",
        36,
        True,
        "Why the requirement does not apply: required when the status is Not applicable.",
    ),
    Column("evidence", "Evidence", 36, True, "References or URLs, one per line."),
)
BY_KEY = {c.key: c for c in COLUMNS}
READ_ONLY_FILL = PatternFill("solid", fgColor="E7E9EC")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
HEADER_FONT = Font(bold=True, color="FFFFFF")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATE_FORMAT = "yyyy-mm-dd"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STATUS_BY_WORD = {
    **{value.replace("_", " "): value for value in GapItem.Status.values},
    **{label.lower(): value for value, label in GapItem.Status.choices},
    "n/a": GapItem.Status.NOT_APPLICABLE,
    "na": GapItem.Status.NOT_APPLICABLE,
}
STATUS_LABELS = ", ".join(label for _, label in GapItem.Status.choices)


def clean_text(value: Any) -> str:
    """Text a worksheet cell can hold: control characters removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))


def covers_label(item: GapItem) -> str:
    """`ISO 9001 7.2; ISO/IEC 27001 7.2`: what an item covers, in standard order."""
    covers = sorted(item.covers.all(), key=lambda r: (r.standard.name, r.sort_key))
    return "; ".join(f"{r.standard.name} {r.number}" for r in covers)


def export_items(assessment: GapAssessment):
    """The items of an assessment with what the workbook and the report show, in 3 queries."""
    from django.db.models import Prefetch

    return (
        assessment.items.select_related("requirement", "owner")
        .prefetch_related(
            Prefetch("covers", queryset=Requirement.objects.select_related("standard"))
        )
        .order_by("sort_key", "pk")
    )


def filename(assessment: GapAssessment) -> str:
    return f"gap-{assessment.pk}.xlsx"
