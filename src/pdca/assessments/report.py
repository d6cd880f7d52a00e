"""The gap report of an assessment, as PDF (WeasyPrint, from `assessments/report.html`) and as
XLSX: summary with readiness overall and per standard, the readiness charts, standard by
clause, items by status, and the implementation plan with overdue items first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from pdca.assessments import charts, services
from pdca.assessments.models import GapAssessment, GapItem
from pdca.assessments.readiness import Readiness, Score, compute_readiness, items_for_readiness
from pdca.assessments.spreadsheet import clean_text, covers_label, export_items
from pdca.core.xlsx import first_sheet, workbook_bytes

PDF_CONTENT_TYPE = "application/pdf"
OPEN_STATUSES = (GapItem.Status.NOT_STARTED, GapItem.Status.PLANNED, GapItem.Status.PARTIAL)
HS_CLAUSES = [str(n) for n in range(4, 11)]


@dataclass
class ReportItem:
    """An item as the report shows it."""

    item: GapItem
    standards: str
    overdue: bool


@dataclass
class ClauseRow:
    """One clause of the Harmonized Structure with its readiness per standard."""

    key: str
    title: str
    overall: Score | None
    per_standard: list[Score | None]


def filename(assessment: GapAssessment, extension: str) -> str:
    return f"gap-report-{assessment.pk}.{extension}"


def report_data(assessment: GapAssessment, today: dt.date | None = None) -> dict[str, Any]:
    """Everything both report formats show, computed once."""
    from pdca.system.services import active_standards

    today = today or timezone.localdate()
    system = assessment.system
    standards = active_standards(system)
    readiness: Readiness = compute_readiness(
        assessment, standards, items=items_for_readiness(assessment)
    )
    items = [
        ReportItem(
            item,
            covers_label(item),
            item.status in OPEN_STATUSES and bool(item.target_date and item.target_date < today),
        )
        for item in export_items(assessment)
    ]
    by_id = {row.item.pk: row for row in items}
    plan = [by_id[item.pk] for item in services.plan(assessment, today=today) if item.pk in by_id]
    by_status = {
        value: [row for row in items if row.item.status == value] for value in GapItem.Status.values
    }
    overall_clauses = {c.key: c for c in readiness.by_clause}
    clause_rows = []
    for key in HS_CLAUSES:
        per_standard = []
        for s in readiness.by_standard:
            found = next((c.score for c in s.clauses if c.key == key), None)
            per_standard.append(found)
        overall = overall_clauses.get(key)
        if overall is None and not any(per_standard):
            continue
        clause_rows.append(
            ClauseRow(
                key,
                overall.title if overall else key,
                overall.score if overall else None,
                per_standard,
            )
        )
    annex_rows = [
        (s.standard, c) for s in readiness.by_standard for c in s.clauses if not c.key.isdigit()
    ]
    return {
        "assessment": assessment,
        "organization": assessment.organization,
        "system": system,
        "standards": standards,
        "readiness": readiness,
        "items": items,
        "by_status": [(value, label, by_status[value]) for value, label in GapItem.Status.choices],
        "open_by_status": [
            (value, label, by_status[value])
            for value, label in GapItem.Status.choices
            if value in OPEN_STATUSES
        ],
        "clause_rows": clause_rows,
        "annex_rows": annex_rows,
        "plan": plan,
        # The plan's tail of items with neither owner nor date is listed compactly: as table
        # rows they would fill pages with dashes (and a baseline assessment is all tail).
        "plan_scheduled": [row for row in plan if row.item.owner_id or row.item.target_date],
        "plan_unscheduled": [
            row for row in plan if not (row.item.owner_id or row.item.target_date)
        ],
        "overdue_count": sum(1 for row in plan if row.overdue),
        "today": today,
        "generated_at": timezone.localtime().replace(microsecond=0),
        "standard_chart": charts.bar_chart(
            [(str(s.standard), s.score.percent) for s in readiness.by_standard],
            title="Readiness per standard",
        ),
        "clause_chart": charts.bar_chart(
            [(_clause_label(c.key, c.title), c.score.percent) for c in readiness.by_clause],
            title="Readiness per clause",
        ),
    }


def _clause_label(key: str, title: str) -> str:
    """`7 Support`; an Annex group by its key alone (`ISO/IEC 27001 A.5`), which fits the
    chart's label column; the tables give its title."""
    return f"{key} {title}" if key.isdigit() else key


# --- PDF ----------------------------------------------------------------------------------


def report_html(assessment: GapAssessment, today: dt.date | None = None) -> str:
    return render_to_string("assessments/report.html", report_data(assessment, today))


def report_pdf(
    assessment: GapAssessment,
    today: dt.date | None = None,
    progress: Callable[..., None] | None = None,
) -> bytes:
    """The gap report as an A4 PDF; `progress(done, total, message)` hears of its two steps."""
    from weasyprint import HTML

    if progress:
        progress(0, 2, "Collecting the figures")
    html = report_html(assessment, today)
    if progress:
        progress(1, 2, "Laying out the pages")
    return HTML(string=html).write_pdf()


# --- XLSX ---------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3A5F")
OVERDUE_FILL = PatternFill("solid", fgColor="F8D7DA")
PERCENT = "0.0%"
COUNT_HEADERS = ["Not started", "Planned", "Partial", "Implemented", "Not applicable"]


def _percent(score: Score | None) -> float | str:
    if score is None or score.percent is None:
        return "n/a"
    return score.percent / 100


def _counts(score: Score) -> list[int]:
    return [score.counts[value] for value in GapItem.Status.values]


def _table(sheet, header: list[str], rows: list[list[Any]], widths: list[int]) -> None:
    """A header row (at the sheet's next row) and the rows, with filters and a frozen header."""
    sheet.append(header)
    start = sheet.max_row
    for cell in sheet[start]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([clean_text(v) if isinstance(v, str) else v for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, float) and cell.column_letter in _percent_columns(header):
                cell.number_format = PERCENT
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            elif isinstance(cell.value, str):
                cell.data_type = "s"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(start, index).column_letter].width = width
    sheet.freeze_panes = sheet.cell(start + 1, 1).coordinate
    last = sheet.cell(sheet.max_row, len(header)).coordinate
    sheet.auto_filter.ref = f"A{start}:{last}"


def _percent_columns(header: list[str]) -> set[str]:
    from openpyxl.utils import get_column_letter

    return {get_column_letter(i) for i, h in enumerate(header, start=1) if h == "Readiness"}


def report_xlsx(assessment: GapAssessment, today: dt.date | None = None) -> bytes:
    """The gap report as a workbook: Summary, Clauses, Items, Plan."""
    data = report_data(assessment, today)
    readiness: Readiness = data["readiness"]
    workbook = Workbook()
    summary = first_sheet(workbook)
    summary.title = "Summary"
    for label, value in [
        ("Organization", assessment.organization.name),
        ("Management system", data["system"].name),
        ("Assessment", assessment.title),
        ("Started on", assessment.started_on),
        ("Report date", data["today"]),
        ("Overall readiness", _percent(readiness.overall)),
    ]:
        summary.append([label, clean_text(value) if isinstance(value, str) else value])
        summary.cell(summary.max_row, 1).font = Font(bold=True)
        value_cell = summary.cell(summary.max_row, 2)
        if isinstance(value, dt.date):
            value_cell.number_format = "yyyy-mm-dd"
        elif isinstance(value, float):
            value_cell.number_format = PERCENT
        value_cell.alignment = Alignment(horizontal="left")
    summary.append([])
    header = ["Standard", "Items", "Applicable", *COUNT_HEADERS, "Readiness"]
    rows = [
        [str(s.standard), s.score.total, s.score.applicable, *_counts(s.score), _percent(s.score)]
        for s in readiness.by_standard
    ]
    overall = readiness.overall
    rows.append(
        ["All standards", overall.total, overall.applicable, *_counts(overall), _percent(overall)]
    )
    _table(summary, header, rows, [34, 14, 11, 11, 9, 9, 12, 14, 11])
    summary.cell(summary.max_row, 1).font = Font(bold=True)

    clauses = workbook.create_sheet("Clauses")
    _table(
        clauses,
        ["Standard", "Clause", "Title", "Applicable", *COUNT_HEADERS, "Readiness"],
        [
            [
                str(s.standard),
                c.key,
                c.title,
                c.score.applicable,
                *_counts(c.score),
                _percent(c.score),
            ]
            for s in readiness.by_standard
            for c in s.clauses
        ],
        [22, 8, 44, 11, 11, 9, 9, 12, 14, 11],
    )

    items = workbook.create_sheet("Items")
    _table(
        items,
        [
            "ID",
            "Standards",
            "Requirement",
            "Title",
            "Status",
            "Owner",
            "Target date",
            "Overdue",
            "Notes",
            "Justification",
            "Evidence",
        ],
        [
            [
                row.item.pk,
                row.standards,
                row.item.requirement.number,
                row.item.requirement.title,
                row.item.get_status_display(),
                row.item.owner.email if row.item.owner_id else "",
                row.item.target_date,
                "overdue" if row.overdue else "",
                row.item.notes,
                row.item.justification,
                row.item.evidence,
            ]
            for row in data["items"]
        ],
        [8, 30, 12, 40, 14, 26, 12, 9, 36, 30, 30],
    )

    plan = workbook.create_sheet("Plan")
    _table(
        plan,
        ["Target date", "Overdue", "Owner", "Standards", "Title", "Status", "ID"],
        [
            [
                row.item.target_date,
                "overdue" if row.overdue else "",
                row.item.owner.email if row.item.owner_id else "",
                row.standards,
                row.item.requirement.title,
                row.item.get_status_display(),
                row.item.pk,
            ]
            for row in data["plan"]
        ],
        [12, 9, 26, 30, 44, 14, 8],
    )
    for row in plan.iter_rows(min_row=2):
        if row[1].value == "overdue":
            for cell in row:
                cell.fill = OVERDUE_FILL
    workbook.properties.title = f"Gap report: {clean_text(assessment.title)}"
    workbook.properties.creator = "pdca"
    return workbook_bytes(workbook)
