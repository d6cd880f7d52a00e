"""The XLSX import: `import_assessment` opens the upload (with size and zip-bomb guards),
reads the header and rows, validates every cell and names each bad one as `Items!E12`, then
saves the changed rows through `bulk_update_items`; `may_import` says who may import."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.services import bulk_update_items, owners_by_email
from pdca.assessments.spreadsheet.common import (
    BY_KEY,
    COLUMNS,
    ISO_DATE,
    ITEMS_SHEET,
    MAX_INFLATED_BYTES,
    MAX_UPLOAD_BYTES,
    STATUS_BY_WORD,
    STATUS_LABELS,
    clean_text,
)
from pdca.core.exceptions import FieldError, PermissionDenied, ValidationFailed
from pdca.core.permissions import may, memberships, require, rules_for


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


class _Errors:
    """Bad cells, kept in sheet order (row, then column)."""

    def __init__(self) -> None:
        self._found: list[tuple[int, int, FieldError]] = []

    def add(self, row: int, column: int, message: str, sheet: str = ITEMS_SHEET) -> None:
        ref = f"{sheet}!{get_column_letter(column)}{row}"
        self._found.append((row, column, FieldError(ref, message)))

    def add_whole(self, ref: str, message: str) -> None:
        self._found.append((0, 0, FieldError(ref, message)))

    def __bool__(self) -> bool:
        return bool(self._found)

    def raise_if_any(self) -> None:
        if self._found:
            errors = [e for _, _, e in sorted(self._found, key=lambda x: (x[0], x[1]))]
            raise ValidationFailed(
                errors,
                message=f"{len(errors)} bad cell(s); nothing was imported: "
                + "; ".join(f"{e.field}: {e.message}" for e in errors[:20])
                + (" …" if len(errors) > 20 else ""),
            )


def may_import(user, assessment: GapAssessment) -> bool:
    """True when the user's role lets them change some items: implementers any, process
    owners their own."""
    rules = rules_for(GapItem)
    role = memberships(user).get(assessment.organization_id)
    return role is not None and (
        role in rules.actions.get("change", ()) or role in rules.owner_roles
    )


def _open_workbook(data: bytes):
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed.single(
            "file", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
        )
    not_xlsx = ValidationFailed.single(
        "file",
        "This is not an XLSX workbook: export the assessment, edit it in a spreadsheet program "
        "and save it as .xlsx (Excel workbook).",
        code="not_xlsx",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_INFLATED_BYTES:
                raise ValidationFailed.single("file", "The workbook is too large once unpacked.")
            if "xl/workbook.xml" not in archive.namelist():
                raise not_xlsx
    except zipfile.BadZipFile:
        raise not_xlsx from None
    try:
        return load_workbook(io.BytesIO(data), data_only=True)
    except Exception:  # openpyxl raises many kinds on broken parts: all mean the same to users
        raise not_xlsx from None


def _header_key(value: Any) -> str | None:
    word = re.sub(r"[^a-z0-9]", "", str(value or "").lower())
    for column in COLUMNS:
        names = {re.sub(r"[^a-z0-9]", "", column.header.lower()), column.key.replace("_", "")}
        if word in names or word in column.aliases:
            return column.key
    return None


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _parse_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _parse_date(value: Any) -> tuple[bool, dt.date | None]:
    """(ok, date) for a target-date cell."""
    if _empty(value):
        return True, None
    if isinstance(value, dt.datetime):
        return True, value.date()
    if isinstance(value, dt.date):
        return True, value
    if isinstance(value, str) and ISO_DATE.match(value.strip()):
        try:
            return True, dt.date.fromisoformat(value.strip())
        except ValueError:
            return False, None
    return False, None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _shown(value: Any) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _check_about(workbook, assessment: GapAssessment, errors: _Errors) -> None:
    if "About" not in workbook.sheetnames:
        return
    about = workbook["About"]
    if str(about["A1"].value or "").strip().lower() != "assessment id":
        return
    exported = _parse_id(about["B1"].value)
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
            f"{', '.join(repr(n) for n in workbook.sheetnames)}).",
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
    summary.changed_ids = [r.item_id for r, _ in changes]
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
        if all(_empty(v) for v in values.values()):
            continue  # blank rows (and the rest of the sheet) are not items
        raw_id = values["id"]
        item_id = _parse_id(raw_id)
        if _empty(raw_id):
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
        if _empty(raw):
            fail("status", f"status is empty: choose one of {STATUS_LABELS}.")
        elif status is None:
            fail("status", f"status {_shown(raw)!r} is not one of {STATUS_LABELS}.")
        elif status != item.status:
            change["status"] = status
    if "owner" in columns:
        raw = row.values["owner"]
        if _empty(raw):
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
        ok, date = _parse_date(raw)
        if not ok:
            fail(
                "target_date",
                f"target date {_shown(raw)!r} is not a date: use a date cell or YYYY-MM-DD.",
            )
        elif date != item.target_date:
            change["target_date"] = date
    for key in ("notes", "justification", "evidence"):
        if key in columns:
            text = _text(row.values[key])
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
