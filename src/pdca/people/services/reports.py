"""The people reports as files, shared by the pages, the API and the CLI: the competence
matrix as an XLSX workbook (people against requirements, each cell's status and expiry,
coloured), and an awareness campaign's report as XLSX and as a PDF (the evidence an auditor
samples). Every workbook is written through `pdca.core.xlsx`, so no cell starts a formula."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pdca.core.xlsx import clean_text, first_sheet, style_header, workbook_bytes
from pdca.people.services.campaigns import CampaignReport, GroupLine
from pdca.people.services.competence import Cell, Matrix, Status

__all__ = [
    "STATUS_COLOURS",
    "campaign_report_filename",
    "campaign_report_pdf",
    "campaign_report_xlsx",
    "cell_text",
    "matrix_filename",
    "matrix_xlsx",
]

#: The fill of a matrix cell by status (the page's colours, as RGB).
STATUS_COLOURS: dict[Status, str] = {
    Status.COMPETENT: "C6EFCE",
    Status.EXPIRING: "FFEB9C",
    Status.EXPIRED: "FFC7CE",
    Status.PLANNED: "FCE4D6",
    Status.MISSING: "FFC7CE",
    Status.NOT_APPLICABLE: "EDEDED",
}


def _person(membership: Any) -> tuple[str, str]:
    user = membership.user
    return user.full_name or user.email, user.email


def _site(membership: Any) -> str:
    return str(membership.site) if membership.site_id else ""


def cell_text(cell: Cell) -> str:
    """What a matrix cell says: the status, then the expiry or the planned action's due date."""
    if cell.status == Status.NOT_APPLICABLE:
        return "n/a"
    parts = [cell.status.label]
    if cell.expires_on:
        word = "expired" if cell.status == Status.EXPIRED else "expires"
        parts.append(f"{word} {cell.expires_on:%Y-%m-%d}")
    if cell.action is not None:
        parts.append(f"action due {cell.action.due_date:%Y-%m-%d}")
    if not cell.mandatory:
        parts.append("optional")
    return ", ".join(parts)


def _widths(sheet: Worksheet, widths: list[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def _table(workbook: Workbook, title: str, headers: list[str], rows: list[list[Any]]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    style_header(sheet)
    for row in rows:
        sheet.append([clean_text(v) if isinstance(v, str) else v for v in row])
    sheet.freeze_panes = "A2"
    return sheet


# --- the competence matrix ------------------------------------------------------------------


def matrix_filename(organization: Any, as_of: dt.date) -> str:
    return f"{slugify(organization.name)}-competence-matrix-{as_of:%Y-%m-%d}.xlsx"


PERSON_HEADERS = ["Person", "E-mail", "Role", "Team", "Site", "Gaps"]


def matrix_xlsx(matrix: Matrix) -> bytes:
    """The matrix as a workbook: a "Matrix" sheet (one row a person, one column a requirement,
    each cell its status and expiry, coloured by status), the requirements, every cell as one
    row (for filtering), and the legend."""
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = "Matrix"
    sheet.append(
        [*PERSON_HEADERS, *(clean_text(f"{r.code} {r.title}") for r in matrix.requirements)]
    )
    style_header(sheet)
    fills = {s: PatternFill("solid", fgColor=colour) for s, colour in STATUS_COLOURS.items()}
    first = len(PERSON_HEADERS) + 1
    # Counted here: `sheet.max_row` scans every cell written so far.
    for line, row in enumerate(matrix.rows, start=2):
        name, email = _person(row.membership)
        sheet.append(
            [
                clean_text(name),
                clean_text(email),
                row.membership.get_role_display(),
                clean_text(row.membership.team),
                clean_text(_site(row.membership)),
                row.gaps,
                *(cell_text(cell) for cell in row.cells),
            ]
        )
        for offset, cell in enumerate(row.cells):
            target = sheet.cell(row=line, column=first + offset)
            target.fill = fills[cell.status]
    _widths(sheet, [28, 30, 18, 16, 16, 6] + [22] * len(matrix.requirements))
    sheet.freeze_panes = f"{get_column_letter(first)}2"

    _table(
        workbook,
        "Requirements",
        ["Code", "Title", "Kind", "Shown by", "Mandatory", "Who", "Standard", "Valid (months)"],
        [
            [
                r.code,
                r.title,
                r.get_kind_display(),
                r.get_evaluation_display(),
                "yes" if r.mandatory else "no",
                r.audience_label,
                str(r.standard) if r.standard_id else "",
                r.validity_months,
            ]
            for r in matrix.requirements
        ],
    )
    cells = _table(
        workbook,
        "Cells",
        [
            "Person",
            "E-mail",
            "Requirement",
            "Status",
            "Mandatory",
            "Expires",
            "Evidence",
            "Action due",
        ],
        [
            [
                _person(row.membership)[0],
                _person(row.membership)[1],
                requirement.code,
                cell.status.label,
                "yes" if cell.mandatory else "no",
                cell.expires_on,
                cell.evidence.title if cell.evidence is not None else "",
                cell.action.due_date if cell.action is not None else None,
            ]
            for row in matrix.rows
            for requirement, cell in zip(matrix.requirements, row.cells, strict=True)
            if cell.status != Status.NOT_APPLICABLE
        ],
    )
    for dated in cells.iter_rows(min_row=2, min_col=6, max_col=8):
        for value in dated:
            if isinstance(value.value, dt.date):
                value.number_format = "yyyy-mm-dd"
    legend = _table(
        workbook,
        "Legend",
        ["Status", "Meaning", "Cells"],
        [[s.value, s.label, matrix.counts.get(s, 0)] for s in Status],
    )
    for index, status in enumerate(Status, start=2):
        legend.cell(row=index, column=1).fill = fills[status]
    legend.append([])
    legend.append(["As of", matrix.as_of])
    legend.cell(row=legend.max_row, column=2).number_format = "yyyy-mm-dd"
    legend.append(["People", len(matrix.rows)])
    legend.append(["People without a gap", matrix.people_competent])
    _widths(legend, [14, 34, 10])
    _widths(workbook["Requirements"], [12, 40, 14, 24, 10, 30, 20, 14])
    _widths(cells, [28, 30, 14, 24, 10, 12, 36, 12])
    return workbook_bytes(workbook)


# --- an awareness campaign's report ---------------------------------------------------------


def campaign_report_filename(report: CampaignReport, extension: str) -> str:
    campaign = report.campaign
    name = slugify(campaign.title)[:50]
    return f"awareness-{campaign.pk}-{name}-{report.as_of:%Y-%m-%d}.{extension}"


def _summary_rows(report: CampaignReport) -> list[list[Any]]:
    campaign = report.campaign
    return [
        ["Campaign", campaign.title],
        ["Organization", campaign.organization.name],
        ["Status", campaign.get_status_display()],
        ["Who", campaign.audience_label],
        ["Due", campaign.due_date],
        [
            "Launched",
            timezone.localtime(campaign.launched_at).date() if campaign.launched_at else None,
        ],
        ["Path", str(campaign.path) if campaign.path_id else ""],
        ["Documents", ", ".join(f"{v.document} (version {v.number})" for v in report.versions)],
        ["People", len(report.people)],
        ["Complete", report.complete],
        ["Percent complete", report.percent],
        ["As of", report.as_of],
    ]


def _group_rows(groups: list[GroupLine]) -> list[list[Any]]:
    return [[g.name, g.people, g.complete, g.percent, g.average_score] for g in groups]


def campaign_report_xlsx(report: CampaignReport) -> bytes:
    """The campaign's report as a workbook: a summary, one row a person (documents
    acknowledged, path status, best score, complete), and the figures per team and site."""
    workbook = Workbook()
    summary = first_sheet(workbook)
    summary.title = "Summary"
    for label, value in _summary_rows(report):
        summary.append([label, clean_text(value) if isinstance(value, str) else value])
        if isinstance(value, dt.date):
            summary.cell(row=summary.max_row, column=2).number_format = "yyyy-mm-dd"
    for row in summary.iter_rows(min_col=1, max_col=1):
        row[0].font = Font(bold=True)
    _widths(summary, [20, 60])
    people = _table(
        workbook,
        "People",
        [
            "Person",
            "E-mail",
            "Team",
            "Site",
            "Documents acknowledged",
            "Documents asked",
            "Path",
            "Best score (%)",
            "Complete",
        ],
        [
            [
                *_person(p.membership),
                p.membership.team,
                _site(p.membership),
                p.acknowledged,
                p.asked,
                p.path_label,
                p.best_score,
                "yes" if p.complete else "no",
            ]
            for p in report.people
        ],
    )
    _widths(people, [28, 30, 16, 16, 12, 12, 14, 12, 10])
    headers = ["People", "Complete", "Percent", "Average best score (%)"]
    _widths(
        _table(workbook, "Teams", ["Team", *headers], _group_rows(report.teams)),
        [24, 10, 10, 10, 14],
    )
    _widths(
        _table(workbook, "Sites", ["Site", *headers], _group_rows(report.sites)),
        [24, 10, 10, 10, 14],
    )
    return workbook_bytes(workbook)


def campaign_report_html(report: CampaignReport) -> str:
    return render_to_string(
        "people/campaign_report_pdf.html",
        {
            "report": report,
            "campaign": report.campaign,
            "organization": report.campaign.organization,
            "people": [
                {
                    "name": _person(p.membership)[0],
                    "email": _person(p.membership)[1],
                    "team": p.membership.team,
                    "site": _site(p.membership),
                    "acknowledged": p.acknowledged,
                    "asked": p.asked,
                    "path": p.path_label,
                    "best_score": p.best_score,
                    "complete": p.complete,
                }
                for p in report.people
            ],
            "generated_at": timezone.localtime().replace(microsecond=0),
        },
    )


def campaign_report_pdf(report: CampaignReport) -> bytes:
    """The campaign's report as an A4 PDF."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=campaign_report_html(report)).write_pdf()
    return pdf
