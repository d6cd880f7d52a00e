"""The XLSX round trip of a gap assessment: export every item to a workbook, let people edit it
in a spreadsheet program, and import it back.

The import checks every cell first and names each bad one as `Items!E12` (sheet, column,
row); when any cell is bad nothing is written. Good files go through `bulk_update_items`, so
the permission rules and the activity log apply exactly as on the page and in the API.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.services import bulk_update_items, owners_by_email
from pdca.core.exceptions import FieldError, PermissionDenied, ValidationFailed
from pdca.core.permissions import may, memberships, require, rules_for
from pdca.standards.models import Requirement

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ITEMS_SHEET = "Items"
#: Largest upload the import reads, and the most its parts may inflate to (a zip bomb guard).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_INFLATED_BYTES = 100 * 1024 * 1024
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


# --- export -------------------------------------------------------------------------------


def export_assessment(assessment: GapAssessment) -> bytes:
    """The assessment as a workbook: "Items" (one row per item, editable columns white, the
    others grey and locked), "Help" (the columns and statuses) and "About" (which assessment,
    when exported); a hidden "Lists" sheet feeds the owner drop-down."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = ITEMS_SHEET
    items = list(export_items(assessment))
    _write_items(sheet, items)
    _write_help(workbook.create_sheet("Help"))
    _write_about(workbook.create_sheet("About"), assessment)
    _add_validations(workbook, sheet, len(items), _member_emails(assessment))
    workbook.properties.title = f"Gap assessment: {clean_text(assessment.title)}"
    workbook.properties.creator = "pdca"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _row_values(item: GapItem) -> list[Any]:
    values = {
        "id": item.pk,
        "standards": covers_label(item),
        "number": item.requirement.number,
        "title": item.requirement.title,
        "status": item.get_status_display(),
        "owner": item.owner.email if item.owner_id else "",
        "target_date": item.target_date,
        "notes": item.notes,
        "justification": item.justification,
        "evidence": item.evidence,
    }
    return [values[c.key] for c in COLUMNS]


def _write_items(sheet, items: list[GapItem]) -> None:
    sheet.append([c.header for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
    unlocked = Protection(locked=False)
    for item in items:
        row = _row_values(item)
        sheet.append([v if isinstance(v, int | dt.date) else clean_text(v) for v in row])
        for column, cell in zip(COLUMNS, sheet[sheet.max_row], strict=True):
            if column.key == "target_date":
                cell.number_format = DATE_FORMAT
                cell.alignment = TOP
            elif column.key != "id":
                cell.data_type = "s"  # text stays text: "=…" is never run as a formula
                cell.alignment = WRAP
            else:
                cell.alignment = TOP
            if column.editable:
                cell.protection = unlocked
            else:
                cell.fill = READ_ONLY_FILL
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(items) + 1)}"
    # Locked ID and catalog columns keep rows matched to their items; no password, so anyone
    # who must sort can unprotect (Help says how). Filtering and resizing stay allowed.
    protection = sheet.protection
    protection.sheet = True
    protection.autoFilter = False
    protection.formatColumns = False
    protection.formatRows = False
    protection.formatCells = False


def _letter(key: str) -> str:
    return get_column_letter([c.key for c in COLUMNS].index(key) + 1)


def _member_emails(assessment: GapAssessment) -> list[str]:
    from pdca.tenancy.models import Membership

    return sorted(
        Membership.objects.filter(
            organization_id=assessment.organization_id, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def _add_validations(workbook, sheet, rows: int, members: list[str]) -> None:
    last = max(rows + 1, 2)
    status = DataValidation(
        type="list",
        formula1='"' + ",".join(label for _, label in GapItem.Status.choices) + '"',
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="Status",
        error=f"Choose one of: {STATUS_LABELS}.",
    )
    status.add(f"{_letter('status')}2:{_letter('status')}{last}")
    sheet.add_data_validation(status)
    date = DataValidation(
        type="date",
        operator="greaterThan",
        formula1="1",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="Target date",
        error="Enter a date, such as 2025-06-30.",
    )
    date.add(f"{_letter('target_date')}2:{_letter('target_date')}{last}")
    sheet.add_data_validation(date)
    if members:
        lists = workbook.create_sheet("Lists")
        lists.append(["Members"])
        for email in members:
            lists.append([clean_text(email)])
        lists.sheet_state = "hidden"
        owner = DataValidation(
            type="list",
            formula1=f"Lists!$A$2:$A${len(members) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle="Owner",
            error="This is not a member of the organization: the import will refuse it.",
        )
        owner.add(f"{_letter('owner')}2:{_letter('owner')}{last}")
        sheet.add_data_validation(owner)


def _write_help(sheet) -> None:
    bold = Font(bold=True)
    sheet.append(["How to edit this workbook"])
    sheet["A1"].font = Font(bold=True, size=14)
    lines = [
        "Change the white columns of the Items sheet, save, and import the file on the "
        "assessment's Import page (or with `pdca gap import`).",
        "The grey columns (ID, Standards, Requirement, Title) come from pdca: changes to them are "
        "ignored. Rows are matched to items by ID, so columns may be moved; never change an ID.",
        "The Items sheet is protected without a password so that IDs stay as exported; to sort, "
        "unprotect it (Review, Unprotect sheet), sort whole rows, and keep the IDs as they are.",
        "If any cell is wrong, the import names every bad cell (such as Items!E12) and changes "
        "nothing; fix them and import again. Rows that did not change are left alone.",
    ]
    for line in lines:
        sheet.append([line])
    sheet.append([])
    sheet.append(["Column", "What it holds", "Editable"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    for column in COLUMNS:
        sheet.append([column.header, column.help, "yes" if column.editable else "no"])
    sheet.append([])
    sheet.append(["Status", "Meaning", "Counts toward readiness"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    meanings = {
        GapItem.Status.NOT_STARTED: ("Nothing done yet.", "0"),
        GapItem.Status.PLANNED: ("Work is planned (give an owner and a target date).", "0"),
        GapItem.Status.PARTIAL: ("Partly in place.", "0.5"),
        GapItem.Status.IMPLEMENTED: ("In place, with evidence.", "1"),
        GapItem.Status.NOT_APPLICABLE: (
            "Does not apply: say why in Justification.",
            "left out of the count",
        ),
    }
    for value, label in GapItem.Status.choices:
        meaning, weight = meanings[value]
        sheet.append([label, meaning, weight])
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 22
    for row in sheet.iter_rows():
        for cell in row:
            cell.alignment = WRAP


def _write_about(sheet, assessment: GapAssessment) -> None:
    rows = [
        ("Assessment id", assessment.pk),
        ("Assessment", clean_text(assessment.title)),
        ("Organization", clean_text(assessment.organization.name)),
        ("Management system", clean_text(assessment.system.name)),
        ("Exported at", timezone.now().replace(microsecond=0).isoformat()),
        ("Format", f"{FORMAT_NAME} 1"),
    ]
    for row in rows:
        sheet.append(list(row))
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 50


# --- import -------------------------------------------------------------------------------


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
