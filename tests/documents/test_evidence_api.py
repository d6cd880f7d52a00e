"""The evidence API: the permission matrix, multipart uploads by role, bad files, downloads
by role and organization with their activity entry, tamper refusal, deletion in use, filters
and query counts."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES
from pdca.core.testing import ApiBundle, count_queries
from pdca.core.testing.api_bundle import ROLES, login
from pdca.documents.models import EvidenceFile
from pdca.documents.permissions import EVIDENCE_KEEPERS, UPLOADERS
from tests.documents.test_evidence_services import (
    EXE,
    PDF,
    counts,
    docx_bytes,
    make_evidence,
    make_version,
    nothing_written,
    stored_blobs,
    temporary_evidence_storage,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_storage")]

URL = "/api/v1/evidence/"


@pytest.fixture
def evidence_storage(settings, tmp_path):
    return temporary_evidence_storage(settings, tmp_path)


def upload(client, org, name="report.pdf", content=PDF, **extra):
    data = {"organization": org.slug, "file": SimpleUploadedFile(name, content), **extra}
    return client.post(URL, data)


class TestEvidenceApi(ApiBundle):
    model = EvidenceFile
    url = URL
    view_roles = ALL_ROLES
    change_roles = delete_roles = EVIDENCE_KEEPERS
    # Uploads are multipart: tested by role below.
    creates = False
    update_payload = {"description": "Signed copy"}
    invalid_payloads = [
        ({"description": "x" * 301}, "description"),
        ({"description": "a\x00b"}, "description"),
        ({"sha256": "0" * 64}, "sha256"),
    ]

    def make(self, org, index=0):
        return make_evidence(org, index)


@pytest.mark.parametrize("role", ROLES)
def test_upload_by_role(client, personas, evidence_storage, role):
    org = personas.org_for(role)
    user = personas.users[role]
    login(client, user)
    before = counts()
    response = upload(client, org, description="Calibration certificate")
    if role in UPLOADERS:
        assert response.status_code == 201, response.content
        body = response.json()
        evidence = EvidenceFile.objects.get(organization=org)
        assert body == {
            "id": evidence.pk,
            "organization": org.slug,
            "name": "report.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
            "sha256": hashlib.sha256(PDF).hexdigest(),
            "description": "Calibration certificate",
            "uploaded_by": user.email,
            "created_at": body["created_at"],
            "used_in": [],
        }
        entry = ActivityEntry.objects.get(object_id=str(evidence.pk), action="upload")
        assert (entry.actor, entry.via) == (user, "api")
    else:
        assert response.status_code == 403, response.content
        assert response["Content-Type"] == "application/problem+json"
        nothing_written(evidence_storage, before)


def test_an_outsider_uploading_to_another_organization_gets_404(client, personas, evidence_storage):
    login(client, personas.outsider)
    before = counts()
    assert upload(client, personas.org).status_code == 404
    nothing_written(evidence_storage, before)


def test_anonymous_upload_is_refused(client, personas, evidence_storage):
    before = counts()
    assert upload(client, personas.org).status_code == 401
    nothing_written(evidence_storage, before)


def test_the_same_bytes_again_answer_200_with_the_existing_file(client, personas):
    login(client, personas.manager)
    first = upload(client, personas.org).json()
    response = upload(client, personas.org, name="again.pdf")
    assert response.status_code == 200
    assert response.json()["id"] == first["id"]
    assert response.json()["name"] == "report.pdf"
    assert EvidenceFile.objects.count() == 1


def test_a_docx_named_pdf_is_stored_as_docx(client, personas):
    login(client, personas.manager)
    body = upload(client, personas.org, name="scan.pdf", content=docx_bytes()).json()
    assert (body["name"], body["content_type"]) == (
        "scan.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("setup.pdf", EXE, "setup.pdf is not accepted: it is a Windows program."),
        ("empty.pdf", b"", "empty.pdf is empty."),
        ("../../etc/passwd.pdf", EXE, "passwd.pdf is not accepted"),
    ],
)
def test_bad_files_answer_422_naming_the_file(
    client, personas, evidence_storage, name, content, says
):
    login(client, personas.manager)
    before = counts()
    response = upload(client, personas.org, name=name, content=content)
    assert response.status_code == 422, response.content
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == ["file"]
    assert says in problem["errors"][0]["message"]
    nothing_written(evidence_storage, before)


def test_a_file_over_the_limit_answers_422(client, personas, evidence_storage, settings):
    settings.PDCA_MAX_UPLOAD_MB = 1
    login(client, personas.manager)
    before = counts()
    response = upload(client, personas.org, content=PDF + b"0" * (1024 * 1024))
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "file",
        "message": "report.pdf is larger than the limit of 1 MB.",
        "code": "file_too_large",
    }
    nothing_written(evidence_storage, before)


def test_a_missing_file_or_organization_is_named(client, personas, evidence_storage):
    login(client, personas.manager)
    before = counts()
    response = client.post(URL, {"organization": personas.org.slug})
    assert response.status_code == 422
    assert "file" in {e["field"] for e in response.json()["errors"]}
    response = client.post(URL, {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 422
    assert "organization" in {e["field"] for e in response.json()["errors"]}
    response = upload(client, personas.org, description="x" * 301)
    assert [e["field"] for e in response.json()["errors"]] == ["description"]
    nothing_written(evidence_storage, before)


# --- downloads ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_download_by_role(client, personas, role):
    evidence = make_evidence(personas.org_for(role), content=PDF, name="passwd.pdf")
    user = personas.users[role]
    login(client, user)
    response = client.get(f"{URL}{evidence.pk}/download/")
    downloads = ActivityEntry.objects.filter(object_id=str(evidence.pk), action="download")
    if role in ALL_ROLES:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Length"] == str(len(PDF))
        entry = downloads.get()
        assert (entry.actor, entry.via) == (user, "api")
    else:
        assert response.status_code == 404
        assert not downloads.exists()


def test_downloads_of_another_organization_answer_404(client, personas):
    evidence = make_evidence(personas.org, content=PDF)
    login(client, personas.outsider)
    assert client.get(f"{URL}{evidence.pk}/download/").status_code == 404
    client.logout()
    assert client.get(f"{URL}{evidence.pk}/download/").status_code == 401
    assert not ActivityEntry.objects.filter(action="download").exists()


def test_an_altered_file_answers_409(client, personas, evidence_storage):
    evidence = make_evidence(personas.org, content=PDF, name="a.pdf")
    Path(evidence_storage.path(evidence.storage_name)).write_bytes(PDF + b"tampered")
    login(client, personas.employee)
    response = client.get(f"{URL}{evidence.pk}/download/")
    assert response.status_code == 409
    assert response.json()["code"] == "evidence_altered"
    assert response.json()["detail"] == (
        "The stored bytes of a.pdf were altered or are missing; run pdca verify-evidence."
    )
    assert not ActivityEntry.objects.filter(action="download").exists()


# --- deletion, filters, counts --------------------------------------------------------------


def test_a_file_in_use_cannot_be_deleted(client, personas, evidence_storage):
    evidence = make_evidence(personas.org)
    make_version(evidence, author=personas.manager)
    login(client, personas.manager)
    response = client.delete(f"{URL}{evidence.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "evidence_in_use"
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()
    assert stored_blobs(evidence_storage) == [evidence.storage_name]


def test_filters(client, personas):
    pdf = make_evidence(personas.org, 0, content=PDF, name="audit.pdf")
    pdf.content_type = "application/pdf"
    pdf.description = "Stage 1 report"
    pdf.save()
    text = make_evidence(personas.org, 1)
    version = make_version(text, author=personas.manager)
    make_evidence(personas.other, 2)
    login(client, personas.manager)

    def ids(**query):
        response = client.get(URL, query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["items"]]

    assert sorted(ids()) == sorted([pdf.pk, text.pk])
    assert ids(content_type="application/pdf") == [pdf.pk]
    assert ids(q="stage 1") == [pdf.pk]
    assert ids(q="AUDIT") == [pdf.pk]
    assert ids(sha256=text.sha256.upper()) == [text.pk]
    assert ids(unused=True) == [pdf.pk]
    assert ids(organization="org-b") == []
    body = client.get(f"{URL}{text.pk}/").json()
    assert body["used_in"] == [
        {
            "version": version.pk,
            "document": version.document_id,
            "code": version.document.code,
            "number": 1,
            "status": "draft",
        }
    ]


def test_list_query_count_does_not_grow_with_used_files(client, personas):
    login(client, personas.manager)

    def add(n, start):
        for index in range(start, start + n):
            make_version(make_evidence(personas.org, index), author=personas.manager)

    add(2, 0)
    small, response = count_queries(lambda: client.get(URL))
    assert response.status_code == 200
    add(10, 2)
    large, response = count_queries(lambda: client.get(URL))
    assert len(response.json()["items"]) == 12
    assert all(len(row["used_in"]) == 1 for row in response.json()["items"])
    assert large == small
