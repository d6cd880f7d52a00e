"""The SoA's files: the XLSX workbook (title block, lines, summary) and the PDF, for the draft
and for an approved version, and their download pages."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pdca.core.jobs.models import Job
from pdca.core.testing.api_bundle import login
from pdca.risks.models import ControlApplicability
from pdca.risks.soa import export as soa_export
from pdca.risks.soa import services
from tests.risks.test_soa_services import decide_all, make_risk, standard

pytestmark = pytest.mark.usefixtures("catalog")


@pytest.fixture
def soa(personas):
    soa = services.create_soa(personas.org, standard(), actor=personas.manager, title="ISMS SoA")
    decide_all(soa)
    soa.lines.filter(control__number="A.8.25").update(
        applicable=False, justification="Acme writes no software."
    )
    line = soa.lines.get(control__number="A.5.1")
    line.risks.add(make_risk(personas.org, "R-001"), make_risk(personas.org, "R-002"))
    ControlApplicability.objects.filter(pk=line.pk).update(
        owner=personas.manager, implementation="implemented", notes="Reviewed yearly"
    )
    return soa


def sheet_rows(data: bytes, sheet: str):
    workbook = load_workbook(io.BytesIO(data))
    return workbook, workbook[sheet]


def test_the_draft_workbook(personas, soa):
    workbook, sheet = sheet_rows(soa_export.soa_xlsx(soa), "Lines")
    assert workbook.sheetnames == ["Lines", "Summary"]
    block = [
        (sheet.cell(row=r, column=1).value, sheet.cell(row=r, column=2).value) for r in range(1, 8)
    ]
    assert block[0][0] == "ISMS SoA"
    assert block[1:] == [
        ("Organization", "Org A"),
        ("Standard", "ISO/IEC 27001:2022 (iso27001-2022)"),
        ("Version", "Draft"),
        ("Date", block[4][1]),
        ("Approved by", "not approved (draft)"),
        ("SHA-256", "—"),
    ]
    header = [c.value for c in sheet[soa_export.HEADER_ROW]]
    assert header == [
        "Control",
        "Title",
        "Group",
        "Applicable",
        "Justification",
        "Implementation status",
        "Owner",
        "Linked risks",
        "Notes",
    ]
    first = [c.value for c in sheet[soa_export.HEADER_ROW + 1]]
    assert first == [
        "A.5.1",
        "Policies for information security",
        "A.5 Organizational controls",
        "Yes",
        "Chosen after the risk assessment.",
        "Implemented",
        personas.manager.email,
        "R-001, R-002",
        "Reviewed yearly",
    ]
    rows = list(sheet.iter_rows(min_row=soa_export.HEADER_ROW + 1, values_only=True))
    assert len(rows) == 93
    assert next(r for r in rows if r[0] == "A.8.25")[3:5] == ("No", "Acme writes no software.")
    assert sheet.freeze_panes == "C10"
    assert sheet.auto_filter.ref == "A9:I102"
    assert sheet.column_dimensions["E"].width == 60
    assert sheet["E10"].alignment.wrap_text is True
    summary = {
        row[0]: row[1]
        for row in workbook["Summary"].iter_rows(min_row=4, values_only=True)
        if row[0]
    }
    assert (summary["Controls"], summary["Applicable"], summary["Not applicable"]) == (93, 92, 1)
    assert summary["Implemented (applicable controls)"] == 1


def test_a_version_workbook_shows_the_frozen_lines_and_hash(personas, soa):
    version = services.approve_soa(soa, actor=personas.manager)
    services.update_line(
        soa.lines.get(control__number="A.5.1"), actor=personas.manager, justification="Changed."
    )
    _, sheet = sheet_rows(soa_export.soa_xlsx(soa, version), "Lines")
    assert sheet["B4"].value == "Version 1"
    assert sheet["B6"].value == f"{personas.manager.get_full_name()} <{personas.manager.email}>"
    assert sheet["B7"].value == version.sha256
    assert sheet["E10"].value == "Chosen after the risk assessment."
    assert soa_export.filename(soa, version, "xlsx") == f"soa-{soa.pk}-v1.xlsx"


def test_the_pdf_shows_the_lines_and_for_a_version_its_hash(personas, soa, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    version = services.approve_soa(soa, actor=personas.manager)
    data = soa_export.soa_pdf(soa, version)
    assert data.startswith(b"%PDF")
    path = tmp_path / "soa.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "ISMS SoA" in text
    assert "Version 1" in text
    assert f"SHA-256 {version.sha256}" in text  # in every page's footer
    assert text.count(f"SHA-256 {version.sha256}") >= 2
    assert "Page 1 of" in text
    assert "A.8.25" in text and "Acme writes no software." in text
    assert "R-001, R-002" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "Page size:       841.89 x 595.276 pts (A4)" in info  # landscape: wider than high

    draft = soa_export.soa_html(soa)
    assert "Draft, not approved" in draft


def test_download_pages(client, personas, soa):
    version = services.approve_soa(soa, actor=personas.manager)
    login(client, personas.employee)
    response = client.get(reverse("risks:soa-xlsx", args=[soa.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == soa_export.XLSX_CONTENT_TYPE
    assert response["Content-Disposition"] == f'attachment; filename="soa-{soa.pk}-draft.xlsx"'
    response = client.get(reverse("risks:soa-xlsx", args=[soa.pk]) + "?version=1")
    _, sheet = sheet_rows(response.content, "Lines")
    assert sheet["B7"].value == version.sha256
    # The PDF is made by a job: the button queues it and the job's page offers the download.
    response = client.post(reverse("risks:soa-pdf", args=[soa.pk]), {"version": "1"})
    job = Job.objects.get(kind="soa_pdf")
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert (job.status, job.params) == ("succeeded", {"soa": soa.pk, "version": 1})
    response = client.get(reverse("jobs:download", args=[job.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="soa-{soa.pk}-v1.pdf"'
    assert response.content.startswith(b"%PDF-")
    assert client.post(reverse("risks:soa-pdf", args=[soa.pk]), {"version": "7"}).status_code == 404
    assert client.get(reverse("risks:soa-pdf", args=[soa.pk])).status_code == 405
    assert client.get(reverse("risks:soa-xlsx", args=[soa.pk]) + "?version=x").status_code == 404
