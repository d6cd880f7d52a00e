"""Downloads of the catalog: a standard's mandatory documented information as CSV and XLSX."""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from pdca.core.xlsx import clean_text, csv_bytes, first_sheet, workbook_bytes
from pdca.standards.models import Standard
from pdca.standards.selectors import DocumentedItem

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ("Requirement", "Title", "Type", "What")
#: Column widths in the XLSX, in characters.
WIDTHS = (14, 60, 10, 70)


def filename(standard: Standard, extension: str) -> str:
    """`iso27001-2022-documented-information.xlsx`"""
    return f"{standard.code}-documented-information.{extension}"


def _rows(items: Sequence[DocumentedItem]) -> list[tuple[str, str, str, str]]:
    return [(i.requirement.number, i.requirement.title, i.type, i.what) for i in items]


def documented_information_csv(items: Sequence[DocumentedItem]) -> bytes:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the accents right.

    Catalogs may be a user's own framework: `csv_bytes` never lets a cell run as a formula.
    """
    return csv_bytes([HEADER, *_rows(items)])


def documented_information_xlsx(standard: Standard, items: Sequence[DocumentedItem]) -> bytes:
    """One sheet: a bold, frozen header row, then one row per item; every cell is text."""
    workbook = Workbook()
    sheet = first_sheet(workbook)
    sheet.title = "Documented information"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in _rows(items):
        sheet.append([clean_text(value) for value in row])
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    for letter, width in zip("ABCD", WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    workbook.properties.title = f"{standard} mandatory documented information"
    workbook.properties.creator = "pdca"
    return workbook_bytes(workbook)
