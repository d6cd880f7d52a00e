"""The SoA's PDF and import through the API: queued as jobs (202 with the job and its address),
with the permission matrix, and a refused import that imports nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pdca.core.jobs.models import Job
from pdca.core.testing.api_bundle import login
from pdca.risks.soa import services
from tests.risks.test_soa_import import CONTROL, JUSTIFICATION, edited, soa, state  # noqa: F401
from tests.risks.test_soa_services import decide_all

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog")]


def pdf_url(soa) -> str:  # noqa: F811
    return f"/api/v1/soa/{soa.pk}/pdf/jobs/"


def import_url(soa) -> str:  # noqa: F811
    return f"/api/v1/soa/{soa.pk}/import/jobs/"


def test_every_member_queues_the_pdf_of_the_draft_or_a_version(client, personas, soa):  # noqa: F811
    login(client, personas.outsider)
    assert client.post(pdf_url(soa), {}, content_type="application/json").status_code == 404
    login(client, personas.employee)
    response = client.post(pdf_url(soa), {}, content_type="application/json")
    assert response.status_code == 202, response.content
    job = response.json()
    assert response["Location"] == f"/api/v1/jobs/{job['id']}/"
    assert (job["kind"], job["status"]) == ("soa_pdf", "succeeded")
    assert job["file"]["content_type"] == "application/pdf"
    download = client.get(job["links"]["result"])
    assert download.status_code == 200
    assert download.content.startswith(b"%PDF")

    missing = client.post(pdf_url(soa), {"version": 7}, content_type="application/json")
    assert missing.status_code == 404
    bad = client.post(pdf_url(soa), {"version": 0}, content_type="application/json")
    assert bad.status_code == 422


def test_an_approved_version_is_its_own_pdf(client, personas, soa):  # noqa: F811
    decide_all(soa)
    version = services.approve_soa(soa, actor=personas.manager)
    login(client, personas.manager)
    response = client.post(
        pdf_url(soa), {"version": version.number}, content_type="application/json"
    )
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.params["version"] == version.number


def test_the_import_is_queued_for_those_who_change_lines(client, personas, soa):  # noqa: F811
    data = edited(soa, {f"{JUSTIFICATION}10": "Read back from the API"})
    before = state(soa)

    def upload():
        return {"file": SimpleUploadedFile("soa.xlsx", data)}

    login(client, personas.outsider)
    assert client.post(import_url(soa), upload()).status_code == 404
    login(client, personas.employee)
    assert client.post(import_url(soa), upload()).status_code == 403
    assert not Job.objects.filter(kind="soa_import").exists()
    assert state(soa) == before

    login(client, personas.manager)
    response = client.post(import_url(soa), upload())
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "succeeded", response.json()["error"]
    assert soa.lines.filter(justification="Read back from the API").count() == 1


def test_a_bad_cell_fails_the_job_naming_it_and_imports_nothing(client, personas, soa):  # noqa: F811
    before = state(soa)
    data = edited(soa, {f"{CONTROL}10": "A.9.9"})
    login(client, personas.manager)
    response = client.post(import_url(soa), {"file": SimpleUploadedFile("soa.xlsx", data)})
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "failed"
    assert [e["field"] for e in job["errors"]] == ["Lines!A10"]
    assert state(soa) == before


def test_a_file_that_is_not_a_workbook_fails_and_says_so(client, personas, soa):  # noqa: F811
    login(client, personas.manager)
    response = client.post(
        import_url(soa), {"file": SimpleUploadedFile("soa.xlsx", b"not a workbook")}
    )
    assert response.status_code == 202
    assert response.json()["status"] == "failed"
    assert "cannot be read as a workbook" in response.json()["error"]
