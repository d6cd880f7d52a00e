"""The Statement of Applicability as files auditors expect: an XLSX workbook (a title block,
one row per control with a frozen header and filters, and a summary sheet) and an A4
landscape PDF. Both are made from the current draft or from an approved version, whose
frozen lines and SHA-256 they show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pdca.accounts.models import User
from pdca.core.xlsx import (
    WRAP,
    XLSX_CONTENT_TYPE,
    clean_text,
    first_sheet,
    style_header,
    workbook_bytes,
)
from pdca.risks.models import ControlApplicability, SoaVersion, StatementOfApplicability
from pdca.risks.soa import services

PDF_CONTENT_TYPE = "application/pdf"
LINES_SHEET = "Lines"
SUMMARY_SHEET = "Summary"
IMPLEMENTATION_LABELS = dict(ControlApplicability.Implementation.choices)
#: (header, width); the import reads Applicable, Justification, Implementation status, Owner
#: and Notes back, matching rows by Control.
COLUMNS = (
    ("Control", 10),
    ("Title", 40),
    ("Group", 24),
    ("Applicable", 12),
    ("Justification", 60),
    ("Implementation status", 22),
    ("Owner", 28),
    ("Linked risks", 16),
    ("Notes", 40),
)
HEADERS = tuple(h for h, _ in COLUMNS)
TITLE_FONT = Font(bold=True, size=14)
LABEL_FONT = Font(bold=True)

__all__ = [
    "HEADERS",
    "LINES_SHEET",
    "PDF_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "SoaDocument",
    "document",
    "filename",
    "owner_names",
    "soa_pdf",
    "soa_xlsx",
]


def applicable_word(value: bool | None) -> str:
    return "" if value is None else "Yes" if value else "No"


def owner_names(lines: Iterable[dict[str, Any]]) -> dict[str, str]:
    """How people read the owners of frozen lines, which keep e-mail addresses (the XLSX
    round trip matches owners by address): their names, or the address of someone without
    one. One query, whatever the number of lines."""
    emails = {row["owner"] for row in lines if row.get("owner")}
    named = dict(
        User.objects.filter(email__in=emails)
        .exclude(full_name="")
        .values_list("email", "full_name")
    )
    return {email: named.get(email, email) for email in emails}


@dataclass
class SoaDocument:
    """What both files show: the title block and the frozen form of every line."""

    soa: StatementOfApplicability
    version: SoaVersion | None
    lines: list[dict[str, Any]]
    date: dt.date
    approved_by: str

    @property
    def version_label(self) -> str:
        return f"Version {self.version.number}" if self.version else "Draft"

    @property
    def sha256(self) -> str:
        return self.version.sha256 if self.version else ""

    def summary(self) -> list[tuple[str, int]]:
        rows = self.lines
        counts = [
            ("Controls", len(rows)),
            ("Applicable", sum(1 for r in rows if r["applicable"] is True)),
            ("Not applicable", sum(1 for r in rows if r["applicable"] is False)),
            ("Undecided", sum(1 for r in rows if r["applicable"] is None)),
            (
                "Justified",
                sum(1 for r in rows if r["applicable"] is not None and r["justification"]),
            ),
        ]
        for value, label in ControlApplicability.Implementation.choices:
            counts.append(
                (
                    f"{label} (applicable controls)",
                    sum(1 for r in rows if r["applicable"] and r["implementation"] == value),
                )
            )
        return counts

    def by_group(self) -> list[tuple[str, int, int, int]]:
        """(group, applicable, not applicable, implemented) per Annex A group."""
        found: dict[str, list[int]] = {}
        for r in self.lines:
            counts = found.setdefault(r.get("group", ""), [0, 0, 0])
            counts[0] += r["applicable"] is True
            counts[1] += r["applicable"] is False
            counts[2] += r["applicable"] is True and r["implementation"] == "implemented"
        return [(group, counts[0], counts[1], counts[2]) for group, counts in found.items()]


def document(soa: StatementOfApplicability, version: SoaVersion | None = None) -> SoaDocument:
    """The draft as it stands (lines read in 2 queries), or an approved version."""
    if version is not None:
        approver = version.approved_by
        return SoaDocument(
            soa,
            version,
            list(version.lines),
            timezone.localtime(version.approved_at).date(),
            f"{approver.get_full_name()} <{approver.email}>",
        )
    lines = [services.frozen_line(line) for line in services.soa_lines(soa)]
    return SoaDocument(soa, None, lines, timezone.localdate(), "")


def filename(soa: StatementOfApplicability, version: SoaVersion | None, extension: str) -> str:
    suffix = f"v{version.number}" if version else "draft"
    return f"soa-{soa.pk}-{suffix}.{extension}"


# --- XLSX ---------------------------------------------------------------------------------

#: Row of the column headers, below the title block.
HEADER_ROW = 9


def _title_block(sheet, doc: SoaDocument) -> None:
    sheet["A1"] = clean_text(doc.soa.title)
    sheet["A1"].font = TITLE_FONT
    pairs = [
        ("Organization", doc.soa.organization.name),
        ("Standard", f"{doc.soa.standard} ({doc.soa.standard.code})"),
        ("Version", doc.version_label),
        ("Date", doc.date.isoformat()),
        ("Approved by", doc.approved_by or "not approved (draft)"),
        ("SHA-256", doc.sha256 or "—"),
    ]
    for offset, (label, value) in enumerate(pairs, start=2):
        sheet.cell(row=offset, column=1, value=label).font = LABEL_FONT
        sheet.cell(row=offset, column=2, value=clean_text(value))


def _line_values(row: dict[str, Any]) -> list[str]:
    return [
        row["control"],
        row["title"],
        row.get("group", ""),
        applicable_word(row["applicable"]),
        row["justification"],
        IMPLEMENTATION_LABELS.get(row["implementation"], row["implementation"]),
        row["owner"] or "",
        ", ".join(row["risks"]),
        row.get("notes", ""),
    ]


def soa_xlsx(soa: StatementOfApplicability, version: SoaVersion | None = None) -> bytes:
    """The workbook: `Lines` (title block, then one row per control) and `Summary`."""
    doc = document(soa, version)
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = LINES_SHEET
    _title_block(sheet, doc)
    for index, (header, width) in enumerate(COLUMNS, start=1):
        sheet.cell(row=HEADER_ROW, column=index, value=header)
        sheet.column_dimensions[get_column_letter(index)].width = width
    style_header(sheet, HEADER_ROW)
    for offset, row in enumerate(doc.lines, start=HEADER_ROW + 1):
        for index, value in enumerate(_line_values(row), start=1):
            cell = sheet.cell(row=offset, column=index, value=clean_text(value))
            cell.alignment = WRAP
    last = HEADER_ROW + len(doc.lines)
    sheet.freeze_panes = f"C{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:I{max(last, HEADER_ROW + 1)}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    if version is None and doc.lines:
        # Drop-downs for the columns people fill in, so the import reads known words.
        yes_no = DataValidation(type="list", formula1='"Yes,No"', allow_blank=True)
        statuses = ",".join(IMPLEMENTATION_LABELS.values())
        status = DataValidation(type="list", formula1=f'"{statuses}"', allow_blank=True)
        sheet.add_data_validation(yes_no)
        sheet.add_data_validation(status)
        yes_no.add(f"D{HEADER_ROW + 1}:D{last}")
        status.add(f"F{HEADER_ROW + 1}:F{last}")

    summary = workbook.create_sheet(SUMMARY_SHEET)
    summary["A1"] = clean_text(f"{doc.soa.title}: {doc.version_label}")
    summary["A1"].font = TITLE_FONT
    summary.append([])
    summary.append(["Count", "Lines"])
    style_header(summary, 3)
    for label, count in doc.summary():
        summary.append([label, count])
    summary.append([])
    start = summary.max_row + 1
    summary.append(["Group", "Applicable", "Not applicable", "Implemented"])
    style_header(summary, start)
    for group, applicable, excluded, implemented in doc.by_group():
        summary.append([clean_text(group), applicable, excluded, implemented])
    summary.column_dimensions["A"].width = 36
    for column in "BCD":
        summary.column_dimensions[column].width = 16
    for row in summary.iter_rows(min_row=1, max_row=summary.max_row):
        for cell in row:
            cell.alignment = Alignment(vertical="top")

    return workbook_bytes(workbook)


# --- PDF ----------------------------------------------------------------------------------


def soa_html(soa: StatementOfApplicability, version: SoaVersion | None = None) -> str:
    doc = document(soa, version)
    names = owner_names(doc.lines)
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in doc.lines:
        groups.setdefault(row.get("group", ""), []).append(
            {
                **row,
                "owner_name": names.get(row["owner"] or "", ""),
                "applicable_word": applicable_word(row["applicable"]) or "Undecided",
                "implementation_label": IMPLEMENTATION_LABELS.get(
                    row["implementation"], row["implementation"]
                ),
            }
        )
    return render_to_string(
        "risks/soa_pdf.html",
        {
            "doc": doc,
            "soa": soa,
            "organization": soa.organization,
            "groups": list(groups.items()),
            "summary": doc.summary(),
            "generated_at": timezone.localtime().replace(microsecond=0),
        },
    )


def soa_pdf(soa: StatementOfApplicability, version: SoaVersion | None = None) -> bytes:
    """The SoA as an A4 landscape PDF: repeated table header, page numbers, and for a version
    its SHA-256 in the footer of every page."""
    from weasyprint import HTML

    return HTML(string=soa_html(soa, version)).write_pdf()
