"""The RACI grid as a workbook: one row per responsibility, one column per party, each letter
on its own colour, the header row and the activity columns frozen; a second sheet explains the
letters."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pdca.core.xlsx import (
    HEADER_FILL,
    HEADER_FONT,
    WRAP,
    XLSX_CONTENT_TYPE,
    clean_text,
    first_sheet,
    workbook_bytes,
)
from pdca.system.raci.services import LETTER_LABELS, PROBLEMS, RaciMatrix

__all__ = ["LETTER_FILLS", "XLSX_CONTENT_TYPE", "raci_xlsx_bytes"]

#: Fill colour of each letter (the same as on the page).
LETTER_FILLS = {
    "R": "C8E6C9",  # green: does the work
    "A": "F8BBD0",  # rose: answers for it
    "C": "FFF3C4",  # yellow: asked before
    "I": "D6E4F0",  # blue: told after
}
PROBLEM_FILL = PatternFill("solid", fgColor="FDE2E1")
CENTRE = Alignment(horizontal="center", vertical="center")


def raci_xlsx_bytes(grid: RaciMatrix, *, organization) -> bytes:
    """Sheets "RACI" (the grid) and "Legend"."""
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = "RACI"
    header = ["Process", "Activity", *[clean_text(p.label) for p in grid.columns], "Problems"]
    sheet.append(header)
    for cell in sheet[1]:
        cell.data_type = "s"
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="bottom", horizontal="center")
    for row in grid.rows:
        process = row.responsibility.process
        values = [
            clean_text(process.code if process else ""),
            clean_text(row.responsibility.activity),
            *[row.cells.get(p.key, "") for p in grid.columns],
            clean_text("; ".join(row.problem_labels)),
        ]
        sheet.append(values)
        number = sheet.max_row
        for cell in sheet[number]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text stays text: "=…" is not a formula
        sheet.cell(number, 2).alignment = WRAP
        for index, party in enumerate(grid.columns, start=3):
            cell = sheet.cell(number, index)
            cell.alignment = CENTRE
            letter = row.cells.get(party.key)
            if letter:
                cell.fill = PatternFill("solid", fgColor=LETTER_FILLS[letter])
                cell.font = Font(bold=True)
        if row.problems:
            sheet.cell(number, len(header)).fill = PROBLEM_FILL
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 42
    for index in range(3, len(header)):
        sheet.column_dimensions[get_column_letter(index)].width = 14
    sheet.column_dimensions[get_column_letter(len(header))].width = 36
    sheet.row_dimensions[1].height = 45
    sheet.freeze_panes = "C2"
    if grid.rows:
        sheet.auto_filter.ref = f"A1:{sheet.cell(sheet.max_row, len(header)).coordinate}"

    legend = workbook.create_sheet("Legend")
    legend.append(["Organization", clean_text(organization.name)])
    legend.cell(1, 1).font = Font(bold=True)
    legend.append([])
    legend.append(["Letter", "Meaning"])
    for cell in legend[3]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for letter, label in LETTER_LABELS.items():
        legend.append([letter, label])
        legend.cell(legend.max_row, 1).fill = PatternFill("solid", fgColor=LETTER_FILLS[letter])
        legend.cell(legend.max_row, 1).alignment = CENTRE
    legend.append([])
    for label in PROBLEMS.values():
        legend.append(["", label])
    legend.column_dimensions["A"].width = 14
    legend.column_dimensions["B"].width = 40
    return workbook_bytes(workbook)
