"""Shared set-up of the XLSX round trip, report and CLI tests: a management system with an
assessment, and helpers to edit an exported workbook the way a person would."""

from __future__ import annotations

import io
import shutil
import subprocess

import openpyxl
import pytest

from pdca.assessments import services as gap
from pdca.assessments.models import GapAssessment, GapItem
from pdca.core.models import ActivityEntry
from pdca.standards.models import Standard
from pdca.system import services as system_services

ALL_CODES = (
    "iso14001-2015",
    "iso22000-2018",
    "iso22301-2019",
    "iso27001-2022",
    "iso42001-2023",
    "iso45001-2018",
    "iso9001-2015",
)
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


def make_assessment(
    personas, codes=("iso9001-2015", "iso27001-2022"), *, org=None, actor=None, name="IMS"
) -> GapAssessment:
    org = org or personas.org
    actor = actor or (personas.manager if org == personas.org else personas.outsider)
    system = system_services.create_system(
        org,
        name=name,
        standards=list(Standard.objects.filter(code__in=codes)),
        actor=actor,
    )
    return gap.create_assessment(system, title=f"{name} baseline", actor=actor)


def item_for(assessment: GapAssessment, code: str, number: str) -> GapItem:
    return assessment.items.get(covers__standard__code=code, covers__number=number)


def workbook_of(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def save(workbook) -> bytes:
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def header_index(sheet) -> dict[str, int]:
    """{header text: 1-based column} of row 1."""
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def row_of(sheet, item_id: int) -> int:
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 1).value == item_id:
            return row
    raise LookupError(item_id)


def set_cell(sheet, item_id: int, header: str, value) -> str:
    """Write `value` in the row of `item_id` under `header`; returns the cell's reference."""
    cell = sheet.cell(row_of(sheet, item_id), header_index(sheet)[header])
    cell.value = value
    return f"{sheet.title}!{cell.coordinate}"


def state(assessment: GapAssessment):
    """Every item's editable values and the activity-log size: to show nothing was written
    (queueing an import is logged as the job's own entry, which is left out)."""
    items = list(
        assessment.items.order_by("pk").values_list(
            "pk", "status", "owner_id", "target_date", "notes", "justification", "evidence"
        )
    )
    return items, ActivityEntry.objects.exclude(object_type="core.job").count()


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
