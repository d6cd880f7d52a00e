"""Evidence pages: the permission matrix, uploading one or several files (a refused one named
on the form, nothing of it left behind), downloads by role with their activity entry and
headers, tamper refusal, deletion in use, and query counts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES
from pdca.core.testing import ViewBundle, count_queries
from pdca.core.testing.api_bundle import ROLES, login
from pdca.documents.models import EvidenceFile
from pdca.documents.permissions import EVIDENCE_KEEPERS, UPLOADERS
from tests.documents.test_evidence_services import (
    EXE,
    HTML,
    PDF,
    PNG,
    counts,
    make_evidence,
    make_version,
    nothing_written,
    stored_blobs,
    temporary_evidence_storage,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_storage")]


@pytest.fixture
def evidence_storage(settings, tmp_path):
    return temporary_evidence_storage(settings, tmp_path)


class TestEvidencePages(ViewBundle):
    model = EvidenceFile
    list_url = "/evidence/"
    create_url = "/evidence/upload/"
    view_roles = ALL_ROLES
    add_roles = UPLOADERS
    change_roles = delete_roles = EVIDENCE_KEEPERS
    invalid_form_data = [
        ({"description": "No file"}, "files"),
        (lambda org: {"files": SimpleUploadedFile("setup.pdf", EXE)}, "files"),
        (lambda org: {"files": SimpleUploadedFile("invoice.pdf", HTML)}, "files"),
        (
            lambda org: {"files": SimpleUploadedFile("a.pdf", PDF), "description": "x" * 301},
            "description",
        ),
    ]

    def make(self, org, index=0):
        return make_evidence(org, index)

    def form_data(self, org):
        return {"files": SimpleUploadedFile("report.pdf", PDF), "description": "Signed"}

    def edit_data(self, obj):
        return {"description": "Signed copy"}

    def detail_url(self, obj):
        return f"/evidence/{obj.pk}/"

    def edit_url(self, obj):
        return f"/evidence/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/evidence/{obj.pk}/delete/"

    @pytest.mark.parametrize("role", ROLES)
    def test_create_by_role(self, client, personas, role):
        # Uploads record "upload" rather than "create".
        org = personas.org_for(role)
        user = personas.users[role]
        before = set(self.rows(org).values_list("pk", flat=True))
        login(client, user)
        response = client.post(self.create_url, self.form_data(org))
        created = self.rows(org).exclude(pk__in=before)
        if role in self.add_roles:
            assert response.status_code == 302, response.content.decode()[:2000]
            evidence = created.get()
            assert response["Location"] == f"/evidence/{evidence.pk}/"
            assert self.entries(evidence, "upload", user).get().via == "web"
            assert (evidence.original_name, evidence.description) == ("report.pdf", "Signed")
        else:
            assert response.status_code == 403
            assert not created.exists()


def test_several_files_at_once(client, personas, evidence_storage):
    login(client, personas.manager)
    files = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.png", PNG)]
    response = client.post("/evidence/upload/", {"files": files, "description": "Audit"})
    assert response.status_code == 302
    assert response["Location"] == "/evidence/"
    names = sorted(EvidenceFile.objects.values_list("original_name", "description"))
    assert names == [("a.pdf", "Audit"), ("b.png", "Audit")]
    assert len(stored_blobs(evidence_storage)) == 2


def test_a_refused_file_among_several_is_named_and_the_others_are_kept(client, personas):
    login(client, personas.manager)
    files = [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("setup.pdf", EXE)]
    response = client.post("/evidence/upload/", {"files": files})
    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "setup.pdf is not accepted: it is a Windows program. Upload a PDF, PNG, JPEG, GIF, "
        "WebP, TIFF, Word, Excel, PowerPoint, OpenDocument text or spreadsheet, plain text, "
        "CSV or Markdown file."
    ]
    assert list(EvidenceFile.objects.values_list("original_name", flat=True)) == ["a.pdf"]
    assert "a.pdf stored." in response.content.decode()


def test_uploading_bytes_already_held_keeps_the_existing_file(client, personas):
    existing = make_evidence(personas.org, content=PDF, name="first.pdf")
    login(client, personas.manager)
    response = client.post("/evidence/upload/", {"files": SimpleUploadedFile("b.pdf", PDF)})
    assert response["Location"] == f"/evidence/{existing.pk}/"
    assert EvidenceFile.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "first.pdf stored (already held: the existing file is kept)." in page


def test_an_upload_over_the_limit_leaves_nothing(client, personas, evidence_storage, settings):
    settings.PDCA_MAX_UPLOAD_MB = 1
    login(client, personas.manager)
    before = counts()
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (1024 * 1024))
    response = client.post("/evidence/upload/", {"files": big})
    assert response.status_code == 200
    assert response.context["form"].errors["files"] == [
        "scan.pdf is larger than the limit of 1 MB."
    ]
    nothing_written(evidence_storage, before)


# --- the file's page and downloads ----------------------------------------------------------


def test_the_detail_page_shows_the_hash_and_where_the_file_is_used(client, personas):
    evidence = make_evidence(personas.org, content=PDF, name="cal.pdf")
    version = make_version(evidence, author=personas.manager)
    login(client, personas.employee)
    html = client.get(f"/evidence/{evidence.pk}/").content.decode()
    assert f'<code class="text-break" id="sha256">{evidence.sha256}</code>' in html
    assert (
        f'href="/documents/{version.document_id}/">{version.document.code} Log</a>, version 1'
        in html
    )
    assert f'href="/evidence/{evidence.pk}/download/"' in html
    assert f'href="/evidence/{evidence.pk}/edit/"' not in html


@pytest.mark.parametrize("role", ROLES)
def test_download_by_role(client, personas, role):
    evidence = make_evidence(personas.org_for(role), content=PDF, name="passwd.pdf")
    user = personas.users[role]
    login(client, user)
    response = client.get(f"/evidence/{evidence.pk}/download/")
    downloads = ActivityEntry.objects.filter(object_id=str(evidence.pk), action="download")
    if role in ALL_ROLES:
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="passwd.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        entry = downloads.get()
        assert (entry.actor, entry.via, entry.organization) == (user, "web", evidence.organization)
    else:
        assert response.status_code == 404
        assert not downloads.exists()


def test_an_outsider_cannot_download(client, personas):
    evidence = make_evidence(personas.org, content=PDF)
    login(client, personas.outsider)
    assert client.get(f"/evidence/{evidence.pk}/download/").status_code == 404
    client.logout()
    response = client.get(f"/evidence/{evidence.pk}/download/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert not ActivityEntry.objects.filter(action="download").exists()


def test_an_altered_file_is_not_handed_out(client, personas, evidence_storage):
    evidence = make_evidence(personas.org, content=PDF, name="a.pdf")
    Path(evidence_storage.path(evidence.storage_name)).unlink()
    login(client, personas.manager)
    response = client.get(f"/evidence/{evidence.pk}/download/")
    assert response.status_code == 409
    assert (
        "The stored bytes of a.pdf were altered or are missing; run pdca verify-evidence."
        in response.content.decode()
    )
    assert not ActivityEntry.objects.filter(action="download").exists()


def test_a_file_in_use_is_not_deleted(client, personas):
    evidence = make_evidence(personas.org)
    make_version(evidence, author=personas.manager)
    login(client, personas.manager)
    response = client.post(f"/evidence/{evidence.pk}/delete/", follow=True)
    assert "evidence-0.txt is the file of" in response.content.decode()
    assert EvidenceFile.objects.filter(pk=evidence.pk).exists()


def test_the_list_shows_where_files_are_used_in_constant_queries(client, personas):
    login(client, personas.manager)

    def add(start, n):
        for index in range(start, start + n):
            make_version(make_evidence(personas.org, index), author=personas.manager)

    add(0, 2)
    small, response = count_queries(lambda: client.get("/evidence/"))
    assert response.status_code == 200
    add(2, 10)
    large, response = count_queries(lambda: client.get("/evidence/"))
    assert large == small
    html = response.content.decode()
    assert html.count(" v1</a>") == 12


def test_the_list_filters_by_name_and_type(client, personas):
    pdf = make_evidence(personas.org, 0, content=PDF, name="audit.pdf")
    EvidenceFile.objects.filter(pk=pdf.pk).update(content_type="application/pdf")
    make_evidence(personas.org, 1, name="notes.txt")
    login(client, personas.employee)
    html = client.get("/evidence/", {"type": "application/pdf"}).content.decode()
    assert "audit.pdf" in html
    assert "notes.txt" not in html
    html = client.get("/evidence/", {"q": "NOTES"}).content.decode()
    assert "notes.txt" in html
    assert "audit.pdf" not in html
