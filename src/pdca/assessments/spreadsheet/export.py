"""The XLSX export: `export_assessment` writes the Items sheet (editable columns white, the
others grey and locked), the Help and About sheets, and the drop-downs that guide editing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.spreadsheet.common import (
    COLUMNS,
    DATE_FORMAT,
    FORMAT_NAME,
    HEADER_FILL,
    HEADER_FONT,
    ITEMS_SHEET,
    READ_ONLY_FILL,
    STATUS_LABELS,
    TOP,
    WRAP,
    clean_text,
    covers_label,
    export_items,
)
from pdca.core.xlsx import first_sheet, workbook_bytes


def export_assessment(assessment: GapAssessment) -> bytes:
    """The assessment as a workbook: "Items" (one row per item, editable columns white, the
    others grey and locked), "Help" (the columns and statuses) and "About" (which assessment,
    when exported); a hidden "Lists" sheet feeds the owner drop-down."""
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = ITEMS_SHEET
    items = list(export_items(assessment))
    _write_items(sheet, items)
    _write_help(workbook.create_sheet("Help"))
    _write_about(workbook.create_sheet("About"), assessment)
    _add_validations(workbook, sheet, len(items), _member_emails(assessment))
    workbook.properties.title = f"Gap assessment: {clean_text(assessment.title)}"
    workbook.properties.creator = "pdca"
    return workbook_bytes(workbook)


def _row_values(item: GapItem) -> list[Any]:
    values = {
        "id": item.pk,
        "standards": covers_label(item),
        "number": item.requirement.number,
        "title": item.requirement.title,
        "status": item.get_status_display(),
        "owner": item.owner.email if item.owner else "",
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
    meanings: dict[str, tuple[str, str]] = {
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
