"""The XLSX import: `import_assessment` opens the upload (with size and zip-bomb guards),
reads the header and rows, validates every cell and names each bad one as `Items!E12`, then
saves the changed rows through `bulk_update_items`; `may_import` says who may import."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl.utils import get_column_letter

from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.services import bulk_update_items, owners_by_email
from pdca.assessments.spreadsheet.common import (
    BY_KEY,
    COLUMNS,
    ITEMS_SHEET,
    STATUS_BY_WORD,
    STATUS_LABELS,
    clean_text,
)
from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.permissions import may, memberships, require, rules_for
from pdca.core.xlsx import (
    CellErrors,
    cell_text,
    is_empty,
    open_workbook,
    parse_date,
    parse_id,
    shown,
)


@dataclass
class ImportSummary:
    """What an import did: rows read, items changed (their ids) and rows left as they were."""

    rows: int = 0
    changed: int = 0
    unchanged: int = 0
    changed_ids: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.rows} row(s) read, {self.changed} item(s) changed, {self.unchanged} unchanged."
        )

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "changed_ids": list(self.changed_ids),
        }


class _Errors(CellErrors):
    def __init__(self) -> None:
        super().__init__(ITEMS_SHEET)


def may_import(user, assessment: GapAssessment) -> bool:
    """True when the user's role lets them change some items: implementers any, process
    owners their own."""
    rules = rules_for(GapItem)
    role = memberships(user).get(assessment.organization_id)
    return role is not None and (
        role in rules.actions.get("change", ()) or role in rules.owner_roles
    )


def _open_workbook(data: bytes):
    return open_workbook(data, what="the assessment")


def _header_key(value: Any) -> str | None:
    word = re.sub(r"[^a-z0-9]", "", str(value or "").lower())
    for column in COLUMNS:
        names = {re.sub(r"[^a-z0-9]", "", column.header.lower()), column.key.replace("_", "")}
        if word in names or word in column.aliases:
            return column.key
    return None


def _shown(value: Any) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _check_about(workbook, assessment: GapAssessment, errors: _Errors) -> None:
    if "About" not in workbook.sheetnames:
        return
    about = workbook["About"]
    if str(about["A1"].value or "").strip().lower() != "assessment id":
        return
    exported = parse_id(about["B1"].value)
    if exported is not None and exported != assessment.pk:
        errors.add_whole(
            "About!B1",
            f"this workbook was exported from assessment {exported}, not from this one "
            f"({assessment.pk}): export this assessment and edit that file.",
        )


def _read_header(sheet, errors: _Errors) -> dict[str, int]:
    """{column key: 1-based column index} from row 1."""
    columns: dict[str, int] = {}
    first_row = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    for index, value in enumerate(first_row, start=1):
        key = _header_key(value)
        if key is None:
            continue  # a column of the user's own: ignored
        if key in columns:
            errors.add(
                1,
                index,
                f"a second {BY_KEY[key].header!r} column (the first is "
                f"{get_column_letter(columns[key])}): keep one.",
            )
            continue
        columns[key] = index
    if "id" not in columns:
        errors.add_whole(
            f"{ITEMS_SHEET}!1:1",
            "the header row has no 'ID' column: rows are matched to items by it. Export the "
            "assessment again and edit that file.",
        )
    return columns


@transaction.atomic
def import_assessment(assessment: GapAssessment, data: bytes, *, actor) -> ImportSummary:
    """Apply an edited export to the assessment: every bad cell is reported (as
    ValidationFailed, each FieldError naming `Sheet!A1`) and then nothing is written; otherwise
    the changed rows are saved through `bulk_update_items`."""
    require(actor, "view", assessment)
    if not may_import(actor, assessment):
        raise PermissionDenied("Your role may not change assessment items, so it may not import.")
    workbook = _open_workbook(data)
    errors = _Errors()
    if ITEMS_SHEET not in workbook.sheetnames:
        raise ValidationFailed.single(
            ITEMS_SHEET,
            f"the workbook has no sheet named {ITEMS_SHEET!r} (it has "
            f"{shown(', '.join(repr(n) for n in workbook.sheetnames))}).",
        )
    _check_about(workbook, assessment, errors)
    sheet = workbook[ITEMS_SHEET]
    columns = _read_header(sheet, errors)
    if "id" not in columns:
        errors.raise_if_any()
    rows = _read_rows(sheet, columns, errors)
    items = {
        i.pk: i
        for i in assessment.items.select_related("owner").filter(
            pk__in=[r.item_id for r in rows if r.item_id is not None]
        )
    }
    owners = owners_by_email(
        assessment.organization,
        [r.values["owner"] for r in rows if isinstance(r.values.get("owner"), str)],
    )
    summary = ImportSummary(rows=len(rows))
    changes: list[tuple[_Row, dict[str, Any]]] = []
    seen: dict[int, int] = {}
    for row in rows:
        item = _match(row, items, seen, columns, errors)
        if item is None:
            continue
        change = _validate_row(row, item, owners, columns, assessment, errors)
        if change is None:
            continue
        if change:
            if not may(actor, "change", item):
                errors.add(
                    row.number,
                    columns[next(iter(change))],
                    f"item {item.pk} is not assigned to you: you may change only your own items.",
                )
                continue
            changes.append((row, change))
        else:
            summary.unchanged += 1
    errors.raise_if_any()
    try:
        bulk_update_items(assessment, [{"id": r.item_id, **c} for r, c in changes], actor=actor)
    except ValidationFailed as exc:
        _map_service_errors(exc, changes, columns, errors)
        errors.raise_if_any()
        raise
    summary.changed = len(changes)
    summary.changed_ids = [r.item_id for r, _ in changes if r.item_id is not None]  # all matched
    return summary


@dataclass
class _Row:
    number: int
    item_id: int | None
    values: dict[str, Any]


def _read_rows(sheet, columns: dict[str, int], errors: _Errors) -> list[_Row]:
    rows: list[_Row] = []
    id_column = columns["id"]
    for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
        values = {
            key: cells[index - 1] if index - 1 < len(cells) else None
            for key, index in columns.items()
        }
        if all(is_empty(v) for v in values.values()):
            continue  # blank rows (and the rest of the sheet) are not items
        raw_id = values["id"]
        item_id = parse_id(raw_id)
        if is_empty(raw_id):
            errors.add(
                number,
                id_column,
                "the ID is empty: rows are matched to items by ID, and new rows cannot create "
                "items.",
            )
        elif item_id is None:
            errors.add(number, id_column, f"ID {_shown(raw_id)!r} is not an item number.")
        rows.append(_Row(number, item_id, values))
    return rows


def _match(
    row: _Row, items: dict[int, GapItem], seen: dict[int, int], columns, errors: _Errors
) -> GapItem | None:
    if row.item_id is None:
        return None
    item = items.get(row.item_id)
    if item is None:
        errors.add(row.number, columns["id"], f"item {row.item_id} is not in this assessment.")
        return None
    if row.item_id in seen:
        errors.add(
            row.number,
            columns["id"],
            f"item {row.item_id} appears twice (also on row {seen[row.item_id]}).",
        )
        return None
    seen[row.item_id] = row.number
    return item


def _validate_row(
    row: _Row,
    item: GapItem,
    owners: dict[str, Any],
    columns: dict[str, int],
    assessment: GapAssessment,
    errors: _Errors,
) -> dict[str, Any] | None:
    """The fields of `item` this row changes ({} for none), or None when a cell is bad (the
    errors are added)."""
    change: dict[str, Any] = {}
    bad = False

    def fail(key: str, message: str) -> None:
        nonlocal bad
        bad = True
        errors.add(row.number, columns[key], message)

    if "status" in columns:
        raw = row.values["status"]
        word = re.sub(r"[\s_-]+", " ", str(raw or "")).strip().lower()
        status = STATUS_BY_WORD.get(word)
        if is_empty(raw):
            fail("status", f"status is empty: choose one of {STATUS_LABELS}.")
        elif status is None:
            fail("status", f"status {_shown(raw)!r} is not one of {STATUS_LABELS}.")
        elif status != item.status:
            change["status"] = status
    if "owner" in columns:
        raw = row.values["owner"]
        if is_empty(raw):
            if item.owner_id is not None:
                change["owner"] = None
        else:
            email = str(raw).strip().lower()
            owner = owners.get(email)
            if owner is None:
                fail(
                    "owner",
                    f"owner {_shown(raw)!r} is not an active member of "
                    f"{assessment.organization.name}.",
                )
            elif owner.pk != item.owner_id:
                change["owner"] = owner
    if "target_date" in columns:
        raw = row.values["target_date"]
        ok, date = parse_date(raw)
        if not ok:
            fail(
                "target_date",
                f"target date {_shown(raw)!r} is not a date: use a date cell or YYYY-MM-DD.",
            )
        elif date != item.target_date:
            change["target_date"] = date
    for key in ("notes", "justification", "evidence"):
        if key in columns:
            text = cell_text(row.values[key])
            if text != clean_text(getattr(item, key)).strip():
                change[key] = text
    status = change.get("status", item.status)
    justification = change.get("justification", item.justification) or ""
    if status == GapItem.Status.NOT_APPLICABLE and not justification.strip():
        where = "justification" if "justification" in columns else "status"
        fail(where, "a Not applicable item needs a justification: say why it does not apply.")
    return None if bad else change


def _map_service_errors(
    exc: ValidationFailed,
    changes: list[tuple[_Row, dict[str, Any]]],
    columns: dict[str, int],
    errors: _Errors,
) -> None:
    """Turn the service's `items.<index>.<field>` errors into cell references."""
    for error in exc.errors:
        found = re.fullmatch(r"items\.(\d+)\.(\w+)", error.field)
        if not found or int(found.group(1)) >= len(changes):
            errors.add_whole(error.field or ITEMS_SHEET, error.message)
            continue
        row, _ = changes[int(found.group(1))]
        column = columns.get(found.group(2), columns["id"])
        message = error.message[:1].lower() + error.message[1:]
        errors.add(row.number, column, message)
