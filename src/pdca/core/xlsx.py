"""What every XLSX and CSV import and export shares: writing cells that never run as a formula
(`workbook_bytes`, `csv_bytes`: every workbook and CSV file pdca writes goes through one of
them), opening an upload safely (size, zip-bomb and XML-bomb guards, the text mark removed
again), reading cells (ids, dates, text), collecting bad cells by reference (`Items!E12`)
with bounded messages, and the header style.

Formula injection: a spreadsheet program runs a cell that starts with `=`, `+`, `-`, `@`, a
tab or a carriage return as a formula (`=HYPERLINK(…)`, DDE). Such user text is written with a
leading apostrophe (`'=HYPERLINK(…)`), the mark OWASP recommends: in an XLSX it is a plain
text cell (data type "s", never `<f>`), and the apostrophe keeps it text in Excel and
LibreOffice even when someone edits the cell and presses Enter, or saves the sheet as CSV and
opens that; in a CSV, which has no cell types, the apostrophe is the only thing that works.
Typing a text cell alone (openpyxl's data type "s" or Excel's quotePrefix style) protects
the XLSX as opened, but not after an edit or a CSV round trip, so it is not enough on its own.
pdca's importers remove the mark again (`open_workbook` does it for every cell), so a round
trip gives back the original text. Numbers and dates stay numbers and dates: only strings
are marked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
import zlib
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from pdca.core.exceptions import FieldError, ValidationFailed

try:
    from defusedxml import DefusedXmlException
except ImportError:  # pragma: no cover - a dependency; without it openpyxl parses unguarded

    class DefusedXmlException(ValueError):  # type: ignore[no-redef]
        pass


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Largest upload an import reads, and the most its parts may inflate to (a zip bomb guard).
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_INFLATED_BYTES = 100 * 1024 * 1024
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")

#: A text cell starting with one of these is a formula to a spreadsheet program.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What keeps such text as text; removed again on import.
TEXT_MARK = "'"
#: The longest cell content an error message repeats.
SHOWN_CHARS = 200
#: The longest message about one cell (a safety net for messages that repeat other input).
MESSAGE_CHARS = 500


def unmark_text(text: str) -> str:
    """The original of a cell written by `mark_text` (text without the mark is unchanged)."""
    if text.startswith(TEXT_MARK) and text[1:].startswith((*FORMULA_STARTS, TEXT_MARK)):
        return text[1:]
    return text


def mark_text(text: str) -> str:
    """`text` as a cell that no spreadsheet program runs as a formula.

    Text that starts like a formula gets the mark; so does text that already looks marked
    (`'=x`, `''`), so that `unmark_text(mark_text(t)) == t` for every `t`.
    """
    if text.startswith(FORMULA_STARTS) or unmark_text(text) != text:
        return TEXT_MARK + text
    return text


def safe_cell(value: Any) -> Any:
    """A value ready for a cell: text without control characters and marked when it starts
    like a formula; numbers, dates, booleans and None as they are."""
    if isinstance(value, str):
        return mark_text(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def neutralize_workbook(workbook) -> None:
    """Make every text cell of every sheet safe (see the module's doc), in place.

    Writers put plain text in cells (`clean_text`), never marked text: marking is done here,
    once, so a workbook goes through this exactly once (`workbook_bytes`)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.value = safe_cell(cell.value)
                    # Also keeps text such as "#N/A" from becoming an error cell.
                    cell.data_type = "s"


def first_sheet(workbook: Workbook) -> Worksheet:
    """The sheet a new workbook starts with (openpyxl's `active` may also be a chart sheet)."""
    sheet = workbook.active
    if not isinstance(sheet, Worksheet):
        raise TypeError("the workbook's first sheet is not a worksheet")
    return sheet


def workbook_bytes(workbook) -> bytes:
    """The workbook as XLSX bytes, every text cell made safe: the one way pdca saves one."""
    neutralize_workbook(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """Rows as CSV (UTF-8 with a byte-order mark, so that spreadsheet programs read accents
    right; CRLF line ends), every text cell made safe: the one way pdca writes a CSV file."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([mark_text(v) if isinstance(v, str) else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def shown(value: Any, limit: int = SHOWN_CHARS) -> str:
    """A cell's content as an error message repeats it: trimmed, at most `limit` characters."""
    text = value.isoformat() if isinstance(value, dt.date) else cell_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bounded(message: str) -> str:
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 1] + "…"


def _unmark_workbook(workbook) -> None:
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith(TEXT_MARK):
                    cell.value = unmark_text(cell.value)


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """True when an XML part has a DOCTYPE or ENTITY declaration (read in chunks; a guard of
    its own, before defusedxml refuses the same while parsing)."""
    if not info.filename.endswith((".xml", ".rels", ".vml")):
        return False
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(1 << 16):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                return True
            tail = window[-16:]
    return False


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def open_workbook(data: bytes, *, what: str = "the register"):
    """The workbook in `data`, or ValidationFailed on `file` saying what is wrong with it.

    Its XML is parsed by defusedxml (openpyxl uses it when it is installed, and pdca depends
    on it): a part declaring XML entities (a "billion laughs" bomb) is refused, not expanded.
    Text cells come back without the mark `workbook_bytes` put on formula-like text.
    """
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
    unsafe_xml = ValidationFailed.single(
        "file",
        "The workbook declares a DTD or XML entities, which spreadsheet programs never write "
        "(it may be an XML bomb): it was refused unread. Save it again as .xlsx "
        "(Excel workbook).",
        code="unsafe_xml",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_INFLATED_BYTES:
                raise ValidationFailed.single("file", "The workbook is too large once unpacked.")
            if "xl/workbook.xml" not in archive.namelist():
                raise not_xlsx
            if any(_declares_dtd(archive, info) for info in archive.infolist()):
                raise unsafe_xml
    except (zipfile.BadZipFile, zlib.error, EOFError):
        raise not_xlsx from None
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on broken parts, often wrapped
        if _caused_by(exc, DefusedXmlException):
            raise unsafe_xml from None
        raise not_xlsx from None
    _unmark_workbook(workbook)
    return workbook


class CellErrors:
    """Bad cells, reported in sheet order (row, then column) as `Sheet!C12: message`."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self._found: list[tuple[int, int, FieldError]] = []

    def add(self, row: int, column: int, message: str, sheet: str | None = None) -> None:
        ref = f"{sheet or self.sheet}!{get_column_letter(column)}{row}"
        self._found.append((row, column, FieldError(ref, _bounded(message))))

    def add_row(self, row: int, message: str) -> None:
        self._found.append((row, 0, FieldError(f"{self.sheet}!{row}:{row}", _bounded(message))))

    def add_whole(self, ref: str, message: str) -> None:
        self._found.append((0, 0, FieldError(ref, _bounded(message))))

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
