"""Pages of document versions: the generic page matrix, the document's page (published content,
versions, steps, review flag, query count), the version page (sanitized Markdown, the reason a
step is not offered), steps posted from pages, the review queue, the preview and uploads."""

from __future__ import annotations

import datetime as dt
import sys
import types

import pytest
from django.urls import reverse

from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ViewBundle, count_queries
from pdca.core.testing.api_bundle import ROLES, login
from pdca.documents.models import Acknowledgement, DocumentVersion
from pdca.system.permissions import IMPLEMENTERS
from tests.documents.test_versions import make_document, make_file, make_version

pytestmark = pytest.mark.django_db

Status = DocumentVersion.Status


def document_page(document) -> str:
    return reverse("documents:documents-detail", args=[document.pk])


class TestDocumentVersionPages(ViewBundle):
    model = DocumentVersion
    list_url = "/documents/review/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        ({"content": "# Text", "change_summary": "x" * 10_001}, "change_summary"),
        (lambda org: {"content": "# A"} if make_version(org) else {}, ""),
    ]

    def make(self, org, index=0):
        return make_version(org, number=index + 1)

    def list_url_for(self, obj):
        return document_page(obj.document)

    def list_text(self, obj):
        return obj.change_summary

    def create_url_for(self, org):
        return reverse("documents:version-create", args=[make_document(org).pk])

    def detail_url(self, obj):
        return reverse("documents:version-detail", args=[obj.pk])

    def edit_url(self, obj):
        return reverse("documents:version-edit", args=[obj.pk])

    def delete_url(self, obj):
        return reverse("documents:version-delete", args=[obj.pk])

    def form_data(self, org):
        return {"content": "# Control of documents", "change_summary": "First issue"}

    def edit_data(self, obj):
        return {"content": obj.content + "\n\nRevised.", "change_summary": "Revised"}


def transition(client, version, name, follow=False, **data):
    url = reverse("documents:version-transition", args=[version.pk, name])
    return client.post(url, data, follow=follow)


def test_the_document_page_shows_content_versions_and_steps(client, personas):
    document = make_document(personas.org, owner=personas.users[Role.PROCESS_OWNER])
    published = make_version(
        personas.org, Status.PUBLISHED, document=document, content="# Scope\n\nAll sites."
    )
    draft = make_version(
        personas.org,
        Status.IN_REVIEW,
        document=document,
        author=personas.users[Role.TOP_MANAGEMENT],
    )
    Acknowledgement.objects.create(
        organization=personas.org, version=published, user=personas.employee
    )
    login(client, personas.users[Role.TOP_MANAGEMENT])
    html = client.get(document_page(document)).content.decode()
    assert "<h1>Scope</h1>\n<p>All sites.</p>" in html
    assert f"Published version: v{published.number}" in html
    assert "Read by 0 of 1" in html
    assert "You wrote this version, so another person must approve it." in html
    assert reverse("documents:version-detail", args=[draft.pk]) in html
    assert "New version" not in html  # one open version at a time, and the role may not write


def test_the_review_flag(client, personas):
    document = make_document(personas.org)
    login(client, personas.employee)
    assert 'id="review-due"' not in client.get(document_page(document)).content.decode()
    document.review_due = dt.date(2020, 1, 1)
    document.save()
    assert 'id="review-due"' in client.get(document_page(document)).content.decode()


def test_the_document_page_costs_the_same_queries_with_many_versions(client, personas):
    document = make_document(personas.org)
    login(client, personas.manager)

    def fill(upto):
        for number in range(document.versions.count() + 1, upto):
            make_version(personas.org, Status.SUPERSEDED, document=document, number=number)

    fill(3)
    make_version(personas.org, Status.PUBLISHED, document=document, number=50)
    make_version(personas.org, Status.DRAFT, document=document, number=51)
    n_small, response = count_queries(lambda: client.get(document_page(document)))
    assert response.status_code == 200
    fill(30)
    n_large, response = count_queries(lambda: client.get(document_page(document)))
    assert ">v29</a>" in response.content.decode()
    assert n_large == n_small


def test_the_version_page_renders_markdown_sanitized(client, personas):
    version = make_version(
        personas.org,
        content="## Purpose\n\n<script>alert(1)</script>[x](javascript:alert(1)) **bold**",
    )
    login(client, personas.employee)
    html = client.get(reverse("documents:version-detail", args=[version.pk])).content.decode()
    assert "<strong>bold</strong>" in html
    assert "<script>alert(1)</script>" not in html
    assert "javascript:alert" not in html


def test_a_file_version_links_its_download(client, personas):
    evidence = make_file(personas.org)
    version = make_version(personas.org, content="", file=evidence)
    login(client, personas.employee)
    html = client.get(reverse("documents:version-detail", args=[version.pk])).content.decode()
    assert f"/evidence/{evidence.pk}/download/" in html
    assert "policy.pdf" in html


def test_steps_posted_from_the_pages(client, personas):
    author = personas.users[Role.CONSULTANT]
    version = make_version(personas.org, author=author)
    login(client, author)
    assert transition(client, version, "submit").status_code == 302
    response = transition(client, version, "approve", follow=True)
    version.refresh_from_db()
    assert version.status == "in_review"
    assert "You wrote this version, so another person must approve it." in response.content.decode()
    login(client, personas.manager)
    response = transition(client, version, "reject", comment="", follow=True)
    assert "Say why it is rejected" in response.content.decode()
    version.refresh_from_db()
    assert version.status == "in_review"
    assert transition(client, version, "approve", comment="Fine").status_code == 302
    assert transition(client, version, "publish", effective_date="2026-02-01").status_code == 302
    version.refresh_from_db()
    assert (version.status, version.effective_date) == ("published", dt.date(2026, 2, 1))
    login(client, personas.employee)
    assert transition(client, version, "obsolete", comment="Old").status_code == 403
    login(client, personas.outsider)
    assert transition(client, version, "obsolete", comment="Old").status_code == 404
    version.refresh_from_db()
    assert version.status == "published"


def test_a_published_version_has_no_edit_page(client, personas):
    version = make_version(personas.org, Status.PUBLISHED)
    login(client, personas.manager)
    response = client.get(reverse("documents:version-edit", args=[version.pk]))
    assert response.status_code == 302
    response = client.post(reverse("documents:version-delete", args=[version.pk]), follow=True)
    assert "never deleted" in response.content.decode()
    assert DocumentVersion.objects.filter(pk=version.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_review_queue(client, personas, role):
    org = personas.org_for(role)
    user = personas.users[role]
    theirs = make_version(org, Status.IN_REVIEW, author=personas.users[Role.CONSULTANT])
    own = make_version(org, Status.IN_REVIEW, author=user, document=make_document(org, "OWN-1"))
    login(client, user)
    response = client.get(reverse("documents:review-queue"))
    if role not in ORGANIZATION_ROLES:
        assert response.status_code == 403
        return
    html = response.content.decode()
    assert response.status_code == 200
    detail = reverse("documents:version-detail", args=[theirs.pk])
    may_approve = role in {Role.SYSTEM_MANAGER, Role.CONSULTANT, Role.TOP_MANAGEMENT}
    assert (detail in html) is (may_approve and role != Role.CONSULTANT)
    assert reverse("documents:version-detail", args=[own.pk]) not in html


def test_the_preview_is_sanitized(client, personas):
    login(client, personas.employee)
    url = reverse("documents:version-preview")
    response = client.post(url, {"content": "# Title\n\n<img src=x onerror=alert(1)>"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Title</h1>" in html
    assert "onerror" not in html
    assert client.get(url).status_code == 405


def test_a_process_owner_writes_versions_of_their_own_documents(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    own = make_document(personas.org, "OWN-1", owner=owner)
    other = make_document(personas.org, "OTHER-1")
    login(client, owner)
    assert client.get(reverse("documents:version-create", args=[other.pk])).status_code == 403
    response = client.post(
        reverse("documents:version-create", args=[own.pk]),
        {"content": "# Mine", "change_summary": "First"},
    )
    assert response.status_code == 302
    version = own.versions.get()
    assert client.get(reverse("documents:version-edit", args=[version.pk])).status_code == 200


def test_uploading_a_file_as_the_content(client, personas, monkeypatch):
    evidence = make_file(personas.org)
    calls = []

    def store_evidence(organization, upload, *, actor):
        calls.append((organization, upload.name, actor))
        return evidence

    fake = types.ModuleType("pdca.documents.evidence.services")
    fake.store_evidence = store_evidence
    monkeypatch.setitem(sys.modules, "pdca.documents.evidence.services", fake)
    document = make_document(personas.org)
    login(client, personas.manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("policy.pdf", b"%PDF-1.7 policy", content_type="application/pdf")
    response = client.post(
        reverse("documents:version-create", args=[document.pk]),
        {"content": "", "upload": upload, "change_summary": "Scanned"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    version = document.versions.get()
    assert (version.file, version.content) == (evidence, "")
    assert calls == [(personas.org, "policy.pdf", personas.manager)]


def test_an_upload_through_the_evidence_store(client, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pdca.documents.models import EvidenceFile

    document = make_document(personas.org)
    login(client, personas.manager)
    url = reverse("documents:version-create", args=[document.pk])
    bad = SimpleUploadedFile("policy.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(url, {"upload": bad, "change_summary": "Scanned"})
    assert response.status_code == 200
    assert "upload" in response.context["form"].errors
    assert not EvidenceFile.objects.exists()
    assert not document.versions.exists()
    good = SimpleUploadedFile("policy.pdf", b"%PDF-1.7\n% the policy\n", content_type="x/y")
    response = client.post(url, {"upload": good, "change_summary": "Scanned"})
    assert response.status_code == 302, response.context["form"].errors
    version = document.versions.get()
    assert version.file.original_name == "policy.pdf"
    assert version.content == ""
