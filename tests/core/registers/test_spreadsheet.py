"""The XLSX round trip of a register: export, edit, import; bad cells named by reference,
and nothing saved when any row is wrong."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.jobs.models import Job
from pdca.core.models import ActivityEntry
from pdca.core.registers.spreadsheet import export_entries, import_entries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement
from pdca.system.models import ContextIssue, Process
from pdca.system.registers import CONTEXT_ISSUES, PROCESSES

pytestmark = pytest.mark.django_db


def workbook_bytes(rows: list[list], title: str = "Context issues") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


HEADER = ["ID", "Title", "Origin", "Category", "Owner", "Review date", "Requirements"]


def test_export_then_import_changes_only_what_was_edited(personas, catalog):
    org, manager = personas.org, personas.manager
    req = Requirement.objects.get(standard__code="iso9001-2015", number="4.1")
    issue = ContextIssue.objects.create(
        organization=org,
        title="Energy prices",
        origin="external",
        category="economic",
        owner=manager,
        review_date=dt.date(2027, 1, 31),
    )
    issue.requirements.set([req])
    ContextIssue.objects.create(
        organization=org, title="Ageing machines", origin="internal", category="weakness"
    )
    data = export_entries(CONTEXT_ISSUES, ContextIssue.objects.order_by("title"), organization=org)
    book = load_workbook(io.BytesIO(data))
    sheet = book["Context issues"]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["ID", "Title", "Origin", "Category"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    energy = rows["Energy prices"]
    assert energy[headers.index("Owner")] == manager.email
    assert energy[headers.index("Requirements")] == "ISO 9001:2015 4.1"
    assert energy[headers.index("Review date")].date() == dt.date(2027, 1, 31)
    assert energy[headers.index("Category")] == "Economic"
    # Edit one cell, add one row, and read it back.
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == "Energy prices":
            row[headers.index("Status")].value = "Monitoring"
    sheet.append([None, "Cyber attacks", "External", "Technological"])
    buffer = io.BytesIO()
    book.save(buffer)
    summary = import_entries(CONTEXT_ISSUES, org, buffer.getvalue(), actor=manager)
    assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 1)
    issue.refresh_from_db()
    assert issue.status == "monitoring"
    assert list(issue.requirements.all()) == [req]
    assert ContextIssue.objects.get(title="Cyber attacks").category == "technological"


def test_bad_cells_are_named_and_nothing_is_saved(personas, catalog):
    org, manager = personas.org, personas.manager
    before = ActivityEntry.objects.count()
    data = workbook_bytes(
        [
            HEADER,
            [None, "Fine row", "External", "Legal", None, None, None],
            [None, "Bad origin", "Sideways", "Legal", None, None, None],
            [None, "Bad owner", "Internal", "Strength", "nobody@x.example", None, None],
            [None, "Bad date", "Internal", "Strength", None, "next week", None],
            [None, "Bad requirement", "Internal", "Strength", None, None, "ISO 9001:2015 99.9"],
            [424242, "Unknown id", "Internal", "Strength", None, None, None],
        ]
    )
    with pytest.raises(ValidationFailed) as caught:
        import_entries(CONTEXT_ISSUES, org, data, actor=manager)
    refs = [e.field for e in caught.value.errors]
    assert refs == [
        "Context issues!C3",
        "Context issues!E4",
        "Context issues!F5",
        "Context issues!G6",
        "Context issues!A7",
    ]
    assert "Sideways" in caught.value.errors[0].message
    assert not ContextIssue.objects.exists()
    assert ActivityEntry.objects.count() == before


def test_rows_the_services_refuse_are_reported_by_cell_and_roll_back_the_others(personas, catalog):
    org, manager = personas.org, personas.manager
    Process.objects.create(organization=org, code="P-01", name="Sales")
    data = workbook_bytes(
        [
            ["Code", "Name", "Category"],
            ["P-02", "Production", "Core (operational)"],
            ["p-01", "Duplicate code", "Core"],
            ["P-03", "", "Support"],
        ],
        title="Processes",
    )
    with pytest.raises(ValidationFailed) as caught:
        import_entries(PROCESSES, org, data, actor=manager)
    refs = {e.field for e in caught.value.errors}
    assert refs == {"Processes!A3", "Processes!B4"}
    assert list(Process.objects.values_list("code", flat=True)) == ["P-01"]


def test_unknown_columns_and_missing_key_column_are_refused(personas):
    with pytest.raises(ValidationFailed) as caught:
        import_entries(
            CONTEXT_ISSUES,
            personas.org,
            workbook_bytes([["Origin", "Colour"], ["External", "red"]]),
            actor=personas.manager,
        )
    messages = [e.message for e in caught.value.errors]
    assert any("Unknown column “Colour”" in m for m in messages)
    assert any("“Title” is missing" in m for m in messages)


def test_not_a_workbook_is_refused(personas):
    with pytest.raises(ValidationFailed) as caught:
        import_entries(CONTEXT_ISSUES, personas.org, b"title,origin\n", actor=personas.manager)
    assert caught.value.errors[0].field == "file"


def test_readers_may_not_import(personas):
    data = workbook_bytes([HEADER[:4], [None, "X", "External", "Legal"]])
    with pytest.raises(PermissionDenied):
        import_entries(CONTEXT_ISSUES, personas.org, data, actor=personas.employee)
    assert not ContextIssue.objects.exists()


def test_dry_run_checks_and_saves_nothing(personas):
    data = workbook_bytes([HEADER[:4], [None, "X", "External", "Legal"]])
    summary = import_entries(
        CONTEXT_ISSUES, personas.org, data, actor=personas.manager, dry_run=True
    )
    assert summary.created == 1 and summary.dry_run
    assert not ContextIssue.objects.exists()


def test_import_page_lists_the_bad_cells(client, personas):
    login(client, personas.manager)
    data = workbook_bytes([HEADER[:4], [None, "X", "Nowhere", "Legal"]])
    upload = io.BytesIO(data)
    upload.name = "issues.xlsx"
    response = client.post("/context-issues/import/", {"file": upload}, follow=True)
    job = Job.objects.get(kind="register_import")
    # A job checks the file; its page lists every bad cell.
    assert response.redirect_chain == [(f"/jobs/{job.pk}/", 302)]
    assert job.status == "failed"
    assert "Context issues!C2" in response.content.decode()
    assert not ContextIssue.objects.exists()
    response = client.post("/context-issues/import/", {})
    assert response.status_code == 422
    assert "Choose an XLSX file to import." in response.content.decode()


def test_import_api_and_export_api(client, personas):
    login(client, personas.manager)
    data = workbook_bytes([HEADER[:4], [None, "Brexit customs", "External", "Political"]])
    upload = io.BytesIO(data)
    upload.name = "issues.xlsx"
    response = client.post(
        f"/api/v1/context-issues/import/jobs/?organization={personas.org.slug}", {"file": upload}
    )
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == f"/api/v1/jobs/{job['id']}/"
    assert (job["kind"], job["status"]) == ("register_import", "succeeded")
    assert job["result"]["created"] == 1
    assert job["result"]["ids"] == [ContextIssue.objects.get().pk]
    response = client.get(f"/api/v1/context-issues/export.xlsx?organization={personas.org.slug}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["Context issues"]
    assert sheet["B2"].value == "Brexit customs"
    login(client, personas.outsider)
    response = client.get(f"/api/v1/context-issues/export.xlsx?organization={personas.org.slug}")
    assert response.status_code == 404


def test_export_page_follows_the_filters(client, personas):
    ContextIssue.objects.create(
        organization=personas.org, title="Legal one", origin="external", category="legal"
    )
    ContextIssue.objects.create(
        organization=personas.org, title="Social one", origin="external", category="social"
    )
    login(client, personas.employee)
    response = client.get("/context-issues/export.xlsx?category=legal")
    sheet = load_workbook(io.BytesIO(response.content))["Context issues"]
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["Legal one"]
