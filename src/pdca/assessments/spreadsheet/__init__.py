"""The XLSX round trip of a gap assessment: export every item to a workbook, let people edit it
in a spreadsheet program, and import it back.

The import checks every cell first and names each bad one as `Items!E12` (sheet, column,
row); when any cell is bad nothing is written. Good files go through `bulk_update_items`, so
the permission rules and the activity log apply exactly as on the page and in the API.

`common` holds the columns, constants, styles and shared helpers; `export` writes the
workbook; `importer` reads one back and validates its cells.
"""

from pdca.assessments.spreadsheet.common import (
    BY_KEY,
    COLUMNS,
    DATE_FORMAT,
    FORMAT_NAME,
    HEADER_FILL,
    HEADER_FONT,
    ISO_DATE,
    ITEMS_SHEET,
    MAX_INFLATED_BYTES,
    MAX_UPLOAD_BYTES,
    READ_ONLY_FILL,
    STATUS_BY_WORD,
    STATUS_LABELS,
    TOP,
    WRAP,
    XLSX_CONTENT_TYPE,
    Column,
    clean_text,
    covers_label,
    export_items,
    filename,
)
from pdca.assessments.spreadsheet.export import export_assessment
from pdca.assessments.spreadsheet.importer import ImportSummary, import_assessment, may_import

__all__ = [
    "BY_KEY",
    "COLUMNS",
    "DATE_FORMAT",
    "FORMAT_NAME",
    "HEADER_FILL",
    "HEADER_FONT",
    "ISO_DATE",
    "ITEMS_SHEET",
    "MAX_INFLATED_BYTES",
    "MAX_UPLOAD_BYTES",
    "READ_ONLY_FILL",
    "STATUS_BY_WORD",
    "STATUS_LABELS",
    "TOP",
    "WRAP",
    "XLSX_CONTENT_TYPE",
    "Column",
    "ImportSummary",
    "clean_text",
    "covers_label",
    "export_assessment",
    "export_items",
    "filename",
    "import_assessment",
    "may_import",
]
