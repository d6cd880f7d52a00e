"""Downloads of a comparison of two editions: CSV and XLSX, one row per transition line.

Every cell goes through `csv_bytes` or `workbook_bytes`, so a note never runs as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment

from pdca.core.xlsx import clean_text, csv_bytes, first_sheet, style_header, workbook_bytes
from pdca.standards.editions.selectors import CHANGE_MEANINGS, Diff, Line

HEADER = (
    "Old number",
    "Old title",
    "Change",
    "New number",
    "New title",
    "Note",
    "Needs work",
    "Provisional",
)
#: Column widths in the XLSX, in characters.
WIDTHS = (11, 42, 10, 11, 42, 60, 11, 11)


def filename(diff: Diff, extension: str) -> str:
    """`iso14001-2015--iso14001-2026.csv`"""
    return f"{diff.old.code}--{diff.new.code}.{extension}"


def rows(lines: Sequence[Line]) -> list[tuple[str, ...]]:
    return [
        (
            line.old.number if line.old else "",
            line.old.title if line.old else "",
            line.change,
            line.new.number if line.new else "",
            line.new.title if line.new else "",
            line.note,
            "yes" if line.needs_work else "no",
            "yes" if line.provisional else "no",
        )
        for line in lines
    ]


def comparison_csv(lines: Sequence[Line]) -> bytes:
    """UTF-8 with a byte-order mark, CRLF line ends, a header row."""
    return csv_bytes([HEADER, *rows(lines)])


def _summary(diff: Diff) -> list[tuple[str, str | int]]:
    out: list[tuple[str, str | int]] = [
        ("Old edition", diff.old.full_name),
        ("New edition", diff.new.full_name),
    ]
    if diff.old.provisional:
        out.append(("Old edition provisional", diff.old.provisional_note or "yes"))
    if diff.new.provisional:
        out.append(("New edition provisional", diff.new.provisional_note or "yes"))
    if (t := diff.transition) is not None:
        label = " (provisional)" if t.transition_provisional else ""
        if t.transition_ends:
            out.append(("Transition ends", f"{t.transition_ends.isoformat()}{label}"))
        if t.new_certificates_until:
            out.append(
                (
                    "New certificates to the old edition until",
                    f"{t.new_certificates_until.isoformat()}{label}",
                )
            )
        if t.transition_note:
            out.append(("Transition note", t.transition_note))
    out.append(("Lines", diff.total))
    for change, count in diff.counts.items():
        out.append((f"{change}: {CHANGE_MEANINGS[change]}", count))
    return out


def comparison_xlsx(diff: Diff, lines: Sequence[Line]) -> bytes:
    """Two sheets: the comparison (a styled, frozen header and a filter), and a summary with
    the editions, the transition's dates and the number of lines of each change."""
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = "Comparison"
    sheet.append(HEADER)
    style_header(sheet)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in rows(lines):
        sheet.append([clean_text(value) for value in row])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    for letter, width in zip("ABCDEFGH", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions

    summary = workbook.create_sheet("Summary")
    summary.append(("What", "Value"))
    style_header(summary)
    for what, value in _summary(diff):
        summary.append([clean_text(what), value if isinstance(value, int) else clean_text(value)])
    summary.column_dimensions["A"].width = 60
    summary.column_dimensions["B"].width = 60

    workbook.properties.title = f"{diff.old.full_name} to {diff.new.full_name}"
    workbook.properties.creator = "pdca"
    return workbook_bytes(workbook)
