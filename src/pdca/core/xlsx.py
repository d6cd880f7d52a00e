"""What every XLSX import and export shares: opening an upload safely (size and zip-bomb
guards), reading cells (ids, dates, text), collecting bad cells by reference (`Items!E12`)
and the header style."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pdca.core.exceptions import FieldError, ValidationFailed

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Largest upload an import reads, and the most its parts may inflate to (a zip bomb guard).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_INFLATED_BYTES = 100 * 1024 * 1024
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")


def open_workbook(data: bytes, *, what: str = "the register"):
    """The workbook in `data`, or ValidationFailed on `file` saying what is wrong with it."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ValidationFailed.single(
            "file", f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
        )
    not_xlsx = ValidationFailed.single(
        "file",
        f"This is not an XLSX workbook: export {what}, edit it in a spreadsheet program "
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


class CellErrors:
    """Bad cells, reported in sheet order (row, then column) as `Sheet!C12: message`."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self._found: list[tuple[int, int, FieldError]] = []

    def add(self, row: int, column: int, message: str, sheet: str | None = None) -> None:
        ref = f"{sheet or self.sheet}!{get_column_letter(column)}{row}"
        self._found.append((row, column, FieldError(ref, message)))

    def add_row(self, row: int, message: str) -> None:
        self._found.append((row, 0, FieldError(f"{self.sheet}!{row}:{row}", message)))

    def add_whole(self, ref: str, message: str) -> None:
        self._found.append((0, 0, FieldError(ref, message)))

    def __bool__(self) -> bool:
        return bool(self._found)

    def __len__(self) -> int:
        return len(self._found)

    def raise_if_any(self) -> None:
        if self._found:
            errors = [e for _, _, e in sorted(self._found, key=lambda x: (x[0], x[1]))]
            raise ValidationFailed(
                errors,
                message=f"{len(errors)} bad cell(s); nothing was imported: "
                + "; ".join(f"{e.field}: {e.message}" for e in errors[:20])
                + (" …" if len(errors) > 20 else ""),
            )


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def parse_date(value: Any) -> tuple[bool, dt.date | None]:
    """(ok, date) for a date cell: a real date, or text as YYYY-MM-DD; empty is (True, None)."""
    if is_empty(value):
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


def cell_text(value: Any) -> str:
    """A cell as trimmed text (whole numbers without `.0`)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def clean_text(value: Any) -> str:
    """Text a worksheet cell can hold: control characters removed."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value or ""))


def style_header(sheet, row: int = 1) -> None:
    for cell in sheet[row]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = WRAP
