"""The gap report and the import through the API: queued as jobs, answered 202 with the job
and its address; every member may have the report made, importers may import, and another
organization's assessment does not exist (404)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pdca.assessments import spreadsheet
from pdca.core.jobs.models import Job
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import ROLES, login
from tests.assessments.filedata import (
    item_for,
    make_assessment,
    save,
    set_cell,
    state,
    workbook_of,
)

IMPORTERS = {Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.PROCESS_OWNER}


@pytest.fixture
def assessment(personas, catalog):
    return make_assessment(personas, ("iso9001-2015",))


def report_url(assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/report/jobs/"


def import_url(assessment) -> str:
    return f"/api/v1/assessments/{assessment.pk}/import/jobs/"


def upload(data: bytes, name: str = "gap.xlsx") -> dict:
    return {"file": SimpleUploadedFile(name, data, content_type=spreadsheet.XLSX_CONTENT_TYPE)}


@pytest.mark.parametrize("role", ROLES)
def test_every_member_has_the_report_made_and_others_get_404(client, personas, assessment, role):
    login(client, personas.users[role])
    response = client.post(report_url(assessment), {"format": "xlsx"}, "application/json")
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 202, response.content
        job = Job.objects.get()
        assert response["Location"] == f"/api/v1/jobs/{job.pk}/"
        data = response.json()
        assert (data["id"], data["kind"], data["status"]) == (
            job.pk,
            "gap_report_xlsx",
            "succeeded",
        )
        assert data["file"]["name"] == f"gap-report-{assessment.pk}.xlsx"
        result = client.get(data["links"]["result"])
        assert workbook_of(result.content).sheetnames == ["Summary", "Clauses", "Items", "Plan"]
    else:
        assert response.status_code == 404
        assert not Job.objects.exists()


def test_the_same_report_asked_for_while_it_is_made_is_the_same_job(
    client, personas, assessment, settings
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": []}
    }
    login(client, personas.employee)
    first = client.post(report_url(assessment), {"format": "pdf"}, "application/json")
    again = client.post(report_url(assessment), {}, "application/json")  # pdf by default
    xlsx = client.post(report_url(assessment), {"format": "xlsx"}, "application/json")
    assert first.status_code == again.status_code == xlsx.status_code == 202
    assert first.json()["status"] == "queued"
    assert first.json()["id"] == again.json()["id"] != xlsx.json()["id"]
    assert Job.objects.count() == 2


def test_an_unknown_format_is_refused_naming_the_field(client, personas, assessment):
    login(client, personas.employee)
    response = client.post(report_url(assessment), {"format": "docx"}, "application/json")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["format"]
    assert not Job.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_import_by_role(client, personas, assessment, role):
    item = item_for(assessment, "iso9001-2015", "7.2")
    if role == Role.PROCESS_OWNER:
        assessment.items.filter(pk=item.pk).update(owner=personas.users[role])
    workbook = workbook_of(spreadsheet.export_assessment(assessment))
    set_cell(workbook["Items"], item.pk, "Status", "Partial")
    before = state(assessment)
    login(client, personas.users[role])
    response = client.post(import_url(assessment), upload(save(workbook)))
    item.refresh_from_db()
    if role in IMPORTERS:
        assert response.status_code == 202, response.content
        data = response.json()
        assert (data["kind"], data["status"]) == ("gap_import", "succeeded")
        assert data["result"]["changed_ids"] == [item.pk]
        assert item.status == "partial"
    else:
        assert response.status_code == (403 if role in ORGANIZATION_ROLES else 404)
        assert response["Content-Type"] == "application/problem+json"
        assert state(assessment) == before
        assert not Job.objects.exists()


def test_an_import_with_bad_cells_fails_listing_each_and_writes_nothing(
    client, personas, assessment
):
    a = item_for(assessment, "iso9001-2015", "7.2")
    b = item_for(assessment, "iso9001-2015", "7.3")
    workbook = workbook_of(spreadsheet.export_assessment(assessment))
    status_cell = set_cell(workbook["Items"], a.pk, "Status", "done")
    owner_cell = set_cell(workbook["Items"], b.pk, "Owner e-mail", "ghost@a.example")
    before = state(assessment)
    login(client, personas.manager)
    response = client.post(import_url(assessment), upload(save(workbook)))
    assert response.status_code == 202
    data = response.json()
    assert data["status"] == "failed"
    assert data["error"] == (
        "Nothing was imported: 2 problems need fixing. Correct them in the workbook and import "
        "it again."
    )
    assert [(e["field"], e["code"]) for e in data["errors"]] == [
        (status_cell, "invalid"),
        (owner_cell, "invalid"),
    ]
    assert data["links"]["retry"] == f"/api/v1/jobs/{data['id']}/retry/"
    assert state(assessment) == before


def test_a_file_over_the_limit_is_refused_before_it_is_queued(client, personas, assessment):
    login(client, personas.manager)
    response = client.post(import_url(assessment), upload(b"x" * (5 * 1024 * 1024 + 1)))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert not Job.objects.exists()


def test_anonymous_is_refused(client, assessment):
    assert client.post(report_url(assessment), {}, "application/json").status_code == 401
    assert client.post(import_url(assessment), upload(b"x")).status_code == 401
